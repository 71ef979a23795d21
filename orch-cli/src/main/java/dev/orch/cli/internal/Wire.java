package dev.orch.cli.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.UncheckedIOException;

/**
 * How the command lines print JSON with {@code --output json|jsonl} / {@code --json}. The shapes themselves are
 * {@link dev.orch.core.WireJson}'s, the same as the MCP tools' results (SPEC §2), so a script can switch between
 * {@code orch} and the MCP server.
 */
public final class Wire {
  /** Shared mapper (thread-safe). */
  public static final ObjectMapper JSON = new ObjectMapper();

  private Wire() {
  }

  /** @return the node pretty-printed (2-space indent) */
  public static String pretty(JsonNode n) {
    try {
      return JSON.writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** @return the node on one line */
  public static String line(JsonNode n) {
    try {
      return JSON.writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
