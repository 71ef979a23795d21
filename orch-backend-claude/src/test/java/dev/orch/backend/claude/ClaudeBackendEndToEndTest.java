package dev.orch.backend.claude;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.backend.claude.testing.ClaudeTestSetup;
import dev.orch.backend.claude.testing.MockMessagesApi;
import dev.orch.core.EventType;
import dev.orch.core.OrchException;
import dev.orch.core.RunEvent;
import dev.orch.core.RunStatus;
import dev.orch.core.SessionId;
import dev.orch.core.spi.Backend;
import dev.orch.core.spi.RunHandle;
import dev.orch.tck.RecordingSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("claude_code drives the real Claude Code CLI against a mock Messages API")
class ClaudeBackendEndToEndTest {
  static final Duration T = Duration.ofSeconds(30);
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path temp;
  Path cwd;
  ClaudeTestSetup claude;
  Backend backend;

  @BeforeEach
  void setUp() throws Exception {
    cwd = Files.createDirectories(temp.resolve("work"));
    claude = ClaudeTestSetup.start(temp);
    backend = ClaudeRuns.backend();
  }

  @AfterEach
  void tearDown() {
    backend.close();
    claude.awaitNoClaudeProcesses(Duration.ofSeconds(10));
    claude.close();
  }

  ObjectNode config() {
    ObjectNode c = claude.backendConfig();
    c.put("idle_keepalive_ms", 0);
    return c;
  }

  @Test
  @DisplayName("a plain prompt completes with the model's answer, usage and cost, and binds the Orch session id with the profile appended")
  void plainAnswer() throws Exception {
    SessionId session = SessionId.random();
    RecordingSink sink = new RecordingSink();
    backend.start(ClaudeRuns.spec(session, cwd, "say hello", config(), "Profile source: p.md\n\nBe brief.", null,
        null), sink);
    RunEvent end = sink.awaitTerminal(T);
    assertThat(end).isInstanceOf(RunEvent.RunCompleted.class);
    assertThat(sink.eventTypes()).startsWith(EventType.RUN_STARTED, EventType.STATUS_CHANGED)
        .contains(EventType.AGENT_MESSAGE).endsWith(EventType.RUN_COMPLETED);
    assertThat(sink.terminals()).hasSize(1);
    JsonNode data = end.toData();
    assertThat(data.path("final_response").asText()).isEqualTo(MockMessagesApi.HELLO_TEXT);
    assertThat(data.path("usage").path("total_cost_usd").isNumber()).isTrue();
    assertThat(data.path("usage").path("num_turns").asInt()).isEqualTo(1);
    JsonNode running = sink.ofType(EventType.STATUS_CHANGED).get(0).toData();
    assertThat(running.path("backend_session_id").asText()).isEqualTo(session.value());
    assertThat(Path.of(running.path("cwd").asText()).toRealPath()).isEqualTo(cwd.toRealPath());
    assertThat(sink.boundSessionIds()).containsExactly(session.value());
    assertThat(sink.boundRefs().get(0).conversationId()).isEqualTo(session.value());
    assertThat(sink.processes()).hasSize(1);
    assertThat(claude.api().requests()).anySatisfy(r -> assertThat(r.path("system").toString()).contains(
        "Profile source: p.md"));
  }

  @Test
  @DisplayName("a Bash tool call really creates the file and maps to command_started / command_finished")
  void bashCreatesFile() throws Exception {
    RecordingSink sink = new RecordingSink();
    backend.start(ClaudeRuns.spec(SessionId.random(), cwd, "RUN_BASH create out.txt", config()), sink);
    assertThat(sink.awaitTerminal(T)).isInstanceOf(RunEvent.RunCompleted.class);
    assertThat(cwd.resolve("out.txt")).hasContent("hi");
    JsonNode started = sink.ofType(EventType.COMMAND_STARTED).get(0).toData();
    assertThat(started.path("command").asText()).isEqualTo("echo hi > out.txt");
    JsonNode finished = sink.ofType(EventType.COMMAND_FINISHED).get(0).toData();
    assertThat(finished.path("exit_code").asInt()).isZero();
    assertThat(finished.path("tool_use_id").asText()).isEqualTo(started.path("tool_use_id").asText());
  }

