package dev.orch.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A wake-up sample is the time from the CLI's print to the client's read, at microsecond resolution")
class WakeTest {

  @Test
  @DisplayName("an event printed while the poll waited counts now − printed, sub-millisecond parts included")
  void counted() {
    Wake.Samples out = new Wake.Samples();
    Instant sent = Instant.parse("2026-12-02T00:00:00.000100Z");
    Instant now = Instant.parse("2026-12-02T00:00:00.004350Z");
    out.add(sent, now, String.format(java.util.Locale.ROOT, "%.3f", Wake.epochMs(sent) + 1.125),
        Instant.parse("2026-12-02T00:00:00.002Z"));
    assertThat(out.fromPrint).hasSize(1);
    assertThat(out.fromPrint.get(0)).isCloseTo(3.125, within(0.0005));
    assertThat(out.fromTs).hasSize(1);
    assertThat(out.fromTs.get(0)).as("from the engine's millisecond ts").isCloseTo(2.35, within(0.0005));
  }

  @Test
  @DisplayName("an event printed before the poll was sent measures the client's lag and is left out")
  void lagLeftOut() {
    Wake.Samples out = new Wake.Samples();
    Instant sent = Instant.parse("2026-12-02T00:00:01Z");
    out.add(sent, sent.plusMillis(3), String.format(java.util.Locale.ROOT, "%.3f",
        Wake.epochMs(sent) - 0.5), sent);
    assertThat(out.fromPrint).isEmpty();
    assertThat(out.fromTs).isEmpty();
  }

  @Test
  @DisplayName("a tick whose text is not a time stops the row with the text in the message")
  void notATime() {
    assertThatThrownBy(() -> new Wake.Samples().add(Instant.now(), Instant.now(), "hello", Instant.now()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("hello");
  }
}
