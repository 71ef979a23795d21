package dev.orch.core;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * ISO-8601 UTC timestamps with exactly three fraction digits, e.g. {@code 2026-11-21T19:35:35.748Z}: the format
 * the TS server writes (JavaScript {@code Date.toISOString()}), kept for wire compatibility.
 */
public final class Timestamps {
  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private Timestamps() {
  }

  /** @return the instant formatted with millisecond precision in UTC */
  public static String format(Instant instant) {
    return FORMAT.format(instant);
  }

  /**
   * @param text an ISO-8601 instant such as {@code 2026-11-21T19:35:35.748Z}
   * @return the instant
   * @throws IllegalArgumentException when the text is not an ISO-8601 instant
   */
  public static Instant parse(String text) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("not an ISO-8601 timestamp: " + text, e);
    }
  }

  /** @return the current time truncated to milliseconds */
  public static Instant now(java.time.Clock clock) {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }
}
