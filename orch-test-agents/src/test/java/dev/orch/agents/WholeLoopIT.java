package dev.orch.agents;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.backend.codex.testing.CodexTestSetup;
import dev.orch.backend.codex.testing.MockResponsesApi;
import dev.orch.core.testing.Peers;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole loop: an MCP client (MCP Java SDK) → {@code bin/orch-mcp} → {@code spawn_run} on
 * {@code remote_a2a} → our codex test agent (A2A JSON-RPC) → the real codex CLI → the mock Responses API, whose
 * shell tool call really creates {@code out.txt} in the run's cwd.
 */
@DisplayName("MCP client → Orch MCP server → remote_a2a → codex test agent → codex CLI → mock model")
class WholeLoopIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  @Test
  @DisplayName("spawn_run on remote_a2a with the agent's URL completes, and the codex shell tool created out.txt")
  void wholeLoop() throws Exception {
    Path cwd = Files.createDirectories(tmp.resolve("work"));
    try (MockResponsesApi api = MockResponsesApi.start();
        TestAgentServer agent = TestAgentServer.builder(Flavour.CODEX)
            .environment(JsClientAgainstCodexAgentTest.codexEnvironment(api, tmp.resolve("agent"))).build().start()) {
      McpSyncClient mcp = mcpClient();
      try {
        ObjectNode spawn = JSON.createObjectNode();
        spawn.put("backend", "remote_a2a");
        spawn.put("role", "worker");
        spawn.put("cwd", cwd.toString());
        spawn.put("session_mode", "new");
        spawn.put("prompt", "Please " + MockResponsesApi.SHELL);
        spawn.putObject("backend_config").put("agent_url", agent.baseUrl());
        JsonNode spawned = call(mcp, "spawn_run", spawn);
        String runId = spawned.path("run_id").asText();
        assertThat(runId).isNotEmpty();

        List<JsonNode> events = new ArrayList<>();
        long after = 0;
        String status = "";
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
          ObjectNode poll = JSON.createObjectNode().put("run_id", runId).put("after_seq", after).put("wait_ms", 5000);
          JsonNode page = call(mcp, "poll_events", poll);
          page.path("events").forEach(events::add);
          after = page.path("next_after_seq").asLong();
          status = page.path("status").asText();
          if (page.path("events").isEmpty() && List.of("completed", "failed", "cancelled", "rejected")
              .contains(status)) {
            break;
          }
        }
        assertThat(status).as("run status; events: %s", events).isEqualTo("completed");
        List<String> types = events.stream().map(e -> e.path("type").asText()).toList();
        assertThat(types.get(0)).isEqualTo("run_started");
        assertThat(types).contains("artifact_added").endsWith("run_completed");
        JsonNode completed = events.get(events.size() - 1).path("data");
        assertThat(completed.path("final_response").asText()).isEqualTo(MockResponsesApi.SHELL_DONE);
        assertThat(events).anySatisfy(e -> assertThat(e.at("/data/name").asText()).isEqualTo("final-response"));
        assertThat(cwd.resolve("out.txt")).as("created by the codex shell tool in the run's cwd").hasContent("hi");
      } finally {
        mcp.closeGracefully();
      }
    }
    assertThat(CodexTestSetup.awaitNoCodexProcesses(Duration.ofSeconds(10))).as("codex processes left").isEmpty();
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!mcpServers().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(mcpServers()).as("orch-mcp processes left").isEmpty();
  }

  private McpSyncClient mcpClient() throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("NANOBOT_ORCHESTRATOR_HOME", Files.createDirectories(tmp.resolve("mcp-home")).toString());
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    String script = Peers.repoRoot().resolve("bin/orch-mcp").toString();
    ServerParameters params = ServerParameters.builder(script).env(env).build();
    StdioClientTransport transport = new StdioClientTransport(params, new JacksonMcpJsonMapper(new ObjectMapper()));
    transport.setStdErrorHandler(line -> System.err.println("[orch-mcp] " + line));
    McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(60))
        .initializationTimeout(Duration.ofSeconds(60)).build();
    client.initialize();
    return client;
  }

  private static JsonNode call(McpSyncClient mcp, String tool, ObjectNode args) {
    Map<String, Object> arguments = JSON.convertValue(args, new TypeReference<Map<String, Object>>() {
    });
    McpSchema.CallToolResult r = mcp.callTool(McpSchema.CallToolRequest.builder(tool).arguments(arguments).build());
    JsonNode payload = JSON.valueToTree(r.structuredContent());
    assertThat(r.isError()).as("%s failed: %s", tool, r.content()).isNotEqualTo(Boolean.TRUE);
    return payload;
  }

  private static List<ProcessHandle> mcpServers() {
    return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
        .filter(p -> p.info().commandLine().map(c -> c.contains("orch-mcp")).orElse(false)).toList();
  }
}
