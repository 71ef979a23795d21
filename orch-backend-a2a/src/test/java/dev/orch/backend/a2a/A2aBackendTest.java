package dev.orch.backend.a2a;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.backend.a2a.testing.JsA2aPeer;
import dev.orch.core.Availability;
import dev.orch.core.OrchException;
import dev.orch.core.RemoteRef;
import dev.orch.core.RunEvent;
import dev.orch.core.spi.Backend;
import dev.orch.core.spi.ProbeResult;
import dev.orch.core.spi.RunHandle;
import dev.orch.core.spi.RunSpec;
import dev.orch.core.spi.UsageReport;
import dev.orch.tck.RecordingSink;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("remote_a2a backend against an independent @a2a-js/sdk agent")
class A2aBackendTest extends A2aTestBase {
  static JsA2aPeer peer;

  @BeforeAll
  static void startPeer() {
    peer = JsA2aPeer.start();
  }

  @AfterAll
  static void stopPeer() {
    stop(peer);
  }

  static List<JsonNode> messagesWith(String text) {
    List<JsonNode> out = new java.util.ArrayList<>();
    peer.log().forEach(n -> {
      if (n.path("text").toString().contains(text)) {
        out.add(n);
      }
    });
    return out;
  }

  @Test
  @DisplayName("a streamed answer with an artifact completes the run with final_response, artifacts and the data part as structured_output")
  void streamingAnswer() throws Exception {
    ObjectNode schema = JSON.createObjectNode().put("type", "object");
    RunSpec spec = spec("hello [stream-1]", config(peer.baseUrl()), "Profile source: p.md\n\nBe brief.", schema, null);
    RecordingSink sink = run(spec);

    RunEvent.RunCompleted done = (RunEvent.RunCompleted) sink.awaitTerminal(WAIT);
    assertThat(done.finalResponse()).isEqualTo("Echo: Profile source: p.md\n\nBe brief.\nhello [stream-1]");
    assertThat(done.structuredOutput().path("schema_type").asText()).isEqualTo("object");
    assertThat(done.toData().path("artifacts").get(0).path("name").asText()).isEqualTo("answer");
    assertThat(sink.types()).startsWith("run_started", "status_changed").contains("artifact_added", "agent_message",
        "message_added").endsWith("run_completed");
    assertThat(sink.terminals()).hasSize(1);
    RunEvent.RunStarted started = (RunEvent.RunStarted) sink.events().get(0);
    assertThat(started.toData().path("agent_name").asText()).isEqualTo("JS Test Peer");
    assertThat(started.toData().path("agent_url").asText()).isEqualTo(peer.baseUrl());
    JsonNode artifact = sink.events().stream().filter(e -> e.type().wire().equals("artifact_added")).findFirst()
        .orElseThrow().toData();
    assertThat(artifact.path("artifact_id").asText()).isEqualTo("answer-1");
    assertThat(artifact.path("parts").get(0).path("type").asText()).isEqualTo("text");

    JsonNode sent = messagesWith("[stream-1]").get(0);
    assertThat(sent.path("method").asText()).isEqualTo("message/stream");
    assertThat(sent.path("text").get(0).asText()).as("the profile is a leading text part")
        .isEqualTo("Profile source: p.md\n\nBe brief.");
    assertThat(sent.path("metadata").path("nanobot_orchestrator").path("cwd").asText()).isEqualTo(cwd.toString());
    assertThat(sent.path("metadata").path("nanobot_orchestrator").path("run_id").asText())
        .isEqualTo(spec.runId().value());
    assertThat(sent.path("metadata").path("nanobot_orchestrator").path("session_id").asText())
        .isEqualTo(spec.sessionId().value());
    assertThat(sent.path("metadata").path("output_schema")).isEqualTo(schema);
    assertThat(sink.boundSessionIds()).isNotEmpty();
    assertThat(sink.boundRefs().get(sink.boundRefs().size() - 1).agentUrl()).isEqualTo(peer.baseUrl());
    assertThat(sink.boundSessionIds().get(0)).isNotBlank();
    assertThat(sent.path("context_id").isNull()).as("a new conversation sends no contextId").isTrue();
  }

