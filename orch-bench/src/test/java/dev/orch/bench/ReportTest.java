package dev.orch.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The benchmark report")
class ReportTest {
  @Test
  @DisplayName("prints one table row per figure with its baseline and target, failures and skips marked")
  void printsEveryRow() {
    Report report = new Report();
    report.put(Row.STARTUP, new Report.Result("180 ms", "bare JVM 60 ms", "3.00×", "median of 5"));
    report.fail(List.of(Row.EVENTS), "IllegalStateException: run ended failed");
    report.skip(List.of(Row.LIST_RUNS), "--only");
    String out = print(report);
    assertThat(out).contains("| startup | `initialize` answered after spawn, bin/orch-mcp (default launcher) | 180 ms"
        + " | bare JVM 60 ms | 3.00× | ≤ 200 ms | median of 5 |");
    assertThat(out).contains("| events | ").contains("| FAILED | — | — | ≥ 15 000 | IllegalStateException: run ended"
        + " failed |");
    assertThat(out).contains("| list-runs | ").contains("| skipped |");
    for (Row row : Row.values()) {
      assertThat(out).contains("| " + row.id() + " | ");
    }
    assertThat(report.complete()).isFalse();
  }

  @Test
  @DisplayName("is complete when every row has a figure or was skipped on purpose")
  void complete() {
    Report report = new Report();
    for (Row row : Row.values()) {
      if (row == Row.WAKE_CROSS) {
        report.skip(List.of(row), "--only");
      } else {
        report.put(row, new Report.Result("1", "2", "0.50×", "d"));
      }
    }
    assertThat(report.complete()).isTrue();
  }

  @Test
  @DisplayName("a pipe or a line break in a figure cannot break the table")
  void cellsAreSanitized() {
    Report report = new Report();
    report.put(Row.STARTUP, new Report.Result("1|2", "a\nb", "—", "x"));
    assertThat(print(report)).contains("| 1/2 | a b | — |");
  }

  @Test
  @DisplayName("units: ms with one decimal below 10, MiB as MB, counts with spaces, ratios with ×")
  void units() {
    assertThat(Report.ms(4.26)).isEqualTo("4.3 ms");
    assertThat(Report.ms(182.4)).isEqualTo("182 ms");
    assertThat(Report.mb(200L << 20)).isEqualTo("200 MB");
    assertThat(Report.count(15000)).isEqualTo("15 000");
    assertThat(Report.ratio(3, 2)).isEqualTo("1.50×");
    assertThat(Report.ratio(3, 0)).isEqualTo("—");
  }

  private static String print(Report report) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    report.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
