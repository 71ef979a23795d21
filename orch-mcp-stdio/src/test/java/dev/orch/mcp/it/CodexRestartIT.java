package dev.orch.mcp.it;

import static dev.orch.mcp.it.McpRuns.object;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.backend.codex.testing.MockResponsesApi;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs outlive their server (SPEC §10, §12.8; issue 9 item 3) on the real codex CLI against
 * {@link MockResponsesApi}: the server process is killed with SIGKILL (or ends its session) while codex is in the
 * middle of a multi-step turn — its last model answer waits for the test ({@link MockResponsesApi#GATED}) — and the
 * next server process re-attaches the run. Each test has its own cwd, homes, mock and servers.
 */
@DisplayName("codex runs outlive their server: kill -9, detach and re-attach through real server processes")
class CodexRestartIT {
  private static final Duration T = Duration.ofSeconds(60);

  @TempDir
  Path tmp;
  private MockResponsesApi model;
  private Path cwd;
  private Map<String, String> env;
  private McpRuns mcp;
  /** The server killed or left in a test; closed at the end if the test failed before that. */
  private McpRuns first;

  @BeforeEach
  void setUp() throws Exception {
    model = MockResponsesApi.start();
    cwd = ServerProcesses.mkdirs(tmp.resolve("work")).toRealPath();
    env = ServerProcesses.isolatedEnv(tmp);
    ServerProcesses.useCodexWithMock(env, model.baseUrl());
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      model.openGate();
      McpRuns.closeAll(first, mcp);
    } finally {
      model.close();
    }
    Restarts.await("no codex left in " + cwd, Duration.ofSeconds(10), () -> codexFor(cwd).isEmpty());
  }

  private ObjectNode spawnArgs(String prompt) {
    return object().put("backend", "codex").put("role", "worker").put("cwd", cwd.toString())
        .put("session_mode", "new").put("prompt", prompt);
  }

  /** Starts a server, spawns a gated run and waits until codex did its first step and waits for the model. */
  private String startGatedRun(McpRuns server) throws InterruptedException {
    String runId = server.spawn(spawnArgs("Work in two steps " + MockResponsesApi.GATED)).path("run_id").asText();
    server.awaitEvent(runId, "command_finished", T);
    Restarts.await("codex waiting for the gated answer", T, () -> model.gatedWaiting() > 0);
    return runId;
  }

  @Test
  @DisplayName("kill -9 mid-turn: the next server re-attaches codex; poll_events from 0 shows every event once with"
      + " gap-free seqs, one terminal event, and the turn completes with the right answer")
  void killedMidTurn() throws Exception {
    long t00 = System.nanoTime();
    first = McpRuns.start(env);
    long freshMs = (System.nanoTime() - t00) / 1_000_000;
    String runId = startGatedRun(first);
    List<JsonNode> before = first.events(runId);
    List<ProcessHandle> codex = codexFor(cwd);
    assertThat(codex).as("codex is running").isNotEmpty();
    first.kill();
    assertThat(codex).as("codex outlives the killed server").allMatch(ProcessHandle::isAlive);

    long t0 = System.nanoTime();
    mcp = McpRuns.start(env);
    JsonNode run = mcp.getRun(runId);
    long readyMs = (System.nanoTime() - t0) / 1_000_000;
    assertThat(run.path("status").asText()).as("re-attached, not failed").isEqualTo("running");
    model.openGate();
    assertThat(mcp.awaitTerminal(runId, T)).isEqualTo("completed");
    List<JsonNode> after = mcp.events(runId);
    Restarts.assertNothingLostOrTwice(before, after);
    assertThat(after.get(after.size() - 1).at("/data/final_response").asText()).isEqualTo(MockResponsesApi.GATED_DONE);
    assertThat(mcp.types(runId)).containsSubsequence("run_started", "status_changed", "command_started",
        "command_finished", "agent_message", "run_completed");
    assertThat(model.requests()).as("the turn went on; it was not started again").hasSize(2);
    System.err.println("[figure] restart with 1 run to re-attach: server ready (get_run answered) after " + readyMs
        + " ms (a fresh server on this box: " + freshMs + " ms to initialize); events before the kill "
        + before.size() + ", after " + after.size() + ", lost 0, twice 0");
  }

  @Test
  @DisplayName("codex finishing while no server runs: the next server reads the rest of its output and reports it"
      + " completed, nothing twice")
  void finishedDuringDowntime() throws Exception {
    first = McpRuns.start(env);
    String runId = startGatedRun(first);
    List<JsonNode> before = first.events(runId);
    first.kill();
    model.openGate();
    Path exit = Restarts.runDir(cwd, runId).resolve("agent").resolve("exit");
    Restarts.await("codex's exit file", T, () -> Files.exists(exit));

    mcp = McpRuns.start(env);
    assertThat(mcp.awaitTerminal(runId, T)).isEqualTo("completed");
    List<JsonNode> after = mcp.events(runId);
    Restarts.assertNothingLostOrTwice(before, after);
    assertThat(after.get(after.size() - 1).at("/data/final_response").asText()).isEqualTo(MockResponsesApi.GATED_DONE);
    assertThat(mcp.getRun(runId).path("summary").asText()).isEqualTo("Run completed");
  }

  @Test
  @DisplayName("an agent that dies while no server runs, without recording its exit: the next server reports"
      + " run_failed {reason:host_lost} once, after the events it had")
  void agentDiedDuringDowntime() throws Exception {
    first = McpRuns.start(env);
    String runId = startGatedRun(first);
    List<JsonNode> before = first.events(runId);
    first.kill();
    long group = Restarts.agentGroup(cwd, runId);
    Restarts.killGroup(group);
    Restarts.await("the agent's group gone", T, () -> Restarts.groupMembers(group).isEmpty());
    assertThat(Restarts.runDir(cwd, runId).resolve("agent").resolve("exit")).doesNotExist();

    mcp = McpRuns.start(env);
    assertThat(mcp.awaitTerminal(runId, T)).isEqualTo("failed");
    List<JsonNode> after = mcp.events(runId);
    Restarts.assertNothingLostOrTwice(before, after);
    JsonNode failed = after.get(after.size() - 1);
    assertThat(failed.path("type").asText()).isEqualTo("run_failed");
    assertThat(failed.at("/data/reason").asText()).isEqualTo("host_lost");
    assertThat(failed.at("/data/message").asText()).contains("exit code was not recorded");
  }

  @Test
  @DisplayName("ORCH_ON_EXIT=detach, the top-agent case: a one-shot client spawns a run and closes stdin; the agent"
      + " keeps working without a server and the next session finds the run completed")
  void oneShotClientWithDetach() throws Exception {
    Map<String, String> detach = new java.util.HashMap<>(env);
    detach.put("ORCH_ON_EXIT", "detach");
    RawServer oneShot = new RawServer(tmp, detach);
    oneShot.initialize();
    JsonNode spawned = oneShot.call("spawn_run", spawnArgs("One shot " + MockResponsesApi.GATED).toString(), T);
    String runId = spawned.path("result").path("structuredContent").path("run_id").asText();
    assertThat(runId).as("spawn_run answer %s", spawned).isNotBlank();
    oneShot.closeStdin();
    assertThat(oneShot.process.waitFor(10, TimeUnit.SECONDS)).as("the server exits at stdin EOF").isTrue();

    Restarts.await("codex working on without a server", T, () -> model.gatedWaiting() > 0);
    assertThat(codexFor(cwd)).as("codex after the server exited").isNotEmpty();
    model.openGate();
    Path exit = Restarts.runDir(cwd, runId).resolve("agent").resolve("exit");
    Restarts.await("codex's exit file", T, () -> Files.exists(exit));

    mcp = McpRuns.start(env);
    assertThat(mcp.awaitTerminal(runId, T)).isEqualTo("completed");
    List<JsonNode> events = mcp.events(runId);
    Restarts.assertNothingLostOrTwice(List.of(), events);
    assertThat(events.get(events.size() - 1).at("/data/final_response").asText())
        .isEqualTo(MockResponsesApi.GATED_DONE);
  }

  @Test
  @DisplayName("the default ORCH_ON_EXIT=cancel still stops the agent at stdin EOF: no process is left and the run"
      + " is cancelled with reason shutdown")
  void defaultCancelOnEof() throws Exception {
    RawServer server = new RawServer(tmp, env);
    server.initialize();
    JsonNode spawned = server.call("spawn_run", spawnArgs("Cancel me " + MockResponsesApi.GATED).toString(), T);
    String runId = spawned.path("result").path("structuredContent").path("run_id").asText();
    Restarts.await("codex waiting for the gated answer", T, () -> model.gatedWaiting() > 0);
    long group = Restarts.agentGroup(cwd, runId);
    server.close(); // stdin EOF; asserts that no process of the server's tree is left
    assertThat(codexFor(cwd)).as("codex after the server exited").isEmpty();
    assertThat(Restarts.groupMembers(group)).as("the agent's process group").isEmpty();

    mcp = McpRuns.start(env);
    assertThat(mcp.awaitTerminal(runId, T)).isEqualTo("cancelled");
    JsonNode end = mcp.events(runId).get(mcp.events(runId).size() - 1);
    assertThat(end.at("/data/reason").asText()).isEqualTo("shutdown");
  }

  /**
   * @return live codex processes working in that cwd anywhere on the machine (after a server SIGKILL codex is
   *     re-parented, so it no longer descends from this JVM)
   */
  static List<ProcessHandle> codexFor(Path dir) {
    String marker = "--cd " + dir;
    return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
        .filter(p -> p.info().command().map(c -> c.endsWith("/codex")).orElse(false))
        .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
        .toList();
  }
}
