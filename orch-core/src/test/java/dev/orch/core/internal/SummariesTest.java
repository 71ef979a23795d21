package dev.orch.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.EventType;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Run summaries (SPEC §3)")
class SummariesTest {
  private static final ObjectMapper M = new ObjectMapper();

  private static ObjectNode json(String s) throws Exception {
    return (ObjectNode) M.readTree(s);
  }

  @Test
  @DisplayName("name the latest event the way the SPEC examples do")
  void specExamples() throws Exception {
    assertThat(Summaries.of(EventType.RUN_STARTED, json("{}"))).isEqualTo("Run started");
    assertThat(Summaries.of(EventType.COMMAND_FINISHED, json("{\"command\":\"ls -la\"}")))
        .isEqualTo("command_finished: ls -la");
    assertThat(Summaries.of(EventType.FILE_CHANGED, json("{\"changes\":[{\"path\":\"a\"},{\"path\":\"b\"}]}")))
        .isEqualTo("Updated 2 file(s)");
    assertThat(Summaries.of(EventType.RUN_FAILED, json("{\"message\":\"model said no\"}")))
        .isEqualTo("Run failed: model said no");
  }

  @Test
  @DisplayName("collapse agent text to one line and cut it at 120 characters without splitting a surrogate pair")
  void agentTextIsOneLine() throws Exception {
    String longText = "line one\n\n  line two " + "x".repeat(200);
    String s = Summaries.of(EventType.AGENT_MESSAGE, json(M.writeValueAsString(java.util.Map.of("text", longText))));
    assertThat(s).startsWith("line one line two xxx").doesNotContain("\n").hasSize(123).endsWith("...");
    String emoji = "a".repeat(119) + "\uD83D\uDE00" + "tail";
    String e = Summaries.oneLine(emoji);
    assertThat(e).isEqualTo("a".repeat(119) + "...");
  }

  @Test
  @DisplayName("oneLine collapses whitespace exactly as replaceAll(\"\\\\s+\", \" \").trim() did, for 5 000 random texts")
  void oneLineMatchesTheRegex() {
    java.util.SplittableRandom random = new java.util.SplittableRandom(7);
    char[] alphabet = {'a', 'b', ' ', ' ', '\t', '\n', '\r', '\f', '\u000B', '\u0001', '\u00a0', '\u2028', 'x'};
    for (int i = 0; i < 5_000; i++) {
      StringBuilder b = new StringBuilder();
      int len = random.nextInt(0, 40);
      for (int k = 0; k < len; k++) {
        b.append(alphabet[random.nextInt(alphabet.length)]);
      }
      String text = b.toString();
      String expected = text.replaceAll("\\s+", " ").trim();
      assertThat(Summaries.oneLine(text)).as("%s", text.chars().boxed().toList()).isEqualTo(
          expected.length() <= Summaries.MAX_CHARS ? expected : Summaries.oneLine(expected));
    }
  }
}
