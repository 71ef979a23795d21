package dev.orch.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Benchmark statistics")
class StatsTest {
  @Test
  @DisplayName("the median of an odd count is the middle value, of an even count the mean of the middle two")
  void median() {
    assertThat(Stats.median(List.of(5.0, 1.0, 3.0))).isEqualTo(3.0);
    assertThat(Stats.median(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
    assertThat(Stats.median(List.of())).isZero();
  }

  @Test
  @DisplayName("percentiles are nearest-rank: p99 of 100 values is the 99th smallest, of 10 values the largest")
  void percentiles() {
    List<Double> hundred = new java.util.ArrayList<>();
    for (int i = 100; i >= 1; i--) {
      hundred.add((double) i);
    }
    assertThat(Stats.percentile(hundred, 99)).isEqualTo(99.0);
    assertThat(Stats.percentile(hundred, 50)).isEqualTo(50.0);
    assertThat(Stats.percentile(List.of(1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0), 99)).isEqualTo(10.0);
  }

  @Test
  @DisplayName("values are listed in measurement order, one decimal below 10")
  void list() {
    assertThat(Stats.list(List.of(182.4, 3.25, 190.0))).isEqualTo("182 3.3 190");
  }
}
