package dev.orch.backend.codex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.backend.codex.internal.CodexRun;
import dev.orch.backend.codex.testing.CodexTestSetup;
import dev.orch.backend.codex.testing.MockResponsesApi;
import dev.orch.core.EventType;
import dev.orch.core.OrchException;
import dev.orch.core.RunEvent;
import dev.orch.core.RunId;
import dev.orch.core.Role;
import dev.orch.core.SessionId;
import dev.orch.core.spi.Backend;
import dev.orch.core.spi.BackendContext;
import dev.orch.core.spi.RunHandle;
import dev.orch.core.spi.RunSpec;
import dev.orch.core.spi.UsageReport;
import dev.orch.tck.RecordingSink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives the REAL codex binary through {@link Backend#start} against {@link MockResponsesApi} (no engine).
 */
@DisplayName("The codex backend drives the real Codex CLI against a mock Responses API")
class CodexBackendTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);

  @TempDir
  Path codexHome;
  @TempDir
  Path cwd;
  private MockResponsesApi api;
  private Backend backend;

  @BeforeEach
  void start() throws IOException {
    api = MockResponsesApi.start();
    backend = new CodexBackendProvider().create(new BackendContext(System.getenv(), r -> {
      Thread t = new Thread(r);
      t.setDaemon(true);
      return t;
    }, Clock.systemUTC()));
  }

  @AfterEach
  void stop() {
    backend.close();
    api.close();
    assertThat(CodexTestSetup.awaitNoCodexProcesses(Duration.ofSeconds(10))).as("codex processes left behind").isEmpty();
    assertThat(CodexTestSetup.awaitNoDescendants(Duration.ofSeconds(5))).as("child processes left behind").isEmpty();
  }

  private RunSpec spec(String prompt, ObjectNode outputSchema, String resumeThread, String systemPrompt,
      ObjectNode extraConfig) {
    ObjectNode config = CodexTestSetup.backendConfig(api, codexHome);
    if (extraConfig != null) {
      config.setAll(extraConfig);
    }
    return new RunSpec(RunId.random(), SessionId.random(), "worker1", Role.WORKER, cwd, prompt, null, systemPrompt,
        outputSchema, config, resumeThread == null ? null : new RunSpec.Resume(resumeThread, null),
        Map.of("PEER_NAME", "worker1", "PEER_CWD", cwd.toString()), null);
  }

  private RunSpec spec(String prompt) {
    return spec(prompt, null, null, null, null);
  }

  private static String text(RunEvent e, String key) {
    return e.toData().path(key).asText(null);
  }

  private RecordingSink run(RunSpec spec) {
    RecordingSink sink = new RecordingSink();
    backend.start(spec, sink);
    sink.awaitTerminal(RUN_TIMEOUT);
    return sink;
  }

  @Test
  @DisplayName("a plain answer ends in run_completed with the final response, usage and a bound thread")
  void plainAnswer() {
    RecordingSink sink = run(spec("Say hello"));
    assertThat(sink.types()).containsExactly("run_started", "status_changed", "agent_message", "run_completed");
    List<RunEvent> ev = sink.events();
    assertThat(ev.get(0).toData().get("thread_id").isNull()).isTrue();
    String thread = text(ev.get(1), "thread_id");
    assertThat(thread).isNotBlank();
    // bound when the thread starts, and again at the end with the thread's usage (the next resume's baseline)
    assertThat(sink.bindings()).hasSize(2).allSatisfy(b -> {
      assertThat(b.backendSessionId()).isEqualTo(thread);
      assertThat(b.remoteRef().provider()).isEqualTo("codex");
      assertThat(b.remoteRef().conversationId()).isEqualTo(thread);
    });
    assertThat(sink.bindings().get(0).remoteRef().metadata()).isNull();
    assertThat(sink.bindings().get(1).remoteRef().metadata().path("thread_usage").path("input_tokens").asLong())
        .isEqualTo(120);
    assertThat(sink.usageReports()).containsExactly(new UsageReport(120, 20, 12, 3, 132, null, "gpt-5.5", 1, true));
    RunEvent.RunCompleted done = (RunEvent.RunCompleted) ev.get(3);
    assertThat(done.finalResponse()).isEqualTo(MockResponsesApi.PLAIN_ANSWER);
    assertThat(done.structuredOutput()).isNull();
    assertThat(done.usage().path("output_tokens").asInt()).isEqualTo(12);
    assertThat(sink.processes()).hasSize(1);
    assertThat(api.requests()).hasSize(1);
    assertThat(MockResponsesApi.latestUserText(api.requests().get(0))).isEqualTo("Say hello");
  }

  @Test
  @DisplayName("a shell tool call really runs in cwd with the PEER_* environment and reports its big output")
  void shellToolCall() throws IOException {
    RecordingSink sink = run(spec("Please " + MockResponsesApi.BIG_SHELL));
    assertThat(sink.types()).containsExactly("run_started", "status_changed", "command_started", "command_finished",
        "agent_message", "run_completed");
    assertThat(Files.readString(cwd.resolve("big.txt"))).isEqualTo("made\n");
    RunEvent finished = sink.events().get(3);
    assertThat(finished.toData().path("exit_code").asInt()).isZero();
    assertThat(finished.toData().path("status").asText()).isEqualTo("completed");
    assertThat(finished.toData().path("command").asText()).contains("big.txt");
    String output = finished.toData().path("output").asText();
    assertThat(output.length()).isGreaterThan(20_000);
    assertThat(output).contains("line 1 x").contains("line " + MockResponsesApi.BIG_LINES + " x");
    assertThat(((RunEvent.RunCompleted) sink.events().get(5)).finalResponse()).isEqualTo(MockResponsesApi.SHELL_DONE);
    assertThat(api.requests()).hasSize(2);
  }

  @Test
  @DisplayName("the child gets PEER_* variables and the configured env")
  void childEnvironment() throws IOException {
    RecordingSink sink = run(spec("Run " + MockResponsesApi.SHELL));
    assertThat(Files.readString(cwd.resolve("out.txt"))).isEqualTo("hi\n");
    RunEvent finished = sink.events().stream().filter(e -> e.type() == EventType.COMMAND_FINISHED).findFirst().orElseThrow();
    assertThat(finished.toData().path("output").asText()).contains("peer=worker1");
    assertThat(sink.terminals()).singleElement().isInstanceOf(RunEvent.RunCompleted.class);
  }

  @Test
  @DisplayName("an output schema reaches the model and the JSON answer becomes structured_output; the temp file is removed")
  void outputSchema() throws IOException {
    ObjectNode schema = (ObjectNode) JSON.readTree("{\"type\":\"object\",\"properties\":{\"answer\":{\"type\":\"string\"},"
        + "\"ok\":{\"type\":\"boolean\"}},\"required\":[\"answer\",\"ok\"],\"additionalProperties\":false}");
    RecordingSink sink = new RecordingSink();
    CodexRun handle = (CodexRun) backend.start(spec("Answer in JSON", schema, null, null, null), sink);
    Path schemaFile = handle.outputSchemaFile();
    assertThat(schemaFile).isNotNull();
    sink.awaitTerminal(RUN_TIMEOUT);
    RunEvent.RunCompleted done = (RunEvent.RunCompleted) sink.terminals().get(0);
    assertThat(done.finalResponse()).isEqualTo(MockResponsesApi.SCHEMA_ANSWER);
    assertThat(done.structuredOutput()).isEqualTo(JSON.readTree("{\"answer\":\"42\",\"ok\":true}"));
    JsonNode format = api.requests().get(0).path("text").path("format");
    assertThat(format.path("type").asText()).isEqualTo("json_schema");
    assertThat(format.path("schema")).isEqualTo(schema);
    assertThat(schemaFile).doesNotExist();
  }

  @Test
  @DisplayName("a resumed run continues the same thread and the model sees the earlier conversation")
  void resume() {
    RecordingSink first = run(spec("First question about apples"));
    String thread = first.bindings().get(0).backendSessionId();
    RecordingSink second = run(spec("Second question about pears", null, thread, null, null));
    assertThat(second.types()).containsExactly("run_started", "status_changed", "agent_message", "run_completed");
    assertThat(text(second.events().get(0), "thread_id")).isEqualTo(thread);
    assertThat(second.bindings()).extracting(RecordingSink.Binding::backendSessionId).containsOnly(thread);
    JsonNode resumed = api.requests().get(1);
    assertThat(MockResponsesApi.userTexts(resumed)).anyMatch(t -> t.contains("First question about apples"))
        .last().asString().contains("Second question about pears");
    assertThat(resumed.path("input").toString()).contains(MockResponsesApi.PLAIN_ANSWER);
  }

  @Test
  @DisplayName("resuming an unknown thread fails once with codex's stderr reason")
  void resumeUnknownThread() {
    RecordingSink sink = run(spec("hello", null, "01a1ffcc-0000-7580-b8b4-b8083e4b4ccc", null, null));
    assertThat(sink.types()).containsExactly("run_started", "run_failed");
    assertThat(((RunEvent.RunFailed) sink.terminals().get(0)).message())
        .startsWith("codex exited with code 1: ").contains("no rollout found for thread id");
  }

  @Test
  @DisplayName("a profile wraps the prompt in the system instructions block")
  void profile() {
    run(spec("Review " + "this", null, null, "Profile source: /p/reviewer.md\n\nBe strict.", null));
    assertThat(MockResponsesApi.latestUserText(api.requests().get(0))).isEqualTo("System instructions for this run:\n"
        + "<SYSTEM_PROMPT>\nProfile source: /p/reviewer.md\n\nBe strict.\n</SYSTEM_PROMPT>\n\nUser request:\nReview this");
  }

  @Test
  @DisplayName("a model HTTP 500 ends in exactly one run_failed carrying the reason")
  void http500() {
    RecordingSink sink = run(spec("Trigger " + MockResponsesApi.HTTP_500));
    assertThat(sink.types()).containsExactly("run_started", "status_changed", "run_failed");
    RunEvent.RunFailed failed = (RunEvent.RunFailed) sink.terminals().get(0);
    assertThat(failed.message()).isNotBlank().doesNotStartWith("codex exited with code");
    assertThat(failed.toData().path("stderr").asText()).isNotBlank();
    assertThat(api.requests()).hasSize(1);
  }

  @Test
  @DisplayName("cancel mid-turn stops codex, emits no terminal event from the backend and leaves no process")
  void cancel() throws Exception {
    RecordingSink sink = new RecordingSink();
    ObjectNode grace = JSON.createObjectNode().put("cancel_grace_ms", 1000);
    RunHandle handle = backend.start(spec("Take your time " + MockResponsesApi.SLOW, null, null, null, grace), sink);
    awaitSlowStream();
    long pid = sink.processes().get(0).pid();
    long t0 = System.nanoTime();
    handle.cancel("user");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(6));
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("codex still alive").isFalse();
    assertThat(CodexTestSetup.codexProcesses()).isEmpty();
    assertThat(CodexTestSetup.descendants()).as("codex's children").isEmpty();
    Thread.sleep(500);
    assertThat(sink.terminals()).isEmpty();
    assertThat(sink.types()).containsExactly("run_started", "status_changed");
  }

  @Test
  @DisplayName("the watchdog kills a run that exceeds timeout_ms and fails it once")
  void watchdog() {
    RecordingSink sink = new RecordingSink();
    ObjectNode timeout = JSON.createObjectNode().put("timeout_ms", 2000).put("cancel_grace_ms", 500);
    backend.start(spec("Never answer " + MockResponsesApi.SLOW, null, null, null, timeout), sink);
    RunEvent terminal = sink.awaitTerminal(Duration.ofSeconds(20));
    assertThat(((RunEvent.RunFailed) terminal).message()).isEqualTo("codex timed out after 2000 ms");
    assertThat(CodexTestSetup.codexProcesses()).isEmpty();
    assertThat(sink.terminals()).hasSize(1);
  }

  @Test
  @DisplayName("closing the backend kills live runs")
  void closeKills() throws Exception {
    RecordingSink sink = new RecordingSink();
    backend.start(spec("Hold on " + MockResponsesApi.SLOW), sink);
    awaitSlowStream();
    backend.close();
    assertThat(CodexTestSetup.awaitNoCodexProcesses(Duration.ofSeconds(3))).isEmpty();
    assertThatThrownBy(() -> backend.start(spec("again"), new RecordingSink())).isInstanceOf(OrchException.class)
        .hasMessageContaining("closed");
  }

  @Test
  @DisplayName("validate names a missing executable; a binary that cannot be executed fails the run once naming it;"
      + " a run that cannot even be started throws BACKEND and emits nothing")
  void cannotStart() throws IOException {
    ObjectNode missing = JSON.createObjectNode().put("executable", cwd.resolve("no-codex").toString());
    assertThatThrownBy(() -> backend.validate(spec("x", null, null, null, missing)))
        .hasMessageContaining("backend_config.executable").hasMessageContaining("does not exist");
    Path broken = Files.writeString(cwd.resolve("broken-codex"), "#!/nonexistent/interpreter\n");
    broken.toFile().setExecutable(true);
    ObjectNode brokenCfg = JSON.createObjectNode().put("executable", broken.toString());
    RecordingSink failed = run(spec("x", null, null, null, brokenCfg));
    assertThat(failed.types()).containsExactly("run_started", "run_failed");
    assertThat(((RunEvent.RunFailed) failed.terminals().get(0)).message()).startsWith("codex exited with code 127: ")
        .contains("broken-codex");

    RunSpec good = spec("x");
    RunSpec nowhere = new RunSpec(good.runId(), good.sessionId(), good.agentName(), good.role(),
        cwd.resolve("gone"), good.prompt(), null, null, null, good.backendConfig(), null, good.environment(), null);
    RecordingSink sink = new RecordingSink();
    assertThatThrownBy(() -> backend.start(nowhere, sink))
        .isInstanceOfSatisfying(OrchException.class, e -> assertThat(e.code()).isEqualTo(OrchException.ErrorCode.BACKEND))
        .hasMessageContaining("cannot start codex");
    assertThat(sink.events()).isEmpty();
  }

  @Test
  @DisplayName("a CLI that dies at once with a non-zero code fails the run once with the code and its stderr")
  void crashingCli() throws IOException {
    Path crash = Files.writeString(cwd.resolve("crash-codex"), "#!/bin/sh\ncat > /dev/null\necho 'boom: bad things' >&2\nexit 3\n");
    crash.toFile().setExecutable(true);
    RecordingSink sink = run(spec("x", null, null, null, JSON.createObjectNode().put("executable", crash.toString())));
    assertThat(sink.types()).containsExactly("run_started", "run_failed");
    assertThat(((RunEvent.RunFailed) sink.terminals().get(0)).message()).isEqualTo("codex exited with code 3: boom: bad things");
  }

  private void awaitSlowStream() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (api.slowStreamsOpen() == 0) {
      assertThat(System.nanoTime()).as("codex never reached the slow stream").isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