  @Test
  @DisplayName("an output schema makes the model call StructuredOutput and the run reports structured_output")
  void jsonSchema() throws Exception {
    ObjectNode schema = (ObjectNode) JSON.readTree("{\"type\":\"object\",\"properties\":{\"answer\":{\"type\":\"string\"},"
        + "\"ok\":{\"type\":\"boolean\"}},\"required\":[\"answer\",\"ok\"]}");
    RecordingSink sink = new RecordingSink();
    backend.start(ClaudeRuns.spec(SessionId.random(), cwd, "give the answer", config(), null, schema, null), sink);
    RunEvent end = sink.awaitTerminal(T);
    assertThat(end).isInstanceOf(RunEvent.RunCompleted.class);
    assertThat(((RunEvent.RunCompleted) end).structuredOutput().toString()).isEqualTo("{\"answer\":\"42\",\"ok\":true}");
  }

  @Test
  @DisplayName("a resume continues the same Claude session in a new process when keep-alive is off")
  void resumeInNewProcess() throws Exception {
    SessionId session = SessionId.random();
    RecordingSink first = new RecordingSink();
    backend.start(ClaudeRuns.spec(session, cwd, "remember the word PAPAYA", config()), first);
    assertThat(first.awaitTerminal(T)).isInstanceOf(RunEvent.RunCompleted.class);
    claude.awaitNoClaudeProcesses(Duration.ofSeconds(10));
    RecordingSink second = new RecordingSink();
    backend.start(ClaudeRuns.spec(session, cwd, "RECALL", config(), null, null,
        ClaudeRuns.resume(session.value())), second);
    RunEvent end = second.awaitTerminal(T);
    assertThat(end.toData().path("final_response").asText()).isEqualTo("I remember: remember the word PAPAYA");
    assertThat(second.events().get(0).toData().path("reused_process").asBoolean()).isFalse();
    assertThat(second.ofType(EventType.STATUS_CHANGED).get(0).toData().path("backend_session_id").asText())
        .isEqualTo(session.value());
  }

  @Test
  @DisplayName("a resume within the keep-alive reuses the session's live process")
  void resumeReusesProcess() throws Exception {
    SessionId session = SessionId.random();
    ObjectNode cfg = claude.backendConfig();
    cfg.put("idle_keepalive_ms", 30_000);
    RecordingSink first = new RecordingSink();
    backend.start(ClaudeRuns.spec(session, cwd, "remember the word MANGO", cfg), first);
    assertThat(first.awaitTerminal(T)).isInstanceOf(RunEvent.RunCompleted.class);
    RecordingSink second = new RecordingSink();
    backend.start(ClaudeRuns.spec(session, cwd, "RECALL", cfg, null, null, ClaudeRuns.resume(session.value())),
        second);
    RunEvent end = second.awaitTerminal(T);
    assertThat(end.toData().path("final_response").asText()).isEqualTo("I remember: remember the word MANGO");
    assertThat(second.events().get(0).toData().path("reused_process").asBoolean()).isTrue();
    assertThat(second.processes().get(0).pid()).isEqualTo(first.processes().get(0).pid());
    assertThat(claude.liveClaudeClis()).hasSize(1);
  }

  @Test
  @DisplayName("a permission prompt becomes input_required; answering allow lets the command create the file")
  void permissionAllow() throws Exception {
    ObjectNode cfg = config();
    cfg.put("permission_mode", "default");
    RecordingSink sink = new RecordingSink();
    RunHandle run = backend.start(ClaudeRuns.spec(SessionId.random(), cwd, "RUN_BASH create allowed.txt", cfg),
        sink);
    RunEvent asked = sink.await(e -> e.type() == EventType.INPUT_REQUIRED, T);
    JsonNode d = asked.toData();
    assertThat(d.path("tool").asText()).isEqualTo("Bash");
    assertThat(d.path("input").path("command").asText()).isEqualTo("echo hi > allowed.txt");
    assertThat(d.path("tool_use_id").asText()).startsWith("toolu_");
    assertThat(cwd.resolve("allowed.txt")).doesNotExist();
    run.sendInput(dev.orch.core.AgentMessage.userText("allow"));
    assertThat(sink.awaitTerminal(T)).isInstanceOf(RunEvent.RunCompleted.class);
    assertThat(cwd.resolve("allowed.txt")).hasContent("hi");
    assertThat(sink.events()).anySatisfy(e -> {
      assertThat(RecordingSink.isStatus(e, RunStatus.RUNNING) && "allow".equals(e.toData().path("behavior").asText()))
          .isTrue();
    });
  }

