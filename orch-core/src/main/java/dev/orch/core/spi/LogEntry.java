package dev.orch.core.spi;

import dev.orch.core.NormalizedEvent;
import java.util.Objects;

/**
 * One event to append to a run's event log, with the position in the backend's output it was read from.
 *
 * <p>The source position lets a later Orch process re-attach to an agent that outlived its server (SPEC §12.8):
 * the backend re-reads its output from the start and the engine drops every event whose position is at or before
 * the last position already in the log, so nothing is recorded twice and nothing is lost.
 *
 * @param event the stamped event
 * @param sourcePosition {@code (byte offset of the output line << 8) | index of the event within that line}, or
 *     {@link #NO_POSITION} for events that do not come from re-readable backend output (engine events, timers,
 *     answers to live input)
 */
public record LogEntry(NormalizedEvent event, long sourcePosition) {
  /** The position of an event that was not read from backend output. */
  public static final long NO_POSITION = -1;

  /** @throws NullPointerException when event is null; IllegalArgumentException for a position below -1 */
  public LogEntry {
    Objects.requireNonNull(event, "event");
    if (sourcePosition < NO_POSITION) {
      throw new IllegalArgumentException("sourcePosition must be >= -1, was " + sourcePosition);
    }
  }

  /**
   * @param lineOffset byte offset of the output line's first byte, ≥ 0
   * @param indexInLine index of the event among those read from that line, 0..255
   * @return the packed position
   * @throws IllegalArgumentException when an argument is out of range
   */
  public static long position(long lineOffset, int indexInLine) {
    if (lineOffset < 0 || lineOffset > (Long.MAX_VALUE >> 8) || indexInLine < 0 || indexInLine > 255) {
      throw new IllegalArgumentException("position out of range: " + lineOffset + "/" + indexInLine);
    }
    return (lineOffset << 8) | indexInLine;
  }
}
