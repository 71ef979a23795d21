package dev.orch.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A live {@code bin/orch-mcp} process driven by the MCP Java SDK client over stdio: the "other Orch process" that
 * owns runs in these tests. {@link #close()} stops it (stdin EOF) and waits for it to go.
 */
final class McpServer implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Set<String> TERMINAL = Set.of("completed", "failed", "cancelled", "rejected");
  private final McpSyncClient client;

  private McpServer(McpSyncClient client) {
    this.client = client;
  }

  /** Starts {@code bin/orch-mcp} with that environment and initializes the session. */
  static McpServer start(Map<String, String> env) {
    ServerParameters params = ServerParameters.builder(Processes.bin("orch-mcp").toString()).env(env).build();
    StdioClientTransport transport = new StdioClientTransport(params, new JacksonMcpJsonMapper(new ObjectMapper()));
    transport.setStdErrorHandler(line -> System.err.println("[orch-mcp] " + line));
    McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(60))
        .initializationTimeout(Duration.ofSeconds(60)).build();
    client.initialize();
    return new McpServer(client);
  }

  static ObjectNode object() {
    return JSON.createObjectNode();
  }

  /** Calls a tool that must succeed; @return its structuredContent */
  JsonNode call(String tool, JsonNode args) {
    Map<String, Object> map = JSON.convertValue(args, new TypeReference<Map<String, Object>>() {
    });
    McpSchema.CallToolResult r = client.callTool(McpSchema.CallToolRequest.builder(tool).arguments(map).build());
    String text = ((McpSchema.TextContent) r.content().get(0)).text();
    assertThat(r.isError()).as("%s failed: %s", tool, text).isNotEqualTo(Boolean.TRUE);
    return JSON.valueToTree(r.structuredContent());
  }

  /** spawn_run of a new session; @return the answer */
  JsonNode spawn(String backend, Path cwd, String prompt, String nickname, ObjectNode backendConfig) {
    ObjectNode a = object().put("backend", backend).put("role", "worker").put("cwd", cwd.toString())
        .put("session_mode", "new").put("prompt", prompt);
    if (nickname != null) {
      a.put("nickname", nickname);
    }
    if (backendConfig != null) {
      a.set("backend_config", backendConfig);
    }
    return call("spawn_run", a);
  }

  /** @return get_run */
  JsonNode getRun(String runId) {
    return call("get_run", object().put("run_id", runId));
  }

  /** Waits (get_run every 50 ms) until the run has one of the statuses; @return the run */
  JsonNode awaitStatus(String runId, Set<String> statuses, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonNode run = getRun(runId);
    while (!statuses.contains(run.path("status").asText())) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("run " + runId + " is " + run.path("status").asText() + ", expected " + statuses
            + " within " + timeout + ": " + run);
      }
      Thread.sleep(50);
      run = getRun(runId);
    }
    return run;
  }

  /** @return events of the run (one page, up to 1000) */
  List<JsonNode> events(String runId) {
    JsonNode page = call("poll_events", object().put("run_id", runId).put("after_seq", 0).put("wait_ms", 0)
        .put("limit", 1000));
    return JSON.convertValue(page.path("events"), new TypeReference<List<JsonNode>>() {
    });
  }

  /** Stops the server (stdin EOF) and waits up to 5 s for it to exit. */
  @Override
  public void close() {
    client.closeGracefully();
    try {
      List<ProcessHandle> left = Processes.awaitNoDescendant("orch-mcp.jar", Duration.ofSeconds(5));
      assertThat(left).as("orch-mcp processes left").isEmpty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for orch-mcp to exit", e);
    }
  }
}
