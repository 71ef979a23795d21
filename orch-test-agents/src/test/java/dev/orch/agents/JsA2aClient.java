package dev.orch.agents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orch.core.testing.Peers;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code js-a2a-client.cjs} (an {@code @a2a-js/sdk@1.3.0} Client with its v0.3 compatibility layer) against
 * an agent and returns the JSON summary it prints.
 */
final class JsA2aClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  private JsA2aClient() {
  }

  /**
   * @param baseUrl the agent's base URL
   * @param cwd the cwd to send in metadata.nanobot_orchestrator.cwd, or null to send plain messages without metadata
   * @param scenario send | stream | cancel
   * @param prompt the message text
   * @param workDir where to put the script
   * @return the printed JSON summary
   */
  static JsonNode run(String baseUrl, Path cwd, String scenario, String prompt, Path workDir) throws Exception {
    Path nodeModules = Peers.nodeModules();
    Peers.require(nodeModules.resolve("@a2a-js/sdk"));
    Path script = workDir.resolve("js-a2a-client.cjs");
    if (!Files.exists(script)) {
      try (InputStream in = JsA2aClient.class.getResourceAsStream("js-a2a-client.cjs")) {
        Files.copy(in, script);
      }
    }
    String cwdArg = cwd == null ? "-" : cwd.toString();
    ProcessBuilder pb = new ProcessBuilder(List.of("node", script.toString(), baseUrl, cwdArg, scenario, prompt))
        .directory(workDir.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.environment().put("NODE_PATH", nodeModules.toString());
    Process p = pb.start();
    p.getOutputStream().close();
    byte[] out;
    try (InputStream in = p.getInputStream()) {
      out = in.readAllBytes();
    }
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the JS client did not finish in 120 s");
    }
    String text = new String(out, StandardCharsets.UTF_8).strip();
    String last = text.substring(text.lastIndexOf('\n') + 1);
    JsonNode result;
    try {
      result = JSON.readTree(last);
    } catch (IOException e) {
      throw new AssertionError("the JS client printed no JSON: " + text, e);
    }
    if (p.exitValue() != 0 || result.has("error")) {
      throw new AssertionError("the JS client failed (exit " + p.exitValue() + "): " + result.path("error").asText(text));
    }
    return result;
  }
}
