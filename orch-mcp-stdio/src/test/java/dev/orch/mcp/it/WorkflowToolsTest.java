package dev.orch.mcp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fan-out, join and workflows through the real server process over stdio (MCP Java SDK client), with the codex
 * backend driving the scripted fake CLI ({@link FakeCodex}) so that each run ends exactly when the test opens its gate.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("spawn_runs, wait_runs, run_workflow and cancel by workflow through the server (SPEC §12.5, §12.6)")
class WorkflowToolsTest {
  @TempDir
  static Path tmp;

  private McpRuns orch;
  private Path cwd;
  private Path gates;

  @BeforeAll
  void start() throws Exception {
    Map<String, String> env = ServerProcesses.isolatedEnv(tmp);
    FakeCodex.use(tmp.resolve("bin"), env);
    cwd = ServerProcesses.mkdirs(tmp.resolve("work")).toRealPath();
    gates = ServerProcesses.mkdirs(tmp.resolve("gates"));
    orch = McpRuns.start(env);
  }

  @AfterAll
  void stop() {
    orch.close();
  }

  ObjectNode spawnArgs(String prompt) {
    return McpRuns.object().put("backend", "codex").put("role", "worker").put("cwd", cwd.toString())
        .put("session_mode", "new").put("prompt", prompt);
  }

  ObjectNode waitArgs(String mode, long waitMs, String... runIds) {
    ObjectNode a = McpRuns.object().put("mode", mode).put("wait_ms", waitMs);
    ArrayNode ids = a.putArray("run_ids");
    for (String id : runIds) {
      ids.add(id);
    }
    return a;
  }

  /**
   * @return the run's summary as wait_runs shows it (the get_run summary plus result and error); wait_runs rather than
   *     get_run because its output schema also admits the summary keys other Orch additions bring (usage)
   */
  JsonNode summary(String runId) {
    return orch.call("wait_runs", waitArgs("all", 0, runId)).path("runs").get(0);
  }

  static List<String> statuses(JsonNode waited) {
    List<String> out = new ArrayList<>();
    waited.path("runs").forEach(r -> out.add(r.path("status").asText()));
    return out;
  }

  @Test
  @DisplayName("spawn_runs starts each good item and answers a bad one with its own error; wait_runs all returns each "
      + "summary with its result")
  void spawnRunsAndWaitAll() {
    ObjectNode args = McpRuns.object();
    ArrayNode runs = args.putArray("runs");
    runs.add(spawnArgs("ANSWER: first"));
    runs.add(McpRuns.object().put("backend", "codex").put("cwd", cwd.toString()).put("session_mode", "new"));
    runs.add(spawnArgs("ANSWER: third").put("nickname", "third-agent"));
    runs.add(spawnArgs("x").put("cwd", "relative/dir"));
    JsonNode out = orch.call("spawn_runs", args);
    JsonNode items = out.path("runs");
    assertThat(items).hasSize(4);
    assertThat(items.get(0).path("status").asText()).isEqualTo("queued");
    assertThat(items.get(0).path("index").asInt()).isZero();
    assertThat(items.get(1).toString()).isEqualTo("{\"index\":1,\"error\":\"Invalid arguments: role: is required; "
        + "prompt: Either prompt or input_message is required\"}");
    assertThat(items.get(2).path("agent_name").asText()).isEqualTo("third-agent");
    assertThat(items.get(3).path("error").asText()).isEqualTo("cwd must be an absolute path: relative/dir");

    JsonNode waited = orch.call("wait_runs", waitArgs("all", 20000, items.get(0).path("run_id").asText(),
        items.get(2).path("run_id").asText()));
    assertThat(waited.path("done").asBoolean()).isTrue();
    assertThat(statuses(waited)).containsExactly("completed", "completed");
    JsonNode first = waited.path("runs").get(0);
    assertThat(first.path("result").path("final_response").asText()).isEqualTo("first");
    assertThat(first.path("error").isNull()).isTrue();
    assertThat(first.path("agent_name").asText()).isNotBlank();
    assertThat(first.path("last_seq").asLong()).isPositive();
    assertThat(waited.path("runs").get(1).path("result").path("final_response").asText()).isEqualTo("third");
  }

