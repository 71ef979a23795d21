package dev.orch.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orch.core.RunRef;
import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("orch output: colours, tables, event lines, references, usage sums")
class OutputFormattingTest {
  private static final Terminal PLAIN = new Terminal(false, false, false, false, 60);
  private static final Terminal COLOUR = new Terminal(true, true, true, true, 60);

  private static JsonNode json(String s) throws Exception {
    return Wire.JSON.readTree(s);
  }

  @Test
  @DisplayName("colours only on a terminal, never with NO_COLOR, always with CLICOLOR_FORCE")
  void colours() {
    // the test JVM's stdout is not a terminal
    assertThat(Terminal.detect(Map.of()).color()).isFalse();
    assertThat(Terminal.detect(Map.of("CLICOLOR_FORCE", "1")).color()).isTrue();
    assertThat(Terminal.detect(Map.of("CLICOLOR_FORCE", "0")).color()).isFalse();
    assertThat(Terminal.detect(Map.of("COLUMNS", "80")).width()).isEqualTo(80);
    assertThat(PLAIN.status("failed")).isEqualTo("failed");
    assertThat(COLOUR.status("failed")).isEqualTo("\u001b[31mfailed\u001b[0m");
  }

  @Test
  @DisplayName("tables pad columns by their visible width and cut the last column to the terminal width")
  void tables() {
    String out = new Table("ID", "STATUS", "SUMMARY").row("a", COLOUR.status("completed"), "x".repeat(100))
        .row("bbb", "queued", "short\nline").render(PLAIN);
    String[] lines = out.split("\n");
    assertThat(lines[0]).isEqualTo("ID   STATUS     SUMMARY");
    assertThat(lines[1]).startsWith("a    \u001b[32mcompleted\u001b[0m  xxx").endsWith("…");
    assertThat(Table.visible(lines[1])).isEqualTo(60);
    assertThat(lines[2]).isEqualTo("bbb  queued     short line");
  }

  @Test
  @DisplayName("event lines show what happened on one line")
  void eventText() throws Exception {
    assertThat(EventText.describe("command_finished", json("{\"command\":\"ls -la\",\"exit_code\":0}")))
        .isEqualTo("ls -la (exit 0)");
    assertThat(EventText.describe("agent_message", json("{\"text\":\"two\\n  lines\"}"))).isEqualTo("two lines");
    assertThat(EventText.describe("file_changed", json("{\"changes\":[{\"path\":\"a.txt\",\"kind\":\"add\"},"
        + "{\"path\":\"b.txt\",\"kind\":\"update\"}]}"))).isEqualTo("add a.txt, update b.txt");
    assertThat(EventText.describe("status_changed", json("{\"status\":\"cancelled\",\"reason\":\"user\"}")))
        .isEqualTo("cancelled (user)");
    assertThat(EventText.oneLine("y".repeat(300), 10)).hasSize(10).endsWith("…");
  }

  @Test
  @DisplayName("a UUID is a run id, anything else an agent name (within --cwd when given)")
  void references() {
    assertThat(Refs.of("123e4567-e89b-12d3-a456-426614174000", null))
        .isEqualTo(new RunRef("123e4567-e89b-12d3-a456-426614174000", null, null));
    RunRef byName = Refs.of("scout", "/tmp/work/../work");
    assertThat(byName.runId()).isNull();
    assertThat(byName.agentName()).isEqualTo("scout");
    assertThat(byName.cwd()).isEqualTo("/tmp/work");
  }

  @Test
  @DisplayName("usage sums read codex's flat usage and claude's nested usage, and round reported costs")
  void usageSums() throws Exception {
    UsageCommand.Sum s = new UsageCommand.Sum();
    s.add(json("{\"input_tokens\":120,\"cached_input_tokens\":20,\"output_tokens\":12,"
        + "\"reasoning_output_tokens\":3}"));
    s.add(json("{\"usage\":{\"input_tokens\":100,\"cache_read_input_tokens\":5,\"output_tokens\":7},"
        + "\"total_cost_usd\":0.00091}"));
    s.add(json("{\"usage\":{\"input_tokens\":1},\"total_cost_usd\":0.00182}"));
    JsonNode n = s.toJson("all");
    assertThat(n.path("runs_with_usage").asLong()).isEqualTo(3);
    assertThat(n.path("input_tokens").asLong()).isEqualTo(221);
    assertThat(n.path("cached_input_tokens").asLong()).isEqualTo(25);
    assertThat(n.path("output_tokens").asLong()).isEqualTo(19);
    assertThat(n.path("reasoning_output_tokens").asLong()).isEqualTo(3);
    assertThat(n.path("reported_cost_usd").decimalValue()).isEqualByComparingTo("0.00273");
    assertThat(UsageCommand.rounded(new BigDecimal("0.0027300000000000003")).toPlainString()).isEqualTo("0.00273");
  }
}
