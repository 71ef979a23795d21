package dev.orch.mcp.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Instant;

/** Helpers of the control-plane end-to-end tests. */
final class ControlAssertions {
  private ControlAssertions() {
  }

  /** @return the entry of that backend in a list_backends answer */
  static JsonNode backend(JsonNode list, String id) {
    for (JsonNode b : list.path("backends")) {
      if (b.path("backend").asText().equals(id)) {
        return b;
      }
    }
    throw new AssertionError("no backend " + id + " in " + list);
  }

  /** Prints a measured figure for the closing note (tests never assert on time). */
  static void figure(String text) {
    System.err.println("[figure] " + text);
  }

  /** @return the event's {@code ts} in epoch ms */
  static long ms(JsonNode event) {
    return Instant.parse(event.path("ts").asText()).toEpochMilli();
  }

  /** @return a local port nothing listens on */
  static int closedPort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode read(String json) {
    try {
      return McpRuns.JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