  @Test
  @DisplayName("wait_runs returns as soon as its mode's condition holds: any at the first end, first_failure at the "
      + "first failure while a run still works, all at the last end")
  void waitModes() throws Exception {
    Path g1 = gates.resolve("g1");
    Path g2 = gates.resolve("g2");
    Path g3 = gates.resolve("g3");
    String r1 = orch.spawn(spawnArgs("WAIT_FOR: " + g1 + "\nANSWER: one")).path("run_id").asText();
    String r2 = orch.spawn(spawnArgs("WAIT_FOR: " + g2 + "\nFAIL: broke on purpose")).path("run_id").asText();
    String r3 = orch.spawn(spawnArgs("WAIT_FOR: " + g3 + "\nANSWER: three")).path("run_id").asText();

    JsonNode none = orch.call("wait_runs", waitArgs("any", 300, r1, r2, r3));
    assertThat(none.path("done").asBoolean()).isFalse();
    assertThat(statuses(none)).allSatisfy(s -> assertThat(s).isIn("queued", "running"));

    JsonNode any = waitWhile(() -> FakeCodex.open(g1), waitArgs("any", 30000, r1, r2, r3), r1);
    assertThat(statuses(any).get(0)).isEqualTo("completed");
    assertThat(statuses(any).subList(1, 3)).allSatisfy(s -> assertThat(s).isIn("queued", "running"));
    assertThat(any.path("runs").get(0).path("result").path("final_response").asText()).isEqualTo("one");

    JsonNode failure = waitWhile(() -> FakeCodex.open(g2), waitArgs("first_failure", 30000, r1, r2, r3), r2);
    assertThat(statuses(failure)).containsExactly("completed", "failed", "running");
    assertThat(failure.path("runs").get(1).path("error").asText()).contains("broke on purpose");
    assertThat(failure.path("runs").get(1).path("result").isNull()).isTrue();

    JsonNode all = waitWhile(() -> FakeCodex.open(g3), waitArgs("all", 30000, r1, r2, r3), r3);
    assertThat(statuses(all)).containsExactly("completed", "failed", "completed");
  }

  /**
   * Starts wait_runs, then makes the deciding run end; asserts the wait comes back done well before its wait_ms, and
   * prints how long after the deciding run's end it did (the wake-up latency figure).
   */
  private JsonNode waitWhile(Runnable trigger, ObjectNode args, String decidingRun) throws Exception {
    long started = System.nanoTime();
    CompletableFuture<JsonNode> w = CompletableFuture.supplyAsync(() -> orch.call("wait_runs", args));
    Thread.sleep(200);
    assertThat(w).as("wait_runs waits while its condition does not hold").isNotDone();
    trigger.run();
    JsonNode out = w.get(40, TimeUnit.SECONDS);
    Instant answered = Instant.now();
    long ms = (System.nanoTime() - started) / 1_000_000;
    assertThat(out.path("done").asBoolean()).isTrue();
    assertThat(ms).as("ms until wait_runs answered (wait_ms 30000)").isLessThan(25_000);
    JsonNode run = summary(decidingRun);
    long wake = Duration.between(Instant.parse(run.path("updated_at").asText()), answered).toMillis();
    System.err.println("[figure] wait_runs " + args.path("mode").asText() + " answered " + wake
        + " ms after the deciding run's end was recorded (includes the MCP round trip)");
    return out;
  }

