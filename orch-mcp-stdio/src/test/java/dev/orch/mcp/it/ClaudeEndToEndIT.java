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
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole stack on the REAL Claude Code binary: the MCP SDK client talks over stdio to a real server process
 * ({@code target/orch-mcp.jar}), whose {@code claude_code} backend runs the pinned {@code claude} CLI against the
 * scripted {@link MockMessagesApi} (SSE with event names). Each test has its own server, cwd, CLAUDE_CONFIG_DIR and
 * NANOBOT_ORCHESTRATOR_HOME, and ends with no server or claude process left.
 */
@DisplayName("claude_code end to end: MCP client → server over stdio → real claude CLI → mock Messages API")
class ClaudeEndToEndIT {
  private static final Duration T = Duration.ofSeconds(30);

  @TempDir
  Path tmp;
  private Path cwd;
  private ClaudeTestSetup claude;
  private McpRuns mcp;

  @BeforeEach
  void start() throws Exception {
    cwd = Files.createDirectories(tmp.resolve("work")).toRealPath();
    claude = ClaudeTestSetup.start(tmp);
    Map<String, String> env = ServerProcesses.isolatedEnv(tmp);
    env.putAll(claude.serverEnvironment());
    mcp = McpRuns.start(env);
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (mcp != null) {
        mcp.close();
      }
      claude.awaitNoClaudeProcesses(Duration.ofSeconds(10));
    } finally {
      claude.close();
    }
  }

  private ObjectNode spawnArgs(String prompt) {
    return object().put("backend", "claude_code").put("role", "worker").put("cwd", cwd.toString())
        .put("session_mode", "new").put("prompt", prompt);
  }

  private String spawn(ObjectNode args) {
    return mcp.spawn(args).path("run_id").asText();
  }

  private static String data(JsonNode event, String field) {
    return event.path("data").path(field).asText();
  }

  @Test
  @DisplayName("a plain prompt completes with the model's answer, stored in run.json / result.json / events.jsonl")
  void plainAnswer() throws Exception {
    JsonNode spawned = mcp.spawn(spawnArgs("say hello"));
    String runId = spawned.path("run_id").asText();
    assertThat(spawned.path("backend").asText()).isEqualTo("claude_code");
    assertThat(mcp.awaitTerminal(runId, T)).isEqualTo("completed");
    assertThat(mcp.types(runId)).startsWith("run_started", "status_changed").contains("agent_message")
        .endsWith("run_completed");
    assertThat(mcp.terminalCount(runId)).isOne();
    JsonNode done = mcp.ofType(runId, "run_completed").get(0);
    assertThat(data(done, "final_response")).isEqualTo(MockMessagesApi.HELLO_TEXT);
    assertThat(done.path("data").path("usage").path("num_turns").asInt()).isOne();
    assertThat(data(mcp.ofType(runId, "agent_message").get(0), "text")).isEqualTo(MockMessagesApi.HELLO_TEXT);

    JsonNode run = mcp.getRun(runId);
    assertThat(run.path("status").asText()).isEqualTo("completed");
    assertThat(run.path("session_id").asText()).isEqualTo(spawned.path("session_id").asText());
    assertThat(run.path("remote_ref").path("conversation_id").asText())
        .as("a new session passes the Orch session id to --session-id").isEqualTo(run.path("session_id").asText());
    assertThat(run.path("last_seq").asLong()).isEqualTo(mcp.events(runId).size());
    JsonNode usage = run.path("usage");
    assertThat(usage.path("cost_source").asText()).as("Claude Code reports its cost (SPEC §12.4)")
        .isEqualTo("reported");
    assertThat(usage.path("cost_usd").asDouble()).isPositive()
        .isCloseTo(done.path("data").path("usage").path("total_cost_usd").asDouble(),
            org.assertj.core.data.Offset.offset(1e-9));
    assertThat(usage.path("model").asText()).isNotBlank();
    assertThat(usage.path("output_tokens").asLong()).isEqualTo(done.at("/data/usage/usage/output_tokens").asLong());
    assertThat(usage.path("total_tokens").asLong()).isPositive();
    Path stored = cwd.resolve(".nanobot-orchestrator/runs").resolve(runId);
    assertThat(Files.readAllLines(stored.resolve("events.jsonl"))).hasSize(mcp.events(runId).size());
    assertThat(McpRuns.JSON.readTree(stored.resolve("result.json").toFile()).path("finalResponse").asText())
        .isEqualTo(MockMessagesApi.HELLO_TEXT);
    assertThat(claude.api().requests()).isNotEmpty();
  }

  @Test
  @DisplayName("a Bash tool call really creates the file and shows as command_started / command_finished")
  void bashCreatesFile() {
    String runId = spawn(spawnArgs("RUN_BASH create out.txt"));
    assertThat(mcp.awaitTerminal(runId, T)).isEqualTo("completed");
    assertThat(cwd.resolve("out.txt")).hasContent("hi");
    JsonNode started = mcp.ofType(runId, "command_started").get(0);
    assertThat(data(started, "command")).isEqualTo("echo hi > out.txt");
    JsonNode finished = mcp.ofType(runId, "command_finished").get(0);
    assertThat(finished.path("data").path("exit_code").asInt()).isZero();
    assertThat(data(finished, "tool_use_id")).isEqualTo(data(started, "tool_use_id"));
    assertThat(data(mcp.ofType(runId, "run_completed").get(0), "final_response")).isEqualTo(MockMessagesApi.DONE_TEXT);
  }

  @Test
  @DisplayName("an output_schema makes the model call StructuredOutput and the run reports structured_output")
  void jsonSchema() throws Exception {
    ObjectNode args = spawnArgs("give the answer");
    args.set("output_schema", McpRuns.JSON.readTree("{\"type\":\"object\",\"properties\":{\"answer\":"
        + "{\"type\":\"string\"},\"ok\":{\"type\":\"boolean\"}},\"required\":[\"answer\",\"ok\"]}"));
    String runId = spawn(args);
    assertThat(mcp.awaitTerminal(runId, T)).isEqualTo("completed");
    JsonNode done = mcp.ofType(runId, "run_completed").get(0);
    assertThat(done.path("data").path("structured_output").toString()).isEqualTo("{\"answer\":\"42\",\"ok\":true}");
    Path result = cwd.resolve(".nanobot-orchestrator/runs").resolve(runId).resolve("result.json");
    assertThat(McpRuns.JSON.readTree(result.toFile()).path("structuredOutput").toString())
        .isEqualTo("{\"answer\":\"42\",\"ok\":true}");
  }

  @Test
  @DisplayName("continue_run after completion and spawn_run session_mode resume continue the same Claude session")
  void resumeSameSession() {
    JsonNode first = mcp.spawn(spawnArgs("remember the word PAPAYA"));
    String firstRun = first.path("run_id").asText();
    String sessionId = first.path("session_id").asText();
    assertThat(mcp.awaitTerminal(firstRun, T)).isEqualTo("completed");
    String conversation = mcp.getRun(firstRun).path("remote_ref").path("conversation_id").asText();
    assertThat(conversation).isNotBlank();

    JsonNode cont = mcp.call("continue_run", object().put("run_id", firstRun).set("input_message", userText("RECALL")));
    assertThat(cont.path("mode").asText()).isEqualTo("resume");
    assertThat(cont.path("resumed_from_run_id").asText()).isEqualTo(firstRun);
    assertThat(cont.path("session_id").asText()).isEqualTo(sessionId);
    String secondRun = cont.path("run_id").asText();
    assertThat(secondRun).isNotEqualTo(firstRun);
    assertThat(mcp.awaitTerminal(secondRun, T)).isEqualTo("completed");
    assertThat(data(mcp.ofType(secondRun, "run_completed").get(0), "final_response"))
        .isEqualTo("I remember: remember the word PAPAYA");
    assertThat(mcp.ofType(secondRun, "run_started").get(0).path("data").path("reused_process").asBoolean())
        .as("the kept-alive process of the session serves the resume").isTrue();
    double firstTotal = mcp.ofType(firstRun, "run_completed").get(0).at("/data/usage/total_cost_usd").asDouble();
    double secondTotal = mcp.ofType(secondRun, "run_completed").get(0).at("/data/usage/total_cost_usd").asDouble();
    assertThat(secondTotal).as("Claude Code reports the process's running total").isGreaterThan(firstTotal);
    assertThat(mcp.getRun(secondRun).at("/usage/cost_usd").asDouble()).as("the resumed run's own share")
        .isCloseTo(secondTotal - firstTotal, org.assertj.core.data.Offset.offset(1e-9));

    String thirdRun = spawn(object().put("backend", "claude_code").put("role", "worker").put("cwd", cwd.toString())
        .put("session_mode", "resume").put("session_id", sessionId).put("prompt", "RECALL again"));
    assertThat(mcp.awaitTerminal(thirdRun, T)).isEqualTo("completed");
    assertThat(data(mcp.ofType(thirdRun, "run_completed").get(0), "final_response"))
        .isEqualTo("I remember: remember the word PAPAYA");
    for (String run : new String[] {secondRun, thirdRun}) {
      assertThat(mcp.getRun(run).path("remote_ref").path("conversation_id").asText()).as("Claude session of %s", run)
          .isEqualTo(conversation);
      assertThat(data(mcp.ofType(run, "status_changed").get(0), "backend_session_id")).isEqualTo(conversation);
    }
    assertThat(mcp.getRun(secondRun).path("metadata").path("resume_reason").asText())
        .isEqualTo("continue_run_after_terminal");
  }

  @Test
  @DisplayName("a permission prompt waits as input_required; continue_run allow lets the command create the file")
  void permissionAllow() {
    ObjectNode args = spawnArgs("RUN_BASH create allowed.txt");
    args.putObject("backend_config").put("permission_mode", "default");
    String runId = spawn(args);
    assertThat(mcp.awaitStatus(runId, Set.of("input_required"), T)).isEqualTo("input_required");
    JsonNode asked = mcp.awaitEvent(runId, "input_required", T);
    assertThat(data(asked, "tool")).isEqualTo("Bash");
    assertThat(asked.path("data").path("input").path("command").asText()).isEqualTo("echo hi > allowed.txt");
    assertThat(data(asked, "tool_use_id")).startsWith("toolu_");
    assertThat(mcp.getRun(runId).path("status").asText()).isEqualTo("input_required");
    assertThat(cwd.resolve("allowed.txt")).doesNotExist();

    JsonNode cont = mcp.call("continue_run", object().put("run_id", runId).set("input_message", userText("allow")));
    assertThat(cont.path("mode").asText()).isEqualTo("live");
    assertThat(cont.path("run_id").asText()).isEqualTo(runId);
    assertThat(mcp.awaitTerminal(runId, T)).isEqualTo("completed");
    assertThat(cwd.resolve("allowed.txt")).hasContent("hi");
    assertThat(mcp.events(runId)).anySatisfy(e -> {
      assertThat(e.path("type").asText()).isEqualTo("status_changed");
      assertThat(data(e, "behavior")).isEqualTo("allow");
    });
    assertThat(mcp.terminalCount(runId)).isOne();
  }

  @Test
  @DisplayName("continue_run deny keeps the file from being created, the run completes, and a later answer is refused")
  void permissionDeny() {
    ObjectNode args = spawnArgs("RUN_BASH create denied.txt");
    args.putObject("backend_config").put("permission_mode", "default");
    String runId = spawn(args);
    mcp.awaitStatus(runId, Set.of("input_required"), T);
    JsonNode cont = mcp.call("continue_run", object().put("run_id", runId)
        .set("input_message", userText("deny: not in this repository")));
    assertThat(cont.path("mode").asText()).isEqualTo("live");
    assertThat(mcp.awaitTerminal(runId, T)).isEqualTo("completed");
    assertThat(cwd.resolve("denied.txt")).doesNotExist();
    JsonNode finished = mcp.ofType(runId, "command_finished").get(0);
    assertThat(finished.path("data").path("is_error").asBoolean()).isTrue();
    assertThat(data(finished, "output")).contains("not in this repository");
  }

  @Test
  @DisplayName("an unanswered permission prompt is denied after permission_timeout_ms and the run completes")
  void permissionTimeout() {
    ObjectNode args = spawnArgs("RUN_BASH create late.txt");
    args.putObject("backend_config").put("permission_mode", "default").put("permission_timeout_ms", 500);
    String runId = spawn(args);
    assertThat(mcp.awaitTerminal(runId, T)).isEqualTo("completed");
    assertThat(cwd.resolve("late.txt")).doesNotExist();
    assertThat(mcp.types(runId)).containsSubsequence("input_required", "message_added", "status_changed",
        "command_finished", "run_completed");
    JsonNode note = mcp.ofType(runId, "message_added").get(0);
    assertThat(data(note, "reason")).isEqualTo("permission_timeout");
    assertThat(data(note, "tool")).isEqualTo("Bash");
  }

  @Test
  @DisplayName("cancel_run mid-turn answers cancelled, records one terminal status_changed and kills the CLI")
  void cancelMidTurn() throws Exception {
    String runId = spawn(spawnArgs("SLOW please"));
    mcp.awaitEvent(runId, e -> e.path("type").asText().equals("status_changed")
        && data(e, "status").equals("running"), T);
    Thread.sleep(700);
    assertThat(claude.liveClaudeProcesses()).as("the CLI is working").isNotEmpty();
    long t0 = System.nanoTime();
    JsonNode cancelled = mcp.call("cancel_run", object().put("run_id", runId));
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(8));
    assertThat(cancelled.path("status").asText()).isEqualTo("cancelled");
    assertThat(mcp.awaitTerminal(runId, T)).isEqualTo("cancelled");
    assertThat(mcp.terminalCount(runId)).isOne();
    assertThat(mcp.getRun(runId).path("status").asText()).isEqualTo("cancelled");
    claude.awaitNoClaudeProcesses(Duration.ofSeconds(10));
    assertThat(mcp.callError("cancel_run", object().put("run_id", runId)))
        .contains("run is already terminal: cancelled");
  }

  @Test
  @DisplayName("cancel_run while a permission prompt waits denies it, ends the run cancelled and kills the CLI")
  void cancelWhilePromptWaits() {
    ObjectNode args = spawnArgs("RUN_BASH create never.txt");
    args.putObject("backend_config").put("permission_mode", "default");
    String runId = spawn(args);
    mcp.awaitStatus(runId, Set.of("input_required"), T);
    JsonNode cancelled = mcp.call("cancel_run", object().put("run_id", runId));
    assertThat(cancelled.path("status").asText()).isEqualTo("cancelled");
    assertThat(mcp.awaitTerminal(runId, T)).isEqualTo("cancelled");
    assertThat(mcp.terminalCount(runId)).isOne();
    claude.awaitNoClaudeProcesses(Duration.ofSeconds(10));
    assertThat(cwd.resolve("never.txt")).doesNotExist();
    assertThat(mcp.callError("continue_run", object().put("run_id", runId).set("input_message", userText("allow"))))
        .contains("run is already terminal: cancelled");
  }

  @Test
  @DisplayName("a model HTTP 500 fails the run with the API error text")
  void http500() {
    String runId = spawn(spawnArgs("FAIL500 now"));
    assertThat(mcp.awaitTerminal(runId, T)).isEqualTo("failed");
    assertThat(mcp.terminalCount(runId)).isOne();
    String message = data(mcp.ofType(runId, "run_failed").get(0), "message");
    assertThat(message).contains("API Error: 500").contains(MockMessagesApi.ERROR_MESSAGE);
    assertThat(mcp.getRun(runId).path("summary").asText()).contains(MockMessagesApi.ERROR_MESSAGE);
  }
}
