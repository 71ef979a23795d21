package dev.orch.soak;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/**
 * The answer to one {@code tools/call}: an {@code isError} text, a payload (structuredContent), or a JSON-RPC error.
 *
 * @param tool the tool called
 * @param error true for an isError result or a JSON-RPC error
 * @param text the text content (or the JSON-RPC error message)
 * @param payload the structuredContent of a successful call, else a missing node
 * @param nanos time from sending to the answer, ns
 */
record ToolAnswer(String tool, boolean error, String text, JsonNode payload, long nanos) {

  static ToolAnswer of(String tool, JsonNode response, long nanos) throws IOException {
    if (response.has("error")) {
      return new ToolAnswer(tool, true, response.at("/error/message").asText(), ServerProcess.JSON.missingNode(),
          nanos);
    }
    JsonNode result = response.get("result");
    boolean error = result.path("isError").asBoolean(false);
    String text = result.at("/content/0/text").asText();
    return new ToolAnswer(tool, error, text, error ? ServerProcess.JSON.missingNode()
        : result.path("structuredContent"), nanos);
  }

  /** @return the payload, or throws naming the tool and its error text */
  JsonNode ok() {
    if (error) {
      throw new IllegalStateException(tool + " failed: " + text);
    }
    return payload;
  }
}
