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

  @Test
  @DisplayName("the size of a text as a JSON string is counted exactly as Jackson writes it (quotes, escapes, UTF-8)")
  void jsonStringBytesMatchesJackson() throws Exception {
    com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    java.util.SplittableRandom random = new java.util.SplittableRandom(11);
    String alphabet = "ab\"\\/\n\t\r\b\f\u0001\u001f\u007f\u00e9\u07ff\u0800\u20ac\ud83d\ude00 {}:,";
    for (int i = 0; i < 3_000; i++) {
      StringBuilder b = new StringBuilder();
      int len = random.nextInt(0, 60);
      for (int k = 0; k < len; k++) {
        b.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String text = b.toString().replace("\ud83d\ud83d", "\ud83d").replace("\ude00\ude00", "\ude00");
      if (!isWellFormed(text)) {
        continue; // Jackson refuses or replaces lone surrogates; Orch's texts come from valid JSON or Java strings
      }
      assertThat(ResultRenderer.jsonStringBytes(text)).as(text).isEqualTo(
          mapper.writeValueAsBytes(com.fasterxml.jackson.databind.node.TextNode.valueOf(text)).length);
    }
  }

  @Test
  @DisplayName("the size bound that spares fits() the walk over a text is never below the exact count")
  void maxJsonStringBytesBoundsTheCount() {
    java.util.SplittableRandom random = new java.util.SplittableRandom(12);
    String alphabet = "a\"\\\n\u0001\u001f\u00e9\u20ac\ud83d\ude00";
    for (String worst : List.of("", "\u0001".repeat(1000), "\ud83d\ude00".repeat(500), "\"\\".repeat(300))) {
      assertThat(ResultRenderer.jsonStringBytes(worst)).isLessThanOrEqualTo(
          ResultRenderer.maxJsonStringBytes(worst.length()));
    }
    assertThat(ResultRenderer.jsonStringBytes("\u0001".repeat(1000)))
        .isEqualTo(ResultRenderer.maxJsonStringBytes(1000));
    for (int i = 0; i < 2_000; i++) {
      StringBuilder b = new StringBuilder();
      int len = random.nextInt(0, 80);
      for (int k = 0; k < len; k++) {
        b.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String text = b.toString();
      assertThat(ResultRenderer.jsonStringBytes(text)).as(text).isLessThanOrEqualTo(
          ResultRenderer.maxJsonStringBytes(text.length()));
    }
  }

  @Test
  @DisplayName("a result near the size limit is still measured exactly: below it fits, above it does not")
  void fitsNearTheLimit() {
    ResultRenderer renderer = new ResultRenderer(JSON);
    // a newline is 3 bytes in the text (escaped twice: \\n) and 2 in the structured copy: 5 bytes on the wire
    int chars = (int) (ResultRenderer.MAX_RESULT_BYTES / 5);
    ObjectNode below = JSON.createObjectNode().put("content", "\n".repeat(chars - 4096));
    ObjectNode above = JSON.createObjectNode().put("content", "\n".repeat(chars + 4096));
    assertThat(renderer.fits(below)).isTrue();
    assertThat(renderer.fits(above)).isFalse();
    assertThat(renderer.wireBytes(above)).isGreaterThan(ResultRenderer.MAX_RESULT_BYTES);
  }

  private static boolean isWellFormed(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }
}
