package dev.orch.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A wake-up sample is the time from the CLI's print to the client's read, at microsecond resolution")
class WakeTest {

  @Test
  @DisplayName("an event printed while the poll waited counts now − printed, sub-millisecond parts included")
  void counted() {
    List<Double> out = new ArrayList<>();
    Instant sent = Instant.parse("2026-12-02T00:00:00.000100Z");
    Instant now = Instant.parse("2026-12-02T00:00:00.004350Z");
    Wake.sample(out, sent, now, String.format(java.util.Locale.ROOT, "%.3f", Wake.epochMs(sent) + 1.125));
    assertThat(out).hasSize(1);
    assertThat(out.get(0)).isCloseTo(3.125, within(0.0005));
  }

  @Test
  @DisplayName("an event printed before the poll was sent measures the client's lag and is left out")
  void lagLeftOut() {
    List<Double> out = new ArrayList<>();
    Instant sent = Instant.parse("2026-12-02T00:00:01Z");
    Wake.sample(out, sent, sent.plusMillis(3), String.format(java.util.Locale.ROOT, "%.3f",
        Wake.epochMs(sent) - 0.5));
    assertThat(out).isEmpty();
  }

  @Test
  @DisplayName("a tick whose text is not a time stops the row with the text in the message")
  void notATime() {
    assertThatThrownBy(() -> Wake.sample(new ArrayList<>(), Instant.now(), Instant.now(), "hello"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("hello");
  }
}