  @Test
  @DisplayName("input-required makes the run wait; continue_run sends the same taskId and contextId and the task completes")
  void inputRequiredThenContinue() throws Exception {
    RecordingSink sink = run(spec("[ask] who am I", config(peer.baseUrl())), "Ada");

    RunEvent.RunCompleted done = (RunEvent.RunCompleted) sink.awaitTerminal(WAIT);
    assertThat(done.finalResponse()).isEqualTo("Hello, Ada");
    assertThat(sink.replyErrors()).isEmpty();
    List<String> types = sink.types();
    int waiting = types.indexOf("input_required");
    assertThat(waiting).isPositive();
    assertThat(types.subList(waiting + 1, types.size())).first().isEqualTo("status_changed");
    assertThat(types.stream().filter("input_required"::equals)).hasSize(1);
    RunEvent.InputRequired ir = (RunEvent.InputRequired) sink.events().get(waiting);
    assertThat(ir.text()).isEqualTo("What is your name?");
    assertThat(ir.toData().path("task_id").asText()).isNotBlank();
    assertThat(sink.terminals()).hasSize(1);

    List<JsonNode> sent = peer.requests("message/stream").stream()
        .filter(n -> n.path("task_id").asText().equals(ir.toData().path("task_id").asText())).toList();
    assertThat(sent).as("the continue carries the waiting task id").hasSize(1);
    assertThat(sent.get(0).path("context_id").asText()).isEqualTo(ir.toData().path("context_id").asText());
    assertThat(sent.get(0).path("text").get(0).asText()).isEqualTo("Ada");
    assertThat(done.toData().path("task_id").asText()).isEqualTo(ir.toData().path("task_id").asText());
  }

  @Test
  @DisplayName("input-required delivered inside a task object is a waiting state, not a completion")
  void waitingStateInsideTask() throws Exception {
    RecordingSink sink = run(spec("[taskwait] paint", config(peer.baseUrl())), "blue");
    RunEvent.InputRequired ir = (RunEvent.InputRequired) sink.await(e -> e instanceof RunEvent.InputRequired, WAIT);
    assertThat(ir.text()).isEqualTo("Which colour, please?");
    RunEvent.RunCompleted done = (RunEvent.RunCompleted) sink.awaitTerminal(WAIT);
    assertThat(done.finalResponse()).isEqualTo("Hello, blue");
  }

  @Test
  @DisplayName("auth-required makes the run wait with auth_required and a continue completes it")
  void authRequired() throws Exception {
    RecordingSink sink = run(spec("[auth] secret stuff", config(peer.baseUrl())));
    RunHandle h = handles.get(sink);
    RunEvent.AuthRequired ar = (RunEvent.AuthRequired) sink.await(e -> e instanceof RunEvent.AuthRequired, WAIT);
    assertThat(ar.text()).isEqualTo("Please sign in at https://auth.example");
    assertThat(sink.terminals()).isEmpty();
    h.sendInput(dev.orch.core.AgentMessage.userText("signed in"));
    RunEvent.RunCompleted done = (RunEvent.RunCompleted) sink.awaitTerminal(WAIT);
    assertThat(done.finalResponse()).isEqualTo("Hello, signed in");
    assertThatThrownBy(() -> h.sendInput(dev.orch.core.AgentMessage.userText("again")))
        .isInstanceOf(OrchException.class).extracting(e -> ((OrchException) e).code())
        .isEqualTo(OrchException.ErrorCode.CONFLICT);
  }

  @Test
  @DisplayName("a rejected task ends the run with one rejected event carrying the agent's reason")
  void rejected() throws Exception {
    RecordingSink sink = run(spec("[reject] do evil", config(peer.baseUrl())));
    RunEvent.Rejected r = (RunEvent.Rejected) sink.awaitSoleTerminal(WAIT, Duration.ofMillis(300));
    assertThat(r.message()).isEqualTo("I will not do that");
    assertThat(r.toData().path("task_id").asText()).isNotBlank();
  }

  @Test
  @DisplayName("a remote failed state ends the run with one run_failed carrying the remote message")
  void remoteFailed() throws Exception {
    RecordingSink sink = run(spec("[fail] try", config(peer.baseUrl())));
    RunEvent.RunFailed f = (RunEvent.RunFailed) sink.awaitSoleTerminal(WAIT, Duration.ofMillis(300));
    assertThat(f.message()).isEqualTo("remote exploded");
  }

