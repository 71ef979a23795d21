package dev.orch.mcp.it;

import static dev.orch.mcp.it.McpRuns.object;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.backend.a2a.testing.JsA2aPeer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Remote A2A runs outlive their server (SPEC §12.8) against the independent {@link JsA2aPeer}: the server is killed
 * with SIGKILL while the remote task works (the peer holds a {@code [hold]} task until released); the next server
 * re-attaches through {@code tasks/resubscribe}, or reports at once a task that ended meanwhile.
 */
@DisplayName("remote_a2a runs outlive their server: re-attached through tasks/resubscribe after kill -9")
class A2aRestartIT {
  private static final Duration T = Duration.ofSeconds(30);

  @TempDir
  Path tmp;
  private Path cwd;
  private Map<String, String> env;
  private JsA2aPeer peer;
  private McpRuns mcp;
  /** The server killed or left in a test; closed at the end if the test failed before that. */
  private McpRuns first;

  @BeforeEach
  void start() throws Exception {
    cwd = Files.createDirectories(tmp.resolve("work")).toRealPath();
    CompletableFuture<JsA2aPeer> starting = CompletableFuture.supplyAsync(JsA2aPeer::start);
    env = ServerProcesses.isolatedEnv(tmp);
    peer = starting.get(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() {
    try {
      McpRuns.closeAll(first, mcp);
    } finally {
      peer.close();
    }
  }

  /** Spawns a held task and waits until it works remotely and its re-attachment record is stored. */
  private String startHeldTask(McpRuns server) throws InterruptedException {
    ObjectNode args = object().put("backend", "remote_a2a").put("role", "worker").put("cwd", cwd.toString())
        .put("session_mode", "new").put("prompt", "[hold] the report");
    args.putObject("backend_config").put("agent_url", peer.baseUrl());
    String runId = server.spawn(args).path("run_id").asText();
    server.awaitEvent(runId, e -> e.path("data").path("state").asText().equals("working"), T);
    assertThat(Restarts.awaitAttachment(cwd, runId, T).path("task_id").asText()).isNotBlank();
    return runId;
  }

  @Test
  @DisplayName("kill -9 mid-task: the next server resubscribes, the task completes once with its artifact and"
      + " answer, and nothing is recorded twice")
  void killedMidTask() throws Exception {
    first = McpRuns.start(env);
    String runId = startHeldTask(first);
    List<JsonNode> before = first.events(runId);
    first.kill();

    mcp = McpRuns.start(env);
    assertThat(mcp.getRun(runId).path("status").asText()).isEqualTo("running");
    Restarts.await("tasks/resubscribe at the peer", T, () -> !peer.requests("tasks/resubscribe").isEmpty());
    peer.release();
    assertThat(mcp.awaitTerminal(runId, T)).isEqualTo("completed");
    List<JsonNode> after = mcp.events(runId);
    Restarts.assertNothingLostOrTwice(before, after);
    JsonNode done = mcp.ofType(runId, "run_completed").get(0);
    assertThat(done.at("/data/final_response").asText()).isEqualTo("released: [hold] the report");
    assertThat(done.at("/data/artifacts/0/artifact_id").asText()).isEqualTo("answer-1");
    assertThat(mcp.ofType(runId, "artifact_added")).as("the artifact arrives once, after the re-attachment")
        .hasSize(1);
    assertThat(peer.requests("tasks/resubscribe").get(0).path("task_id").asText())
        .isEqualTo(Restarts.attachment(cwd, runId).path("task_id").asText());
    assertThat(peer.requests("message/stream")).as("the task was not sent again").hasSize(1);
  }

  @Test
  @DisplayName("a task that completes while no server runs is reported completed at once by the next server"
      + " (resubscribe refused for an ended task, tasks/get instead)")
  void completedDuringDowntime() throws Exception {
    first = McpRuns.start(env);
    String runId = startHeldTask(first);
    List<JsonNode> before = first.events(runId);
    first.kill();
    peer.release();
    String taskId = Restarts.attachment(cwd, runId).path("task_id").asText();
    Restarts.await("the task completed at the peer", T, () -> peer.taskState(taskId).equals("completed"));

    mcp = McpRuns.start(env);
    assertThat(mcp.awaitTerminal(runId, T)).isEqualTo("completed");
    List<JsonNode> after = mcp.events(runId);
    Restarts.assertNothingLostOrTwice(before, after);
    JsonNode done = mcp.ofType(runId, "run_completed").get(0);
    assertThat(done.at("/data/final_response").asText()).isEqualTo("released: [hold] the report");
    assertThat(done.at("/data/artifacts/0/artifact_id").asText()).isEqualTo("answer-1");
    assertThat(peer.requests("tasks/get")).as("the ended task was read with tasks/get").isNotEmpty()
        .allSatisfy(r -> assertThat(r.path("task_id").asText()).isEqualTo(taskId));
  }
}
