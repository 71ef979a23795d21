package dev.orch.mcp.it;

import static dev.orch.mcp.it.McpRuns.object;
import static dev.orch.mcp.it.McpRuns.userText;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.backend.claude.testing.ClaudeTestSetup;
import dev.orch.backend.claude.testing.MockMessagesApi;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Claude Code runs outlive their server (SPEC §12.8) on the real CLI against {@link MockMessagesApi}: the server is
 * killed with SIGKILL while a permission prompt waits; the next server re-attaches the CLI (its stdin is a FIFO kept
 * open by a holder process), the run is input_required once, and {@code continue_run} answers the same prompt.
 * Permission prompts are on for every run ({@code ORCH_CLAUDE_PERMISSION_MODE=default}).
 */
@DisplayName("claude_code runs outlive their server: a pending permission prompt survives kill -9")
class ClaudeRestartIT {
  private static final Duration T = Duration.ofSeconds(45);

  @TempDir
  Path tmp;
  private Path cwd;
  private ClaudeTestSetup claude;
  private Map<String, String> env;
  private McpRuns mcp;
  /** The server killed or left in a test; closed at the end if the test failed before that. */
  private McpRuns first;

  @BeforeEach
  void start() throws Exception {
    cwd = Files.createDirectories(tmp.resolve("work")).toRealPath();
    claude = ClaudeTestSetup.start(tmp);
    env = ServerProcesses.isolatedEnv(tmp);
    env.putAll(claude.serverEnvironment());
    env.put("ORCH_CLAUDE_PERMISSION_MODE", "default");
  }

  @AfterEach
  void stop() throws Exception {
    try {
      McpRuns.closeAll(first, mcp);
      claude.awaitNoClaudeProcesses(Duration.ofSeconds(15));
    } finally {
      claude.close();
    }
  }

  private ObjectNode spawnArgs(String prompt) {
    return object().put("backend", "claude_code").put("role", "worker").put("cwd", cwd.toString())
        .put("session_mode", "new").put("prompt", prompt);
  }

  /** Kills the first server while the run waits, restarts, answers allow, and checks the whole event history. */
  private void killAnswerAndCheck(McpRuns first, String runId, Path file) throws Exception {
    assertThat(first.awaitStatus(runId, Set.of("input_required"), T)).isEqualTo("input_required");
    List<JsonNode> before = first.events(runId);
    assertThat(claude.liveClaudeClis()).as("claude is running").isNotEmpty();
    first.kill();
    assertThat(claude.liveClaudeClis()).as("claude outlives the killed server").isNotEmpty();

    mcp = McpRuns.start(env);
    assertThat(mcp.getRun(runId).path("status").asText()).isEqualTo("input_required");
    assertThat(mcp.awaitStatus(runId, Set.of("input_required"), T)).isEqualTo("input_required");
    assertThat(file).doesNotExist();
    JsonNode cont = mcp.call("continue_run", object().put("run_id", runId).set("input_message", userText("allow")));
    assertThat(cont.path("mode").asText()).isEqualTo("live");
    assertThat(mcp.awaitTerminal(runId, T)).isEqualTo("completed");
    assertThat(file).hasContent("hi");
    List<JsonNode> after = mcp.events(runId);
    Restarts.assertNothingLostOrTwice(before, after);
    assertThat(mcp.ofType(runId, "input_required")).as("the prompt is surfaced once").hasSize(1);
    assertThat(mcp.ofType(runId, "run_completed").get(0).path("data").path("final_response").asText())
        .isEqualTo(MockMessagesApi.DONE_TEXT);
  }

  @Test
  @DisplayName("kill -9 while a permission prompt waits: after re-attachment the run is input_required once and"
      + " continue_run allow lets the command run")
  void pendingPromptSurvivesKill() throws Exception {
    first = McpRuns.start(env);
    String runId = first.spawn(spawnArgs("RUN_BASH create allowed.txt")).path("run_id").asText();
    killAnswerAndCheck(first, runId, cwd.resolve("allowed.txt"));
  }

  @Test
  @DisplayName("ORCH_ON_EXIT=detach: at the end of the session the run waiting for permission is left running and"
      + " the idle pooled process is closed; the next server re-attaches the run and continue_run answers it")
  void detachLeavesLiveRunsAndClosesIdleOnes() throws Exception {
    Map<String, String> detach = new java.util.HashMap<>(env);
    detach.put("ORCH_ON_EXIT", "detach");
    first = McpRuns.start(detach);
    String idleRun = first.spawn(spawnArgs("say hello")).path("run_id").asText();
    assertThat(first.awaitTerminal(idleRun, T)).isEqualTo("completed");
    long idleGroup = Restarts.agentGroup(cwd, idleRun);
    String waiting = first.spawn(spawnArgs("RUN_BASH create detached.txt")).path("run_id").asText();
    assertThat(first.awaitStatus(waiting, Set.of("input_required"), T)).isEqualTo("input_required");
    List<JsonNode> before = first.events(waiting);
    long liveGroup = Restarts.agentGroup(cwd, waiting);
    assertThat(Restarts.groupMembers(idleGroup)).as("the idle pooled process before the exit").isNotEmpty();
    first.closeLeavingAgents();

    Restarts.await("the idle pooled process closed", Duration.ofSeconds(15),
        () -> Restarts.groupMembers(idleGroup).isEmpty());
    assertThat(Restarts.groupMembers(liveGroup)).as("the detached run's CLI").isNotEmpty();
    mcp = McpRuns.start(env);
    assertThat(mcp.awaitStatus(waiting, Set.of("input_required"), T)).isEqualTo("input_required");
    mcp.call("continue_run", object().put("run_id", waiting).set("input_message", userText("allow")));
    assertThat(mcp.awaitTerminal(waiting, T)).isEqualTo("completed");
    assertThat(cwd.resolve("detached.txt")).hasContent("hi");
    Restarts.assertNothingLostOrTwice(before, mcp.events(waiting));
    assertThat(mcp.ofType(waiting, "input_required")).hasSize(1);
  }

  @Test
  @DisplayName("a run served by a pooled session process is re-attached from where its own turn starts in that"
      + " process's output")
  void pooledProcessRunSurvivesKill() throws Exception {
    first = McpRuns.start(env);
    JsonNode spawned = first.spawn(spawnArgs("remember the word MANGO"));
    String firstRun = spawned.path("run_id").asText();
    assertThat(first.awaitTerminal(firstRun, T)).isEqualTo("completed");
    JsonNode cont = first.call("continue_run", object().put("run_id", firstRun)
        .set("input_message", userText("RUN_BASH create second.txt")));
    String secondRun = cont.path("run_id").asText();
    first.awaitEvent(secondRun, "run_started", T);
    assertThat(first.ofType(secondRun, "run_started").get(0).path("data").path("reused_process").asBoolean())
        .as("the session's kept-alive process serves the second run").isTrue();
    JsonNode attachment = Restarts.awaitAttachment(cwd, secondRun, T);
    assertThat(attachment.path("agent").path("dir").asText()).as("the process's files belong to the first run")
        .contains(firstRun);
    assertThat(attachment.path("start_offset").asLong()).isPositive();

    killAnswerAndCheck(first, secondRun, cwd.resolve("second.txt"));
    assertThat(mcp.getRun(firstRun).path("status").asText()).isEqualTo("completed");
    assertThat(mcp.ofType(secondRun, "agent_message").stream().map(e -> e.path("data").path("text").asText()))
        .as("the second run's own turn, nothing of the first run's").containsExactly(MockMessagesApi.WILL_RUN_TEXT,
            MockMessagesApi.DONE_TEXT);
  }
}
