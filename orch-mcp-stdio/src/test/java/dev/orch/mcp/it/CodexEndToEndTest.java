package dev.orch.mcp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.backend.codex.testing.CodexTestSetup;
import dev.orch.backend.codex.testing.MockResponsesApi;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The foundation issue's end-to-end list: the real server process ({@code target/orch-mcp.jar}) driven by the MCP
 * Java SDK client over stdio, running the real codex binary against {@link MockResponsesApi}. Each test has its own
 * cwd, CODEX_HOME, NANOBOT_ORCHESTRATOR_HOME and mock; codex settings come either from the server's environment
 * ({@code ORCH_CODEX_*}) or from the run's {@code backend_config} ({@link CodexTestSetup#backendConfig}).
 */
@DisplayName("End to end: MCP client → server process → real codex CLI → mock model")
class CodexEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> TERMINAL = Set.of("completed", "failed", "cancelled", "rejected");
  private static final Set<String> SUMMARY_KEYS = Set.of("run_id", "backend", "role", "session_id", "agent_name",
      "status", "started_at", "updated_at", "summary", "last_seq", "cwd", "metadata", "remote_ref",
      "usage");

  @TempDir
  Path tmp;

  private MockResponsesApi model;
  private Path cwd;
  private Map<String, String> env;
  private McpSyncClient client;

  @BeforeEach
  void setUp() throws Exception {
    model = MockResponsesApi.start();
    cwd = ServerProcesses.mkdirs(tmp.resolve("work")).toRealPath();
    env = ServerProcesses.isolatedEnv(tmp);
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      stopServer();
    } finally {
      model.close();
    }
    assertThat(awaitNoCodexFor(cwd, Duration.ofSeconds(3))).as("codex processes working in %s", cwd).isEmpty();
  }

  @Test
  @DisplayName("a plain answer completes with final_response; events, get_run, list_runs and list_agents agree"
      + " (codex settings from the server's ORCH_CODEX_* environment)")
  void plainAnswer() throws Exception {
    ServerProcesses.useCodexWithMock(env, model.baseUrl());
    startServer();
    JsonNode spawned = call("spawn_run", args("backend", "codex", "role", "planner", "cwd", cwd.toString(),
        "session_mode", "new", "nickname", " scout ", "prompt", "Say hello", "metadata", Map.of("ticket", 7)));
    assertThat(spawned.path("status").asText()).isEqualTo("queued");
    assertThat(spawned.path("agent_name").asText()).isEqualTo("scout");
    String runId = spawned.path("run_id").asText();

    List<JsonNode> events = pollToEnd(runId);
    assertEventOrder(events);
    assertThat(types(events)).containsSubsequence("run_started", "status_changed", "agent_message", "run_completed");
    JsonNode done = last(events);
    assertThat(done.path("type").asText()).isEqualTo("run_completed");
    assertThat(done.at("/data/final_response").asText()).isEqualTo(MockResponsesApi.PLAIN_ANSWER);
    assertThat(done.at("/data/usage").isObject()).as("usage %s", done.path("data")).isTrue();
    String threadId = events.get(1).at("/data/thread_id").asText();
    assertThat(threadId).isNotBlank();

    JsonNode run = call("get_run", args("run_id", runId));
    assertThat(keys(run)).containsExactlyInAnyOrderElementsOf(SUMMARY_KEYS);
    assertThat(run.path("status").asText()).isEqualTo("completed");
    assertThat(run.path("backend").asText()).isEqualTo("codex");
    assertThat(run.path("role").asText()).isEqualTo("planner");
    assertThat(run.path("agent_name").asText()).isEqualTo("scout");
    assertThat(run.path("session_id").asText()).isEqualTo(spawned.path("session_id").asText());
    assertThat(run.path("cwd").asText()).isEqualTo(cwd.toString());
    assertThat(run.path("last_seq").asLong()).isEqualTo(events.size());
    assertThat(run.path("summary").asText()).isEqualTo("Run completed");
    assertThat(run.at("/metadata/ticket").asInt()).isEqualTo(7);
    assertThat(run.at("/remote_ref/provider").asText()).isEqualTo("codex");
    assertThat(run.at("/remote_ref/conversation_id").asText()).isEqualTo(threadId);
    assertThat(run.path("updated_at").asText()).isGreaterThanOrEqualTo(run.path("started_at").asText());

    JsonNode byName = call("get_run", args("agent_name", "scout", "cwd", cwd.toString()));
    assertThat(byName.path("run_id").asText()).isEqualTo(runId);
    JsonNode runs = call("list_runs", args("status", "completed", "backend", "codex"));
    assertThat(runs.path("runs")).singleElement().satisfies(r -> {
      assertThat(r.path("run_id").asText()).isEqualTo(runId);
      assertThat(keys(r)).containsExactlyInAnyOrderElementsOf(SUMMARY_KEYS);
    });
    assertThat(call("list_runs", args("status", "running")).path("runs")).isEmpty();
    JsonNode agents = call("list_agents", args("cwd", cwd.toString()));
    assertThat(agents.path("agents")).singleElement().satisfies(a -> {
      assertThat(a.path("agent_name").asText()).isEqualTo("scout");
      assertThat(a.path("role").asText()).isEqualTo("planner");
      assertThat(a.path("session_id").asText()).isEqualTo(spawned.path("session_id").asText());
      assertThat(a.path("last_run_id").asText()).isEqualTo(runId);
      assertThat(a.path("status").asText()).isEqualTo("completed");
    });

    long start = System.nanoTime();
    JsonNode idle = call("poll_events", args("run_id", runId, "after_seq", events.size(), "wait_ms", 20000));
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertThat(ms).as("ms for a long poll on a finished run").isLessThan(2000);
    assertThat(idle.path("events")).isEmpty();
    assertThat(idle.path("status").asText()).isEqualTo("completed");
    assertThat(idle.path("next_after_seq").asLong()).isEqualTo(events.size());
    assertThat(model.requests()).hasSize(1);
  }

  @Test
  @DisplayName("a shell call creates its file in cwd; its large output spills into artifacts and reads back whole"
      + " through get_event_artifact paging")
  void bigShellOutputThroughArtifacts() throws Exception {
    startServer();
    String runId = spawn("Please " + MockResponsesApi.BIG_SHELL, null);
    List<JsonNode> events = pollToEnd(runId);
    assertEventOrder(events);
    assertThat(last(events).path("type").asText()).isEqualTo("run_completed");
    assertThat(last(events).at("/data/final_response").asText()).isEqualTo(MockResponsesApi.SHELL_DONE);
    assertThat(Files.readString(cwd.resolve("big.txt"))).isEqualTo("made\n");

    JsonNode finished = events.stream().filter(e -> e.path("type").asText().equals("command_finished"))
        .findFirst().orElseThrow();
    JsonNode data = finished.path("data");
    assertThat(data.path("exit_code").asInt()).isZero();
    assertThat(data.path("command").asText()).contains("big.txt");
    StringBuilder full = new StringBuilder();
    for (int i = 1; i <= MockResponsesApi.BIG_LINES; i++) {
      full.append("line ").append(i).append(" xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n");
    }
    String suffix = "\n...[truncated, see artifact_refs]";
    String preview = data.path("output").asText();
    assertThat(preview).contains("line 1 x").endsWith(suffix);
    JsonNode ref = data.at("/artifact_refs/~1output");
    assertThat(ref.isObject()).as("artifact_refs %s", data.path("artifact_refs")).isTrue();
    assertThat(ref.path("field_path").asText()).isEqualTo("/output");
    long total = ref.path("total_bytes").asLong();
    assertThat(total).isGreaterThanOrEqualTo(full.length()).isGreaterThan(preview.length());
    assertThat(ref.path("truncated").asBoolean()).isTrue();
    assertThat(JSON.writeValueAsBytes(finished).length).as("serialized event bytes").isLessThanOrEqualTo(16384);

    long seq = finished.path("seq").asLong();
    StringBuilder read = new StringBuilder();
    long offset = 0;
    int pages = 0;
    boolean more = true;
    while (more) {
      JsonNode page = call("get_event_artifact", args("run_id", runId, "seq", seq, "field_path", "/output",
          "offset", offset, "limit", 20000));
      assertThat(page.path("offset").asLong()).isEqualTo(offset);
      assertThat(page.path("total_bytes").asLong()).isEqualTo(total);
      assertThat(page.path("returned_bytes").asLong()).isBetween(1L, 20000L);
      read.append(page.path("content").asText());
      offset += page.path("returned_bytes").asLong();
      more = page.path("has_more").asBoolean();
      assertThat(++pages).isLessThan(10);
    }
    assertThat(pages).isEqualTo((total + 19999) / 20000);
    String output = read.toString();
    assertThat(output.getBytes(StandardCharsets.UTF_8)).hasSize((int) total);
    assertThat(output).as("the preview is the start of the full output")
        .startsWith(preview.substring(0, preview.length() - suffix.length()));
    // codex runs the command in a login shell: the machine's profile may print a line to stderr first
    assertThat(output).endsWith(full.toString());
    assertThat(output.substring(0, output.length() - full.length())).as("shell start-up noise only")
        .doesNotContain("line ").hasSizeLessThan(1000);
    JsonNode beyond = call("get_event_artifact", args("run_id", runId, "seq", seq, "field_path", "/output",
        "offset", total));
    assertThat(beyond.path("content").asText()).isEmpty();
    assertThat(beyond.path("has_more").asBoolean()).isFalse();
  }

  @Test
  @DisplayName("an output_schema gives structured_output in run_completed and in result.json on disk")
  void outputSchema() throws Exception {
    startServer();
    Map<String, Object> schema = JSON.readValue("{\"type\":\"object\",\"properties\":{\"answer\":{\"type\":\"string\"},"
        + "\"ok\":{\"type\":\"boolean\"}},\"required\":[\"answer\",\"ok\"],\"additionalProperties\":false}",
        new TypeReference<Map<String, Object>>() {
        });
    String runId = spawn("Answer in JSON", schema);
    List<JsonNode> events = pollToEnd(runId);
    assertEventOrder(events);
    JsonNode done = last(events);
    assertThat(done.path("type").asText()).isEqualTo("run_completed");
    JsonNode expected = JSON.readTree(MockResponsesApi.SCHEMA_ANSWER);
    assertThat(done.at("/data/structured_output")).isEqualTo(expected);
    assertThat(model.requests()).singleElement()
        .satisfies(r -> assertThat(r.at("/text/format/type").asText()).isEqualTo("json_schema"));
    JsonNode result = JSON.readTree(cwd.resolve(".nanobot-orchestrator/runs").resolve(runId).resolve("result.json")
        .toFile());
    assertThat(result.path("structuredOutput")).isEqualTo(expected);
    assertThat(result.path("finalResponse").asText()).isEqualTo(MockResponsesApi.SCHEMA_ANSWER);
    assertThat(call("get_run", args("run_id", runId)).path("status").asText()).isEqualTo("completed");
  }

  @Test
  @DisplayName("continue_run after completion resumes the same codex thread in a new run of the same session")
  void continueAfterCompletion() throws Exception {
    model.script("FIRST_TURN", "first answer").script("SECOND_TURN", "second answer");
    startServer();
    String first = spawn("FIRST_TURN: remember the word pelican", null);
    List<JsonNode> firstEvents = pollToEnd(first);
    assertThat(last(firstEvents).at("/data/final_response").asText()).isEqualTo("first answer");
    JsonNode firstRun = call("get_run", args("run_id", first));

    JsonNode cont = call("continue_run", args("run_id", first, "input_message",
        Map.of("role", "user", "parts", List.of(Map.of("type", "text", "text", "SECOND_TURN: which word?")))));
    assertThat(cont.path("mode").asText()).isEqualTo("resume");
    assertThat(cont.path("resumed_from_run_id").asText()).isEqualTo(first);
    assertThat(cont.path("session_id").asText()).isEqualTo(firstRun.path("session_id").asText());
    assertThat(cont.path("agent_name").asText()).isEqualTo(firstRun.path("agent_name").asText());
    String second = cont.path("run_id").asText();
    assertThat(second).isNotEqualTo(first);

    List<JsonNode> events = pollToEnd(second);
    assertEventOrder(events);
    assertThat(last(events).at("/data/final_response").asText()).isEqualTo("second answer");
    assertThat(events.get(0).at("/data/thread_id").asText())
        .isEqualTo(firstRun.at("/remote_ref/conversation_id").asText());
    JsonNode secondRun = call("get_run", args("run_id", second));
    assertThat(secondRun.path("status").asText()).isEqualTo("completed");
    assertThat(secondRun.path("session_id").asText()).isEqualTo(firstRun.path("session_id").asText());
    assertThat(secondRun.at("/remote_ref/conversation_id").asText()).isNotBlank()
        .isEqualTo(firstRun.at("/remote_ref/conversation_id").asText());
    assertThat(secondRun.at("/metadata/resumed_from_run_id").asText()).isEqualTo(first);
    assertThat(secondRun.at("/metadata/resume_reason").asText()).isEqualTo("continue_run_after_terminal");

    assertThat(model.requests()).hasSize(2);
    JsonNode resumed = model.requests().get(1);
    assertThat(MockResponsesApi.latestUserText(resumed)).contains("SECOND_TURN");
    assertThat(MockResponsesApi.userTexts(resumed)).anyMatch(t -> t.contains("remember the word pelican"));
    assertThat(resumed.path("input").toString()).as("the earlier answer is in the resumed request")
        .contains("first answer");
    assertThat(call("list_agents", args("cwd", cwd.toString())).path("agents")).singleElement()
        .satisfies(a -> assertThat(a.path("last_run_id").asText()).isEqualTo(second));
  }

  @Test
  @DisplayName("a model HTTP 500 fails the run with one run_failed naming the reason")
  void modelError() throws Exception {
    startServer();
    String runId = spawn("Trigger " + MockResponsesApi.HTTP_500, null);
    List<JsonNode> events = pollToEnd(runId);
    assertEventOrder(events);
    JsonNode failed = last(events);
    assertThat(failed.path("type").asText()).isEqualTo("run_failed");
    String message = failed.at("/data/message").asText();
    assertThat(message).isNotBlank();
    JsonNode run = call("get_run", args("run_id", runId));
    assertThat(run.path("status").asText()).isEqualTo("failed");
    assertThat(run.path("summary").asText()).startsWith("Run failed: ").contains(message.strip().split("\\s+")[0]);
  }

  @Test
  @DisplayName("cancel_run mid-run answers cancelled, wakes a waiting long poll at once, and leaves no codex")
  void cancelMidRun() throws Exception {
    startServer();
    String runId = spawn("Take your time " + MockResponsesApi.SLOW, null);
    long lastSeq = awaitSlowStream(runId);
    assertThat(codexFor(cwd)).as("codex is running").isNotEmpty();

    CompletableFuture<JsonNode> poll = CompletableFuture.supplyAsync(
        () -> call("poll_events", args("run_id", runId, "after_seq", lastSeq, "wait_ms", 20000)));
    Thread.sleep(1000);
    assertThat(poll).as("the long poll waits while nothing happens").isNotDone();
    JsonNode cancelled = call("cancel_run", args("run_id", runId));
    long cancelledAt = System.nanoTime();
    assertThat(cancelled.path("status").asText()).isEqualTo("cancelled");
    assertThat(cancelled.path("cancelled_at").asText()).isNotBlank();
    JsonNode woken = poll.get(20, TimeUnit.SECONDS);
    long ms = (System.nanoTime() - cancelledAt) / 1_000_000;
    assertThat(ms).as("ms from the cancel answer to the long poll's answer").isLessThan(3000);
    assertThat(woken.path("events")).isNotEmpty();

    List<JsonNode> events = pollToEnd(runId);
    assertEventOrder(events);
    JsonNode end = last(events);
    assertThat(end.path("type").asText()).isEqualTo("status_changed");
    assertThat(end.at("/data/status").asText()).isEqualTo("cancelled");
    assertThat(call("get_run", args("run_id", runId)).path("status").asText()).isEqualTo("cancelled");
    assertThat(awaitNoCodexFor(cwd, Duration.ofSeconds(5))).as("codex after cancel").isEmpty();
  }

  @Test
  @DisplayName("after a SIGKILL of the server mid-run, a new server re-attaches the still-running codex (same"
      + " process), and cancel_run on the re-attached run stops it")
  void serverKilledMidRun() throws Exception {
    ServerProcesses.useCodexWithMock(env, model.baseUrl());
    startServer();
    String runId = call("spawn_run", args("backend", "codex", "role", "worker", "cwd", cwd.toString(),
        "session_mode", "new", "prompt", "Take your time " + MockResponsesApi.SLOW)).path("run_id").asText();
    long seen = awaitSlowStream(runId);
    List<ProcessHandle> codex = codexFor(cwd);
    assertThat(codex).as("codex is running").isNotEmpty();
    ProcessHandle server = ServerProcesses.process(client);
    server.destroyForcibly();
    ServerProcesses.awaitExit(server, Duration.ofSeconds(10));
    client.close();
    client = null;
    assertThat(codex).as("codex outlives the killed server").allMatch(ProcessHandle::isAlive);

    startServer();
    JsonNode run = call("get_run", args("run_id", runId));
    assertThat(run.path("status").asText()).as("re-attached").isEqualTo("running");
    assertThat(run.path("last_seq").asLong()).isEqualTo(seen);
    assertThat(codexFor(cwd)).as("the same codex goes on").containsExactlyInAnyOrderElementsOf(codex);
    JsonNode cancelled = call("cancel_run", args("run_id", runId));
    assertThat(cancelled.path("status").asText()).isEqualTo("cancelled");
    List<JsonNode> events = pollToEnd(runId);
    assertEventOrder(events);
    assertThat(last(events).at("/data/status").asText()).isEqualTo("cancelled");
    assertThat(awaitNoCodexFor(cwd, Duration.ofSeconds(5))).as("codex after cancel_run").isEmpty();
    assertThat(call("list_runs", args("status", "running")).path("runs")).isEmpty();
  }

  // ---- helpers ----------------------------------------------------------------------------------------------

  private void startServer() {
    client = ServerProcesses.client(env);
  }

  private void stopServer() throws InterruptedException {
    if (client == null) {
      return;
    }
    List<ProcessHandle> tree = ServerProcesses.tree(ServerProcesses.process(client));
    client.closeGracefully();
    client = null;
    ServerProcesses.assertNoneLeft(tree);
  }

  /** Spawns a new-session worker run with codex settings in backend_config; @return its run_id */
  private String spawn(String prompt, Map<String, Object> outputSchema) {
    ObjectNode config = CodexTestSetup.backendConfig(model, Path.of(env.get("CODEX_HOME")));
    Map<String, Object> a = args("backend", "codex", "role", "worker", "cwd", cwd.toString(), "session_mode", "new",
        "prompt", prompt, "backend_config", JSON.convertValue(config, new TypeReference<Map<String, Object>>() {
        }));
    if (outputSchema != null) {
      a.put("output_schema", outputSchema);
    }
    JsonNode spawned = call("spawn_run", a);
    assertThat(spawned.path("status").asText()).isEqualTo("queued");
    return spawned.path("run_id").asText();
  }

  /** Calls a tool, asserts that it succeeded and that its text equals its structuredContent. */
  private JsonNode call(String tool, Map<String, Object> arguments) {
    McpSchema.CallToolResult r = client.callTool(McpSchema.CallToolRequest.builder(tool).arguments(arguments)
        .build());
    String text = ((McpSchema.TextContent) r.content().get(0)).text();
    assertThat(Boolean.TRUE.equals(r.isError())).as("%s failed: %s", tool, text).isFalse();
    JsonNode structured = JSON.valueToTree(r.structuredContent());
    try {
      assertThat(JSON.readTree(text)).isEqualTo(structured);
    } catch (java.io.IOException e) {
      throw new AssertionError("text of " + tool + " is not JSON: " + text, e);
    }
    return structured;
  }

  /** Polls until the status is terminal and a page is empty (SPEC §2 poll_events client rule); @return all events */
  private List<JsonNode> pollToEnd(String runId) {
    List<JsonNode> events = new ArrayList<>();
    long after = 0;
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode page = call("poll_events", args("run_id", runId, "after_seq", after, "wait_ms", 5000, "limit", 1000));
      page.path("events").forEach(events::add);
      after = page.path("next_after_seq").asLong();
      if (TERMINAL.contains(page.path("status").asText()) && page.path("events").isEmpty()) {
        return events;
      }
    }
    throw new AssertionError("run " + runId + " did not end within 60 s; events: " + events);
  }

  /** Waits until codex holds a slow model stream open and the run is running; @return the last seq so far */
  private long awaitSlowStream(String runId) throws InterruptedException {
    long after = 0;
    String status = "";
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline && (model.slowStreamsOpen() == 0 || !status.equals("running"))) {
      JsonNode page = call("poll_events", args("run_id", runId, "after_seq", after, "wait_ms", 200));
      after = page.path("next_after_seq").asLong();
      status = page.path("status").asText();
    }
    assertThat(model.slowStreamsOpen()).as("codex reached the slow model stream").isPositive();
    assertThat(status).isEqualTo("running");
    return after;
  }

  /** run_started first, seqs 1..n, one terminal event (run_completed, run_failed or status_changed to terminal). */
  private static void assertEventOrder(List<JsonNode> events) {
    assertThat(events).isNotEmpty();
    assertThat(events.get(0).path("type").asText()).isEqualTo("run_started");
    String runId = events.get(0).path("run_id").asText();
    for (int i = 0; i < events.size(); i++) {
      JsonNode e = events.get(i);
      assertThat(e.path("seq").asLong()).as("seq of event %d", i).isEqualTo(i + 1);
      assertThat(e.path("run_id").asText()).isEqualTo(runId);
      assertThat(e.path("backend").asText()).isEqualTo("codex");
      assertThat(e.path("ts").asText()).isNotBlank();
      assertThat(e.path("data").isObject()).isTrue();
    }
    assertThat(events.stream().filter(CodexEndToEndTest::isTerminal)).as("terminal events in %s", types(events))
        .hasSize(1);
    assertThat(isTerminal(last(events))).as("the last event is the terminal one").isTrue();
  }

  private static boolean isTerminal(JsonNode e) {
    String type = e.path("type").asText();
    return type.equals("run_completed") || type.equals("run_failed")
        || type.equals("status_changed") && TERMINAL.contains(e.at("/data/status").asText());
  }

  private static List<String> types(List<JsonNode> events) {
    return events.stream().map(e -> e.path("type").asText()).toList();
  }

  private static JsonNode last(List<JsonNode> events) {
    return events.get(events.size() - 1);
  }

  private static List<String> keys(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.fieldNames().forEachRemaining(out::add);
    return out;
  }

  private static Map<String, Object> args(Object... keyValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put((String) keyValues[i], keyValues[i + 1]);
    }
    return m;
  }

  /**
   * @return live codex processes working in that cwd anywhere on the machine (after a server SIGKILL codex is
   *     re-parented, so it no longer descends from this JVM); zombies have no command line and do not count
   */
  private static List<ProcessHandle> codexFor(Path dir) {
    String marker = "--cd " + dir;
    return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
        .filter(p -> p.info().command().map(c -> c.endsWith("/codex")).orElse(false))
        .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
        .toList();
  }

  private static List<ProcessHandle> awaitNoCodexFor(Path dir, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<ProcessHandle> left = codexFor(dir);
    while (!left.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
      left = codexFor(dir);
    }
    return left;
  }
}
