package dev.orch.backend.a2a;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.backend.a2a.testing.JsA2aPeer;
import dev.orch.core.AgentMessage;
import dev.orch.core.MessagePart;
import dev.orch.core.MessageRole;
import dev.orch.core.RunEvent;
import dev.orch.tck.RecordingSink;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("remote_a2a backend against an agent whose card says streaming: false")
class A2aNonStreamingTest extends A2aTestBase {
  static JsA2aPeer peer;

  @BeforeAll
  static void startPeer() {
    peer = JsA2aPeer.start(false);
  }

  @AfterAll
  static void stopPeer() {
    stop(peer);
  }

  static JsonNode sent(String marker) {
    for (JsonNode n : peer.log()) {
      if (n.path("text").toString().contains(marker)) {
        return n;
      }
    }
    throw new AssertionError("the peer never saw " + marker + ": " + peer.log());
  }

  @Test
  @DisplayName("message/send (blocking) is used and the input_message parts are sent as they are")
  void messageSend() throws Exception {
    ObjectNode data = JSON.createObjectNode().put("k", "v");
    AgentMessage input = new AgentMessage(MessageRole.USER,
        List.of(new MessagePart.Text("[ns-1] look"), new MessagePart.Data(data)), null);
    RecordingSink sink = run(spec(input, config(peer.baseUrl())));
    RunEvent.RunCompleted done = (RunEvent.RunCompleted) sink.awaitTerminal(WAIT);
    assertThat(done.finalResponse()).isEqualTo("Echo: [ns-1] look");
    assertThat(sink.types()).contains("artifact_added");
    JsonNode sent = sent("[ns-1]");
    assertThat(sent.path("method").asText()).isEqualTo("message/send");
    assertThat(sent.path("configuration").path("blocking").asBoolean()).isTrue();
    assertThat(sent.path("metadata").path("nanobot_orchestrator").path("cwd").asText()).isEqualTo(cwd.toString());
  }

  @Test
  @DisplayName("input-required over message/send waits and the continue completes the same task")
  void inputRequired() throws Exception {
    RecordingSink sink = run(spec(AgentMessage.userText("[ask] [ns-2]"), config(peer.baseUrl())),
        "Grace");
    RunEvent.RunCompleted done = (RunEvent.RunCompleted) sink.awaitTerminal(WAIT);
    assertThat(done.finalResponse()).isEqualTo("Hello, Grace");
    assertThat(sink.types()).containsSubsequence("input_required", "status_changed", "run_completed");
    assertThat(peer.requests("message/send")).anyMatch(n -> n.path("text").toString().contains("Grace")
        && n.path("task_id").asText().equals(done.toData().path("task_id").asText()));
    assertThat(sent("[ns-2]").path("task_id").isNull()).as("the first message starts a new task").isTrue();
  }

  @Test
  @DisplayName("blocking: false returns at once and the run follows the task with tasks/get until it completes")
  void nonBlockingPolls() throws Exception {
    ObjectNode cfg = config(peer.baseUrl()).put("blocking", false);
    RecordingSink sink = run(spec(AgentMessage.userText("[pause] [ns-3]"), cfg));
    RunEvent.RunCompleted done = (RunEvent.RunCompleted) sink.awaitTerminal(WAIT);
    assertThat(done.finalResponse()).isEqualTo("after pause");
    assertThat(sent("[ns-3]").path("configuration").path("blocking").asBoolean()).isFalse();
    assertThat(peer.requests("tasks/get")).anyMatch(n -> n.path("task_id").asText()
        .equals(done.toData().path("task_id").asText()));
    assertThat(sink.terminals()).hasSize(1);
  }
}
