package dev.orch.mcp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orch.core.testing.Peers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official MCP Inspector CLI (0.15.0, installed under {@code .peers}) launches {@code bin/orch-mcp} the way an
 * MCP client configuration would, and talks to it.
 */
@DisplayName("The MCP Inspector CLI can use bin/orch-mcp")
class InspectorCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  private JsonNode inspector(String... args) throws IOException, InterruptedException {
    Path cli = Peers.require(Peers.nodeModules().resolve("@modelcontextprotocol/inspector/cli/build/cli.js"));
    List<String> cmd = new ArrayList<>(List.of("node", cli.toString(), "--cli",
        Peers.repoRoot().resolve("bin/orch-mcp").toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(tmp.resolve("inspector.err").toFile());
    pb.environment().putAll(ServerProcesses.isolatedEnv(tmp));
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("inspector exit status, stdout: %s", new String(out, StandardCharsets.UTF_8))
        .isZero();
    assertNoServerLeft();
    return JSON.readTree(out);
  }

  /**
   * The server is a grandchild (node → bin/orch-mcp → java): look for it among all processes, by the store home of
   * this test in its environment and by its command line. (A first start of a new jar also trains the start-up
   * archive in the background: {@code bin/orch-mcp --prepare} in a session of its own, running a JVM with its own
   * home, outlives the client by design and is not the server, nor are the commands it runs meanwhile.)
   */
  private void assertNoServerLeft() throws InterruptedException {
    String home = "NANOBOT_ORCHESTRATOR_HOME=" + tmp.resolve("orch-home");
    long deadline = System.nanoTime() + 3_000_000_000L;
    List<Long> left;
    do {
      left = Restarts.withEnvironment(home).stream().filter(pid -> {
        String cmd = Restarts.commandLine(pid); // the launcher, or the JVM it became
        return (cmd.contains("bin/orch-mcp") || cmd.contains("orch-mcp.jar")) && !cmd.contains("--prepare");
      }).toList();
      if (!left.isEmpty()) {
        Thread.sleep(50);
      }
    } while (!left.isEmpty() && System.nanoTime() < deadline);
    assertThat(left).as("orch-mcp processes left by the inspector: %s",
        left.stream().map(Restarts::commandLine).toList()).isEmpty();
  }

  @Test
  @DisplayName("tools/list shows the ten tools, then Orch's additions")
  void listsTools() throws Exception {
    JsonNode r = inspector("--method", "tools/list");
    List<String> names = new ArrayList<>();
    r.get("tools").forEach(t -> names.add(t.get("name").asText()));
    assertThat(names.subList(0, 10)).containsExactly("spawn_run", "get_run", "poll_events", "cancel_run",
        "continue_run", "list_runs", "list_agents", "send_agent_message", "fetch_agent_messages", "get_event_artifact");
    assertThat(names).contains("spawn_runs", "wait_runs", "run_workflow", "list_workflow_templates", "list_backends",
        "get_usage");
  }

  @Test
  @DisplayName("tools/call returns tool results, errors included")
  void callsTools() throws Exception {
    JsonNode error = inspector("--method", "tools/call", "--tool-name", "get_run", "--tool-arg", "run_id=nope");
    assertThat(error.get("isError").asBoolean()).isTrue();
    assertThat(error.at("/content/0/text").asText()).isEqualTo("Error: Unknown run_id: nope");
    JsonNode runs = inspector("--method", "tools/call", "--tool-name", "list_runs");
    assertThat(runs.at("/structuredContent/runs").isArray()).isTrue();
  }
}
