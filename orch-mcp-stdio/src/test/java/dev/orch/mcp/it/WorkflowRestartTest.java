package dev.orch.mcp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A workflow step waiting for its dependency survives a kill -9 of its server (SPEC §12.5: the waiting state is on
 * disk): the next server process queues both again, runs the dependency, then the dependent with the dependency's
 * final response in its prompt. The first server runs with {@code ORCH_MAX_RUNNING=1} and a blocking run, so that at
 * the kill the dependency waits for a slot and the dependent waits for the dependency. The agent is the scripted fake
 * codex CLI.
 */
@DisplayName("A waiting workflow step survives kill -9 of the server (SPEC §12.5, §12.6)")
class WorkflowRestartTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  static JsonNode structured(JsonNode response) {
    assertThat(response.path("result").path("isError").asBoolean(false)).as("tool error: %s", response).isFalse();
    return response.path("result").path("structuredContent");
  }

  @Test
  @DisplayName("kill -9 while a step waits: the next server re-attaches the running blocker, then starts the waiting "
      + "steps once their dependencies completed, prompt filled")
  void waitingStepSurvivesKill() throws Exception {
    Path cwd = ServerProcesses.mkdirs(tmp.resolve("work")).toRealPath();
    Map<String, String> fake = new HashMap<>();
    FakeCodex.use(tmp.resolve("bin"), fake);
    Map<String, String> firstEnv = new HashMap<>(fake);
    firstEnv.put("ORCH_MAX_RUNNING", "1");
    RawServer first = new RawServer(tmp, firstEnv);
    first.initialize();
    Duration t = Duration.ofSeconds(30);
    String common = "\"backend\": \"codex\", \"role\": \"worker\", \"cwd\": " + JSON.writeValueAsString(cwd.toString());
    Path gate = tmp.resolve("blocker-gate");
    JsonNode blocker = structured(first.call("spawn_run", "{" + common + ", \"session_mode\": \"new\", \"prompt\": "
        + JSON.writeValueAsString("WAIT_FOR: " + gate) + "}", t));
    String blockerId = blocker.path("run_id").asText();
    awaitSummary(first, blockerId, s -> s.path("status").asText().equals("running"));

    ObjectNode wf = JSON.createObjectNode().put("cwd", cwd.toString());
    wf.putObject("defaults").put("backend", "codex").put("role", "worker");
    ArrayNode steps = wf.putObject("workflow").putArray("steps");
    steps.addObject().put("id", "a").put("prompt", "ANSWER: result of step a");
    steps.addObject().put("id", "b").put("prompt", "ECHO_PROMPT\nGot: {{steps.a.final_response}}")
        .putArray("depends_on").add("a");
    JsonNode started = structured(first.call("run_workflow", wf.toString(), t));
    String a = started.path("runs").get(0).path("run_id").asText();
    String b = started.path("runs").get(1).path("run_id").asText();
    awaitSummary(first, a, s -> s.path("summary").asText().equals("Queued (position 1)"));
    awaitSummary(first, b, s -> s.path("summary").asText().equals("Waiting for 1 run(s)"));

    List<ProcessHandle> firstTree = first.tree();
    assertThat(firstTree).as("server and the blocking agent").hasSizeGreaterThanOrEqualTo(2);
    first.process.destroyForcibly();
    assertThat(first.process.waitFor(10, TimeUnit.SECONDS)).isTrue();

    Map<String, String> env = ServerProcesses.isolatedEnv(tmp);
    env.putAll(fake);
    try (McpRuns second = McpRuns.start(env)) {
      // the blocker's agent outlived the killed server (SPEC §12.8) and was re-attached: let it finish
      FakeCodex.open(gate);
      ObjectNode wait = McpRuns.object().put("wait_ms", 30000);
      wait.putArray("run_ids").add(a).add(b).add(blockerId);
      JsonNode done = second.call("wait_runs", wait);
      assertThat(done.path("done").asBoolean()).isTrue();
      JsonNode runs = done.path("runs");
      assertThat(runs.get(0).path("status").asText()).isEqualTo("completed");
      assertThat(runs.get(1).path("status").asText()).isEqualTo("completed");
      assertThat(runs.get(1).path("result").path("final_response").asText()).endsWith("Got: result of step a");
      assertThat(runs.get(2).path("status").asText()).as("the re-attached blocker").isEqualTo("completed");
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (firstTree.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(firstTree).as("processes of the killed server and its finished agent").noneMatch(ProcessHandle::isAlive);
    }
  }

  private static JsonNode awaitSummary(RawServer server, String runId, java.util.function.Predicate<JsonNode> p)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      // wait_runs with wait_ms 0 is get_run plus result and error
      JsonNode s = structured(server.call("wait_runs", "{\"run_ids\": [\"" + runId + "\"], \"wait_ms\": 0}",
          Duration.ofSeconds(30))).path("runs").get(0);
      if (p.test(s)) {
        return s;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("run " + runId + " never reached the expected state; last: " + s + "\n"
            + server.stderr());
      }
      Thread.sleep(50);
    }
  }
}
