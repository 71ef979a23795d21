package dev.orch.cli.internal;

/**
 * {@code --output} formats. The constants are lower case because picocli shows them as typed on the command line
 * and in shell completion.
 */
@SuppressWarnings("checkstyle:ConstantName")
public enum Output {
  /** Human text: tables and lines, colours on a terminal. */
  text,
  /** One pretty-printed JSON document (the MCP tool shapes). */
  json,
  /** One JSON object per line (events, runs), for streaming into scripts. */
  jsonl;

  /**
   * @param n a wire-shaped result
   * @return it as this format prints one JSON document: pretty for {@code json}, one line otherwise
   */
  public String render(com.fasterxml.jackson.databind.JsonNode n) {
    return this == json ? Wire.pretty(n) : Wire.line(n);
  }
}