  @Test
  @DisplayName("run_workflow: steps run in dependency order with inputs and the dependency's final response filled in; "
      + "runs carry workflow_id and step; cancel_run scope workflow cancels what is left in one call")
  void inlineWorkflowAndCancel() throws Exception {
    Path gate = gates.resolve("never-opened");
    ObjectNode args = McpRuns.object().put("cwd", cwd.toString());
    args.putObject("inputs").put("topic", "caching");
    args.putObject("defaults").put("backend", "codex").put("role", "worker");
    ArrayNode steps = args.putObject("workflow").putArray("steps");
    steps.addObject().put("id", "research").put("prompt", "ANSWER: notes about {{inputs.topic}}");
    ObjectNode write = steps.addObject().put("id", "write").put("role", "planner")
        .put("prompt", "ECHO_PROMPT\nUse: {{steps.research.final_response}}");
    write.putArray("depends_on").add("research");
    ObjectNode hold = steps.addObject().put("id", "hold").put("prompt", "WAIT_FOR: " + gate);
    hold.putArray("depends_on").add("write");
    ObjectNode tail = steps.addObject().put("id", "tail").put("prompt", "ANSWER: never");
    tail.putArray("depends_on").add("hold");

    JsonNode wf = orch.call("run_workflow", args);
    String workflowId = wf.path("workflow_id").asText();
    assertThat(workflowId).startsWith("wf_");
    assertThat(wf.path("runs")).extracting(r -> r.path("step").asText())
        .containsExactly("research", "write", "hold", "tail");
    String research = wf.path("runs").get(0).path("run_id").asText();
    String writeRun = wf.path("runs").get(1).path("run_id").asText();
    String holdRun = wf.path("runs").get(2).path("run_id").asText();
    String tailRun = wf.path("runs").get(3).path("run_id").asText();

    JsonNode done = orch.call("wait_runs", waitArgs("all", 20000, research, writeRun));
    assertThat(done.path("done").asBoolean()).isTrue();
    assertThat(done.path("runs").get(1).path("result").path("final_response").asText())
        .endsWith("Use: notes about caching");
    assertThat(done.path("runs").get(1).path("role").asText()).isEqualTo("planner");
    JsonNode tailSummary = summary(tailRun);
    assertThat(tailSummary.path("metadata").path("workflow_id").asText()).isEqualTo(workflowId);
    assertThat(tailSummary.path("metadata").path("step").asText()).isEqualTo("tail");
    assertThat(tailSummary.path("summary").asText()).isEqualTo("Waiting for 1 run(s)");
    orch.awaitStatus(holdRun, java.util.Set.of("running"), Duration.ofSeconds(20));

    JsonNode cancelled = orch.call("cancel_run", McpRuns.object().put("run_id", research).put("scope", "workflow"));
    assertThat(cancelled.path("run_id").asText()).isEqualTo(research);
    assertThat(cancelled.path("status").asText()).isEqualTo("completed");
    assertThat(cancelled.path("cancelled_at").asText()).isNotBlank();
    assertThat(cancelled.path("workflow_id").asText()).isEqualTo(workflowId);
    assertThat(cancelled.path("runs")).extracting(r -> r.path("step").asText()).containsExactly("tail", "hold");
    assertThat(cancelled.path("runs")).allSatisfy(r -> assertThat(r.path("status").asText()).isEqualTo("cancelled"));
    assertThat(cancelled.has("errors")).isFalse();
    assertThat(orch.callError("cancel_run", McpRuns.object().put("run_id", holdRun).put("scope", "workflow")))
        .isEqualTo("Error: workflow " + workflowId + " has nothing to cancel: all its runs are already terminal");
    assertThat(orch.callError("cancel_run", McpRuns.object().put("run_id", holdRun)))
        .isEqualTo("Error: run is already terminal: cancelled");
  }

  @Test
  @DisplayName("a built-in role profile reaches the agent as its system instructions")
  void builtinProfile() {
    String run = orch.spawn(spawnArgs("ECHO_PROMPT").put("profile", "builtin:reviewer")).path("run_id").asText();
    JsonNode done = orch.call("wait_runs", waitArgs("all", 20000, run));
    assertThat(done.path("runs").get(0).path("result").path("final_response").asText())
        .startsWith("System instructions for this run:\n<SYSTEM_PROMPT>\nProfile source: builtin:reviewer\n\n"
            + "# Role: reviewer");
  }

  @Test
  @DisplayName("list_workflow_templates lists the four built-ins and the cwd's own templates")
  void templates() throws Exception {
    Path dir = ServerProcesses.mkdirs(cwd.resolve(".nanobot-orchestrator/workflows"));
    Files.writeString(dir.resolve("release.json"), "{\"description\": \"Cut a release\", \"steps\": [{\"id\": "
        + "\"notes\", \"role\": \"worker\", \"profile\": \"builtin:documenter\", \"prompt\": \"Write notes for "
        + "{{inputs.version}}\"}]}");
    JsonNode all = orch.call("list_workflow_templates", McpRuns.object().put("cwd", cwd.toString()));
    assertThat(all.path("templates")).extracting(t -> t.path("name").asText())
        .containsExactly("code_review", "feature_development", "bug_fix", "refactoring", "release");
    JsonNode review = all.path("templates").get(0);
    assertThat(review.path("source").asText()).isEqualTo("builtin");
    assertThat(review.path("inputs").get(0).path("name").asText()).isEqualTo("change");
    assertThat(review.path("inputs").get(0).path("required").asBoolean()).isTrue();
    assertThat(review.path("steps")).extracting(s -> s.path("id").asText()).containsExactly("review", "tests",
        "summary");
    assertThat(review.path("steps").get(2).path("depends_on")).hasSize(2);
    assertThat(all.path("templates").get(4).path("source").asText()).isEqualTo(dir.resolve("release.json").toString());
    assertThat(orch.call("list_workflow_templates", McpRuns.object()).path("templates")).hasSize(4);
  }
}