  @Test
  @DisplayName("cancel mid-task sends tasks/cancel to the agent and emits no terminal event of its own")
  void cancelMidTask() throws Exception {
    RecordingSink sink = run(spec("[slow] take your time", config(peer.baseUrl())));
    sink.await(e -> e instanceof RunEvent.Activity a && a.toData().path("text").asText().equals("Working slowly"),
        WAIT);
    String taskId = sink.await(e -> e instanceof RunEvent.StatusChanged s && s.toData().hasNonNull("task_id"), WAIT)
        .toData().path("task_id").asText();
    long t0 = System.nanoTime();
    handles.get(sink).cancel("user");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(6));
    assertThat(peer.requests("tasks/cancel")).anyMatch(n -> n.path("task_id").asText().equals(taskId));
    Thread.sleep(700);
    assertThat(sink.terminals()).as("the engine, not the backend, records the cancellation").isEmpty();
  }

  @Test
  @DisplayName("a resumed session sends the stored contextId and keeps it")
  void resumeKeepsContext() throws Exception {
    RecordingSink first = run(spec("first turn", config(peer.baseUrl())));
    first.awaitTerminal(WAIT);
    String contextId = first.boundSessionIds().get(first.boundSessionIds().size() - 1);
    RemoteRef ref = first.boundRefs().get(first.boundRefs().size() - 1);

    ObjectNode noUrl = JSON.createObjectNode();
    RecordingSink second = run(spec("second turn [resume-1]", noUrl, null, null, new RunSpec.Resume(contextId, ref)));
    RunEvent done = second.awaitTerminal(WAIT);
    assertThat(done).isInstanceOf(RunEvent.RunCompleted.class);
    assertThat(messagesWith("[resume-1]").get(0).path("context_id").asText()).isEqualTo(contextId);
    assertThat(second.boundSessionIds()).containsOnly(contextId);
    assertThat(((RunEvent.RunStarted) second.events().get(0)).toData().path("remote_ref").path("context_id")
        .asText()).isEqualTo(contextId);
  }

  @Test
  @DisplayName("an unreachable agent and a missing card end in one clear run_failed and the backend keeps serving")
  void unreachableAndMissingCard() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    RecordingSink down = run(spec("hello", config("http://127.0.0.1:" + closedPort)));
    RunEvent.RunFailed f1 = (RunEvent.RunFailed) down.awaitTerminal(WAIT);
    assertThat(f1.message()).contains("could not load the agent card from http://127.0.0.1:" + closedPort
        + "/.well-known/agent-card.json").contains("connection refused");
    assertThat(down.events()).hasSize(1);

    ObjectNode cfg = config(peer.baseUrl()).put("agent_card_path", "no/such/card.json");
    RecordingSink missing = run(spec("hello", cfg));
    RunEvent.RunFailed f2 = (RunEvent.RunFailed) missing.awaitTerminal(WAIT);
    assertThat(f2.message()).contains("HTTP 404").contains(peer.baseUrl() + "/no/such/card.json");
    assertThat(missing.events()).hasSize(1);

    RecordingSink ok = run(spec("still there?", config(peer.baseUrl())));
    assertThat(ok.awaitTerminal(WAIT)).isInstanceOf(RunEvent.RunCompleted.class);
  }

  @Test
  @DisplayName("usage in the completed status-update's metadata becomes the run's last usage report (SPEC §12.4)")
  void usageFromMetadata() throws Exception {
    RecordingSink sink = run(spec("count me [usage]", config(peer.baseUrl())));
    assertThat(sink.awaitTerminal(WAIT)).isInstanceOf(RunEvent.RunCompleted.class);
    assertThat(sink.usageReports()).containsExactly(new UsageReport(1500, 500, 250, 50, 1750, 0.0123,
        "remote-model-1", 2, true));

    RecordingSink plain = run(spec("no usage here", config(peer.baseUrl())));
    plain.awaitTerminal(WAIT);
    assertThat(plain.usageReports()).as("an agent that sends no usage metadata").isEmpty();
  }

  @Test
  @DisplayName("probe: the default agent's card resolves (reachable), a closed port is unavailable, none is unknown")
  void probe() throws Exception {
    Backend up = newBackend(Map.of("ORCH_A2A_AGENT_URL", peer.baseUrl()));
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    Backend down = newBackend(Map.of("ORCH_A2A_AGENT_URL", "http://127.0.0.1:" + closedPort));
    try {
      ProbeResult r = up.probe(Duration.ofSeconds(5));
      assertThat(r.availability()).isEqualTo(Availability.REACHABLE);
      assertThat(r.version()).isEqualTo("1.0.0");
      assertThat(r.detail()).contains("JS Test Peer").contains(peer.baseUrl() + "/.well-known/agent-card.json");
      ProbeResult d = down.probe(Duration.ofSeconds(5));
      assertThat(d.availability()).isEqualTo(Availability.UNAVAILABLE);
      assertThat(d.detail()).contains("could not load the agent card").contains(String.valueOf(closedPort));
      ProbeResult none = backend.probe(Duration.ofSeconds(5));
      assertThat(none.availability()).isEqualTo(Availability.UNKNOWN);
      assertThat(none.detail()).contains("ORCH_A2A_AGENT_URL");
    } finally {
      up.close();
      down.close();
    }
  }

  @Test
  @DisplayName("a connection dropped mid-stream ends the run with one run_failed")
  void connectionDrop() throws Exception {
    RecordingSink sink = run(spec("[drop] now", config(peer.baseUrl())));
    RunEvent.RunFailed f = (RunEvent.RunFailed) sink.awaitSoleTerminal(WAIT, Duration.ofMillis(300));
    assertThat(f.message()).contains("the event stream from the A2A agent");
  }

  @Test
  @DisplayName("headers and the bearer token reach the agent but no event")
  void headersAndToken() throws Exception {
    ObjectNode cfg = config(peer.baseUrl()).put("auth_token", "tok-SECRET-123");
    cfg.putObject("headers").put("X-Api-Key", "key-SECRET-456");
    RecordingSink sink = run(spec("[hdr-1] hi", cfg));
    sink.awaitTerminal(WAIT);
    JsonNode sent = messagesWith("[hdr-1]").get(0);
    assertThat(sent.path("headers").path("authorization").asText()).isEqualTo("Bearer tok-SECRET-123");
    assertThat(sent.path("headers").path("x-api-key").asText()).isEqualTo("key-SECRET-456");
    for (RunEvent e : sink.events()) {
      assertThat(e.toData().toString()).doesNotContain("SECRET");
    }
    assertThat(sink.boundRefs().toString()).doesNotContain("SECRET");
  }

  @Test
  @DisplayName("timeout_ms ends a turn that takes too long with run_failed and cancels the remote task")
  void turnTimeout() throws Exception {
    ObjectNode cfg = config(peer.baseUrl()).put("timeout_ms", 800);
    RecordingSink sink = run(spec("[slow] [timeout-1]", cfg));
    RunEvent.RunFailed f = (RunEvent.RunFailed) sink.awaitTerminal(WAIT);
    assertThat(f.message()).contains("timeout_ms=800");
    String taskId = f.toData().path("remote_ref").path("task_id").asText();
    long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (peer.requests("tasks/cancel").stream().noneMatch(n -> n.path("task_id").asText().equals(taskId))
        && System.nanoTime() < end) {
      Thread.sleep(100);
    }
    assertThat(peer.requests("tasks/cancel")).anyMatch(n -> n.path("task_id").asText().equals(taskId));
  }

  @Test
  @DisplayName("idle_timeout_ms fails a run whose event stream stays silent")
  void idleTimeout() throws Exception {
    ObjectNode cfg = config(peer.baseUrl()).put("idle_timeout_ms", 600);
    RecordingSink sink = run(spec("[slow] [idle-1]", cfg));
    RunEvent.RunFailed f = (RunEvent.RunFailed) sink.awaitTerminal(WAIT);
    assertThat(f.message()).contains("idle_timeout_ms");
  }

  @Test
  @DisplayName("validate refuses a missing agent_url with the TS server's message")
  void validateMissingUrl() {
    assertThatThrownBy(() -> backend.validate(spec("x", JSON.createObjectNode())))
        .hasMessage("backend_config.agent_url is required when backend is remote_a2a");
  }
}