  @Test
  @DisplayName("answering deny keeps the file from being created and the run still completes")
  void permissionDeny() throws Exception {
    ObjectNode cfg = config();
    cfg.put("permission_mode", "default");
    RecordingSink sink = new RecordingSink();
    RunHandle run = backend.start(ClaudeRuns.spec(SessionId.random(), cwd, "RUN_BASH create denied.txt", cfg), sink);
    sink.await(e -> e.type() == EventType.INPUT_REQUIRED, T);
    run.sendInput(dev.orch.core.AgentMessage.userText("deny: not in this repository"));
    RunEvent end = sink.awaitTerminal(T);
    assertThat(end).isInstanceOf(RunEvent.RunCompleted.class);
    assertThat(cwd.resolve("denied.txt")).doesNotExist();
    JsonNode finished = sink.ofType(EventType.COMMAND_FINISHED).get(0).toData();
    assertThat(finished.path("is_error").asBoolean()).isTrue();
    assertThat(finished.path("output").asText()).contains("not in this repository");
    assertThatThrownBy(() -> run.sendInput(dev.orch.core.AgentMessage.userText("allow")))
        .isInstanceOf(OrchException.class).hasMessageContaining("not awaiting additional input");
  }

  @Test
  @DisplayName("an unanswered permission prompt is denied after permission_timeout_ms and the run goes on")
  void permissionTimeout() throws Exception {
    ObjectNode cfg = config();
    cfg.put("permission_mode", "default");
    cfg.put("permission_timeout_ms", 500);
    RecordingSink sink = new RecordingSink();
    backend.start(ClaudeRuns.spec(SessionId.random(), cwd, "RUN_BASH create late.txt", cfg), sink);
    RunEvent end = sink.awaitTerminal(T);
    assertThat(end).isInstanceOf(RunEvent.RunCompleted.class);
    assertThat(cwd.resolve("late.txt")).doesNotExist();
    RunEvent note = sink.ofType(EventType.MESSAGE_ADDED).get(0);
    assertThat(note.toData().path("reason").asText()).isEqualTo("permission_timeout");
    assertThat(note.toData().path("text").asText()).contains("denied (fail closed)");
    assertThat(sink.eventTypes()).containsSubsequence(EventType.INPUT_REQUIRED, EventType.MESSAGE_ADDED,
        EventType.STATUS_CHANGED, EventType.COMMAND_FINISHED, EventType.RUN_COMPLETED);
  }

  @Test
  @DisplayName("cancel mid-turn interrupts, records the cancelled result and leaves no process behind")
  void cancelMidTurn() throws Exception {
    RecordingSink sink = new RecordingSink();
    RunHandle run = backend.start(ClaudeRuns.spec(SessionId.random(), cwd, "SLOW please", config()), sink);
    sink.await(e -> RecordingSink.isStatus(e, RunStatus.RUNNING), T);
    Thread.sleep(700);
    long t0 = System.nanoTime();
    run.cancel("user");
    long tookMs = (System.nanoTime() - t0) / 1_000_000;
    assertThat(tookMs).isLessThan(6_000);
    RunEvent end = sink.awaitTerminal(Duration.ofSeconds(1));
    assertThat(RecordingSink.isStatus(end, RunStatus.CANCELLED)).isTrue();
    assertThat(end.toData().path("reason").asText()).isEqualTo("user");
    assertThat(end.toData().has("usage")).as("the interrupted turn's result is recorded").isTrue();
    assertThat(sink.terminals()).hasSize(1);
    assertThat(sink.processes().get(0).isAlive()).isFalse();
    claude.awaitNoClaudeProcesses(Duration.ZERO);
  }

  @Test
  @DisplayName("a model HTTP 500 fails the run with the API error text")
  void http500() throws Exception {
    RecordingSink sink = new RecordingSink();
    backend.start(ClaudeRuns.spec(SessionId.random(), cwd, "FAIL500 now", config()), sink);
    RunEvent end = sink.awaitTerminal(T);
    assertThat(end).isInstanceOf(RunEvent.RunFailed.class);
    assertThat(((RunEvent.RunFailed) end).message()).contains("API Error: 500").contains(MockMessagesApi.ERROR_MESSAGE);
    assertThat(sink.terminals()).hasSize(1);
  }

  @Test
  @DisplayName("a missing executable is refused by validate, naming the key")
  void missingExecutable() {
    ObjectNode cfg = config();
    cfg.put("executable", temp.resolve("no-such-claude").toString());
    cfg.put("max_turns", 0);
    assertThatThrownBy(() -> backend.validate(ClaudeRuns.spec(SessionId.random(), cwd, "hi", cfg)))
        .isInstanceOf(OrchException.class)
        .hasMessageContaining("backend_config.executable")
        .hasMessageContaining("backend_config.max_turns");
  }
}
