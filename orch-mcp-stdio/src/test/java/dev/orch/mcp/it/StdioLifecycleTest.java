package dev.orch.mcp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orch.backend.codex.testing.MockResponsesApi;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The server process keeps stdout for JSON-RPC, survives bad input and stops within 1 s")
class StdioLifecycleTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CALL = Duration.ofSeconds(30);

  @TempDir
  Path tmp;

  @Test
  @DisplayName("every stdout line during initialize, tools/list, failing calls and shutdown is a JSON-RPC message")
  void onlyJsonRpcOnStdout() throws Exception {
    RawServer server = new RawServer(tmp, Map.of("ORCH_LOG_LEVEL", "debug"));
    server.initialize();
    server.request("tools/list", JSON.createObjectNode(), CALL);
    assertThat(server.call("get_run", "{\"run_id\":\"nope\"}", CALL).at("/result/isError").asBoolean()).isTrue();
    assertThat(server.call("poll_events", "{\"after_seq\":-1}", CALL).at("/result/isError").asBoolean()).isTrue();
    server.closeStdin();
    assertThat(server.process.waitFor(5, TimeUnit.SECONDS)).isTrue();
    byte[] raw = server.rawStdout();
    assertThat(raw).isNotEmpty();
    assertThat(raw[raw.length - 1]).as("stdout ends with a newline").isEqualTo((byte) '\n');
    String[] lines = new String(raw, StandardCharsets.UTF_8).split("\n");
    assertThat(lines).hasSize(4);
    for (String line : lines) {
      JsonNode n = JSON.readTree(line);
      assertThat(n.path("jsonrpc").asText()).as("line %s", line).isEqualTo("2.0");
      assertThat(n.has("result") || n.has("error") || n.has("method")).as("line %s", line).isTrue();
    }
    assertThat(server.stderr()).as("logs went to stderr").contains("Orch MCP server ready");
    server.close();
  }

  @Test
  @DisplayName("stdin EOF makes the process exit within 1 s, with status 0")
  void exitsOnStdinEof() throws Exception {
    RawServer server = new RawServer(tmp, Map.of());
    server.initialize();
    long start = System.nanoTime();
    server.closeStdin();
    assertThat(server.process.waitFor(5, TimeUnit.SECONDS)).isTrue();
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertThat(ms).as("ms from stdin EOF to exit").isLessThan(1000);
    assertThat(server.process.exitValue()).isZero();
    server.close();
  }

  @Test
  @DisplayName("a client that closes its end of stdout makes the server exit (a failed write ends the session)")
  void exitsWhenStdoutIsGone() throws Exception {
    RawServer server = new RawServer(tmp, Map.of());
    server.initialize();
    server.process.getInputStream().close();
    // a read already blocked on the pipe may still take one more answer; the write after it fails (EPIPE)
    for (int id = 1; id <= 100 && server.process.isAlive(); id++) {
      try {
        server.send("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"ping\"}");
      } catch (java.io.IOException e) {
        break;
      }
      server.process.waitFor(100, TimeUnit.MILLISECONDS);
    }
    assertThat(server.process.waitFor(10, TimeUnit.SECONDS)).as("exited after its output went away").isTrue();
    assertThat(server.process.exitValue()).isZero();
    assertThat(server.stderr()).contains("stdout write failed");
    server.close();
  }

  @Test
  @DisplayName("SIGTERM makes the process exit within 1 s")
  void exitsOnSigterm() throws Exception {
    RawServer server = new RawServer(tmp, Map.of());
    server.initialize();
    long start = System.nanoTime();
    // ProcessHandle.destroy sends SIGTERM only (Process.destroy would also close the child's stdin)
    assertThat(server.process.toHandle().destroy()).isTrue();
    assertThat(server.process.waitFor(5, TimeUnit.SECONDS)).isTrue();
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertThat(ms).as("ms from SIGTERM to exit").isLessThan(1000);
    assertThat(server.process.exitValue()).isEqualTo(143);
    server.close();
  }

  @Test
  @DisplayName("unparseable lines, non-JSON-RPC values and bad requests are answered and the server keeps serving")
  void survivesBadInput() throws Exception {
    RawServer server = new RawServer(tmp, Map.of());
    server.initialize();
    server.send("this is not json");
    server.send("{\"no\":\"jsonrpc\",\"id\":7}");
    server.send("");
    JsonNode unknownTool = server.call("no_such_tool", "{}", CALL);
    assertThat(unknownTool.has("error") || unknownTool.at("/result/isError").asBoolean()).isTrue();
    JsonNode badArgs = server.request("tools/call", JSON.readTree("{\"name\":\"get_run\",\"arguments\":[1,2]}"), CALL);
    assertThat(badArgs.has("error") || badArgs.at("/result/isError").asBoolean()).isTrue();
    JsonNode afterwards = server.call("list_runs", "{}", CALL);
    assertThat(afterwards.at("/result/isError").asBoolean()).isFalse();
    assertThat(afterwards.at("/result/structuredContent/runs").isArray()).isTrue();
    String out = new String(server.rawStdout(), StandardCharsets.UTF_8);
    assertThat(out).contains("\"id\":null,\"error\":{\"code\":-32700").contains("\"id\":7,\"error\":{\"code\":-32600");
    server.close();
  }

  @Test
  @DisplayName("20 concurrent long poll_events on a running run never delay a get_run")
  void longPollsDoNotBlockOtherCalls() throws Exception {
    try (MockResponsesApi model = MockResponsesApi.start()) {
      Map<String, String> env = new java.util.HashMap<>();
      ServerProcesses.useCodexWithMock(env, model.baseUrl());
      RawServer server = new RawServer(tmp, env);
      ExecutorService pool = Executors.newFixedThreadPool(20);
      try {
      server.initialize();
      Path cwd = ServerProcesses.mkdirs(tmp.resolve("work"));
      JsonNode spawned = server.call("spawn_run", "{\"backend\":\"codex\",\"role\":\"worker\",\"cwd\":\"" + cwd
          + "\",\"session_mode\":\"new\",\"prompt\":\"wait for the model: " + MockResponsesApi.SLOW + "\"}", CALL);
      assertThat(spawned.at("/result/isError").asBoolean()).as("%s", spawned).isFalse();
      String runId = spawned.at("/result/structuredContent/run_id").asText();
      long lastSeq = 0;
      for (int i = 0; i < 100 && model.slowStreamsOpen() == 0; i++) {
        JsonNode page = server.call("poll_events", "{\"run_id\":\"" + runId + "\",\"after_seq\":" + lastSeq
            + ",\"wait_ms\":200}", CALL);
        lastSeq = page.at("/result/structuredContent/next_after_seq").asLong();
      }
      assertThat(model.slowStreamsOpen()).as("codex reached the stalling model").isPositive();
      JsonNode page = server.call("poll_events", "{\"run_id\":\"" + runId + "\",\"after_seq\":0,\"wait_ms\":0}", CALL);
      lastSeq = page.at("/result/structuredContent/next_after_seq").asLong();
      assertThat(page.at("/result/structuredContent/status").asText()).isEqualTo("running");

      List<CompletableFuture<JsonNode>> polls = new ArrayList<>();
      String pollArgs = "{\"run_id\":\"" + runId + "\",\"after_seq\":" + lastSeq + ",\"wait_ms\":30000}";
      for (int i = 0; i < 20; i++) {
        polls.add(CompletableFuture.supplyAsync(() -> {
          try {
            return server.call("poll_events", pollArgs, Duration.ofSeconds(45));
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }, pool));
      }
      Thread.sleep(1000);
      assertThat(polls).noneMatch(CompletableFuture::isDone);
      long start = System.nanoTime();
      JsonNode run = server.call("get_run", "{\"run_id\":\"" + runId + "\"}", CALL);
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertThat(run.at("/result/structuredContent/status").asText()).isEqualTo("running");
      assertThat(ms).as("ms for get_run while 20 polls wait").isLessThan(1000);

      JsonNode cancelled = server.call("cancel_run", "{\"run_id\":\"" + runId + "\"}", CALL);
      assertThat(cancelled.at("/result/structuredContent/status").asText()).isEqualTo("cancelled");
      for (CompletableFuture<JsonNode> p : polls) {
        JsonNode r = p.get(10, TimeUnit.SECONDS);
        assertThat(r.at("/result/structuredContent/status").asText()).isEqualTo("cancelled");
      }
      } finally {
        pool.shutdownNow();
        server.close();
      }
    }
  }
}
