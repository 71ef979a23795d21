package dev.orch.mcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.EventPage;
import dev.orch.core.EventType;
import dev.orch.core.NormalizedEvent;
import dev.orch.core.RunId;
import dev.orch.core.RunStatus;
import dev.orch.core.SessionId;
import dev.orch.core.WireJson;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Results stay below the client size limit")
class ResultLimitsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  @DisplayName("a poll page cut to its first events points next_after_seq at the last event returned")
  void partialPollPage() {
    List<NormalizedEvent> events = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      ObjectNode data = JSON.createObjectNode().put("text", "x".repeat(16_000));
      events.add(new NormalizedEvent(i, Instant.parse("2026-11-21T19:35:35.765Z"), new RunId("r"), new SessionId("s"),
          "codex", EventType.fromWire("agent_message").orElseThrow(), data));
    }
    EventPage page = new EventPage(new RunId("r"), RunStatus.RUNNING, events, 4);
    ObjectNode all = WireJson.poll(page, 4);
    ObjectNode cut = WireJson.poll(page, 2);
    assertThat(all.get("next_after_seq").asLong()).isEqualTo(4);
    assertThat(cut.get("events")).hasSize(2);
    assertThat(cut.get("next_after_seq").asLong()).isEqualTo(2);
    ResultRenderer renderer = new ResultRenderer(JSON);
    long bytes = renderer.wireBytes(all);
    assertThat(bytes).isGreaterThan(2L * 4 * 16_000).isLessThan(3L * 4 * 16_000);
    assertThat(renderer.wireBytes(cut)).isLessThan(bytes / 2 + 1000);
  }
}
