package dev.orch.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Timestamps write and read the TS server's form (Date.toISOString) exactly as java.time does")
class TimestampsTest {
  private static final DateTimeFormatter REFERENCE =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  @Test
  @DisplayName("format equals java.time's pattern and parse inverts it, for 20 000 instants from 1970 to 9999")
  void roundTrip() {
    SplittableRandom random = new SplittableRandom(42);
    long max = Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli();
    for (int i = 0; i < 20_000; i++) {
      Instant t = Instant.ofEpochMilli(random.nextLong(0, max));
      String text = Timestamps.format(t);
      assertThat(text).isEqualTo(REFERENCE.format(t));
      assertThat(Timestamps.parse(text)).isEqualTo(t);
    }
  }

  @Test
  @DisplayName("edges: a leap day, sub-millisecond digits dropped, years outside 0000-9999, other ISO-8601 forms")
  void edges() {
    assertThat(Timestamps.format(Instant.parse("2028-02-29T00:00:00.000Z"))).isEqualTo("2028-02-29T00:00:00.000Z");
    assertThat(Timestamps.format(Instant.parse("2026-12-01T10:11:12.345999Z"))).isEqualTo("2026-12-01T10:11:12.345Z");
    Instant far = Instant.parse("+10000-01-01T00:00:00Z");
    assertThat(Timestamps.format(far)).isEqualTo(REFERENCE.format(far));
    assertThat(Timestamps.parse("2026-12-01T10:11:12Z")).isEqualTo(Instant.parse("2026-12-01T10:11:12Z"));
    assertThat(Timestamps.parse("2026-12-01T10:11:12.123456Z")).isEqualTo(Instant.parse("2026-12-01T10:11:12.123456Z"));
  }

  @Test
  @DisplayName("a text that only looks like the form (Feb 30, letters) is refused with the text named; 24:00 is the "
      + "next day, as java.time reads it")
  void refusesLookAlikes() {
    for (String bad : new String[] {"2026-02-30T00:00:00.000Z", "2026-1x-01T00:00:00.000Z", "yesterday"}) {
      assertThatThrownBy(() -> Timestamps.parse(bad)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("not an ISO-8601 timestamp: " + bad);
    }
    assertThat(Timestamps.parse("2026-12-01T24:00:00.000Z")).isEqualTo(Instant.parse("2026-12-02T00:00:00Z"));
  }
}
