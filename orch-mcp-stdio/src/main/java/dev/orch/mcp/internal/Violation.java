package dev.orch.mcp.internal;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * One broken argument rule: the dotted field path (e.g. {@code input_message.parts.0.type}) and the rule in words
 * (e.g. {@code expected one of "text"|"data"|"file"}).
 *
 * @param path dotted field path; never null
 * @param message the rule that is broken; never null
 */
public record Violation(String path, String message) {
  /** @throws NullPointerException when a field is null */
  public Violation {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(message, "message");
  }

  /**
   * Formats the error text of an invalid tool call (SPEC §2): {@code Invalid arguments for tool <name>: <path>:
   * <message>; <path>: <message>}. Paths and messages are shortened with {@link Echo} (they may quote client values).
   *
   * @param tool tool name
   * @param violations at least one violation
   * @return the text
   */
  public static String describe(String tool, List<Violation> violations) {
    return "Invalid arguments for tool " + tool + ": "
        + violations.stream().map(v -> Echo.value(v.path()) + ": " + Echo.message(v.message()))
            .collect(Collectors.joining("; "));
  }
}
