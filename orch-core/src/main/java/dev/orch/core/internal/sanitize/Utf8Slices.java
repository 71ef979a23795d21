package dev.orch.core.internal.sanitize;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Byte-range reads of UTF-8 artifact content that never split a character (SPEC §2 {@code get_event_artifact},
 * SPEC §11.10): the start moves forward to the next character boundary, the end moves back to the previous
 * one, and a limit smaller than one character still returns that whole character so a reader paging with
 * {@code offset + returnedBytes} always progresses.
 *
 * <p>The end is found from the bytes before it: the slice ends before the last character that starts within 3 bytes
 * of the end when that character does not fit, so a read of {@code limit} ≥ {@value #MIN_LIMIT_WITHOUT_SLACK} bytes
 * needs no byte past {@code offset + limit} ({@link #windowEnd}). Until 2026-12-03 the end looked at the byte after
 * it, and every 256 KiB slice of an artifact read 8 bytes of the next 64 KiB chunk file: from a cold page cache that
 * small read cost its own disk request, about 15 % of the read (issue 8 item 4).
 *
 * <p>Bytes that are not valid UTF-8 (for example content cut by the TS server) are handled without error:
 * at most 3 continuation bytes are skipped at the start, stray continuation bytes before the end are returned as
 * they are, and a stray byte counts as a one-byte character.
 */
public final class Utf8Slices {

  /**
   * How many bytes past {@code offset + limit} a window must hold (unless it reaches the end) when {@code limit} is
   * below {@link #MIN_LIMIT_WITHOUT_SLACK}: 3 to find the start boundary and 4 for one whole character, which such
   * a slice may return beyond its limit.
   */
  public static final int WINDOW_SLACK_BYTES = 8;

  /**
   * The smallest limit whose slice never looks past {@code offset + limit}: its start moves at most 3 bytes forward
   * and its end at most 3 back, so it holds at least one byte and never grows to a whole character.
   */
  public static final int MIN_LIMIT_WITHOUT_SLACK = 8;

  private Utf8Slices() {
  }

  /**
   * One slice: a range of the bytes it was cut from (no copy is made until {@link #content} is asked for; a 256 KiB
   * artifact slice is decoded straight from the window the store read, issue 8 item 4).
   */
  public static final class Slice {
    private static final byte[] NONE = new byte[0];
    private final long offset;
    private final byte[] source;
    private final int from;
    private final int length;
    private final boolean hasMore;

    private Slice(long offset, byte[] source, int from, int length, boolean hasMore) {
      this.offset = offset;
      this.source = source;
      this.from = from;
      this.length = length;
      this.hasMore = hasMore;
    }

    /**
     * @return where the slice starts, in bytes from the start of the whole content: the requested offset, moved
     *     forward to the next character boundary if it pointed inside a character
     */
    public long offset() {
      return offset;
    }

    /** @return the bytes of the slice (a copy; empty when the offset is at or past the end) */
    public byte[] content() {
      return Arrays.copyOfRange(source, from, from + length);
    }

    /** @return true if content remains after {@code offset + returnedBytes()} */
    public boolean hasMore() {
      return hasMore;
    }

    /** @return the length of the content, bytes */
    public int returnedBytes() {
      return length;
    }

    /** @return where the next read starts: {@code offset + returnedBytes()} */
    public long nextOffset() {
      return offset + length;
    }

    /** @return the content decoded as UTF-8 (straight from the source bytes) */
    public String text() {
      return new String(source, from, length, StandardCharsets.UTF_8);
    }
  }

  /**
   * Slices whole content.
   *
   * @param content all bytes (not modified)
   * @param offset start in bytes, ≥ 0; at or past the end gives an empty slice with {@code hasMore} false
   * @param limit maximum bytes to return, ≥ 1 (exceeded only to return one whole character)
   * @return the largest slice within {@code [offset, offset + limit)} that starts and ends on character boundaries
   * @throws IllegalArgumentException if {@code offset < 0} or {@code limit < 1}
   */
  public static Slice slice(byte[] content, long offset, int limit) {
    return slice(content, 0, content.length, offset, limit);
  }

  /**
   * Slices a window of a larger content, e.g. bytes read from chunk files.
   *
   * @param window bytes {@code [windowStart, windowStart + window.length)} of the content (not modified)
   * @param windowStart position of {@code window[0]} in the whole content, ≥ 0
   * @param totalBytes size of the whole content
   * @param offset start in bytes of the whole content, ≥ 0
   * @param limit maximum bytes to return, ≥ 1
   * @return as {@link #slice(byte[], long, int)} on the whole content
   * @throws IllegalArgumentException if {@code offset < 0}, {@code limit < 1}, the window lies outside
   *     {@code [0, totalBytes]}, or (when {@code offset < totalBytes}) the window does not cover
   *     {@code [offset, windowEnd(offset, limit, totalBytes))}
   */
  public static Slice slice(byte[] window, long windowStart, long totalBytes, long offset, int limit) {
    if (offset < 0 || limit < 1) {
      throw new IllegalArgumentException("offset must be >= 0 and limit >= 1: offset=" + offset + " limit=" + limit);
    }
    long windowEnd = windowStart + window.length;
    if (windowStart < 0 || windowEnd > totalBytes) {
      throw new IllegalArgumentException("window [" + windowStart + ", " + windowEnd + ") outside [0, " + totalBytes + "]");
    }
    if (offset >= totalBytes) {
      return new Slice(offset, Slice.NONE, 0, 0, false);
    }
    long needed = windowEnd(offset, limit, totalBytes);
    if (offset < windowStart || windowEnd < needed) {
      throw new IllegalArgumentException("window [" + windowStart + ", " + windowEnd + ") does not cover ["
          + offset + ", " + needed + ")");
    }
    long start = offset;
    while (start < totalBytes && start - offset < 3 && isContinuation(window[(int) (start - windowStart)])) {
      start++;
    }
    long end = Math.min(offset + limit, totalBytes);
    if (end < totalBytes) {
      // the last character starting in the 3 bytes before the end: cut before it when it does not fit
      for (long p = end - 1; p >= start && end - p <= 3; p--) {
        byte b = window[(int) (p - windowStart)];
        if (!isContinuation(b)) {
          if (p + sequenceLength(b) > end) {
            end = p;
          }
          break;
        }
      }
    }
    if (end <= start && start < totalBytes) {
      end = Math.min(totalBytes, start + sequenceLength(window[(int) (start - windowStart)]));
    }
    int length = (int) Math.max(0, end - start);
    return new Slice(start, window, length == 0 ? 0 : (int) (start - windowStart), length, start + length < totalBytes);
  }

  /**
   * @return where the bytes a slice needs end (exclusive): {@code offset + limit} for a limit of at least
   *     {@link #MIN_LIMIT_WITHOUT_SLACK} bytes, {@link #WINDOW_SLACK_BYTES} more for a smaller one, never past
   *     {@code totalBytes}; a store reads {@code [offset, windowEnd)} for {@link #slice(byte[], long, long, long, int)}
   */
  public static long windowEnd(long offset, int limit, long totalBytes) {
    long slack = limit >= MIN_LIMIT_WITHOUT_SLACK ? 0 : WINDOW_SLACK_BYTES;
    return Math.min(totalBytes, offset + limit + slack);
  }

  private static boolean isContinuation(byte b) {
    return (b & 0xC0) == 0x80;
  }

  /** @return the length of the UTF-8 sequence a lead byte starts (1 for ASCII and for invalid lead bytes) */
  private static int sequenceLength(byte lead) {
    int b = lead & 0xFF;
    if (b >= 0xF0 && b <= 0xF7) {
      return 4;
    }
    if (b >= 0xE0) {
      return b <= 0xEF ? 3 : 1;
    }
    return b >= 0xC0 ? 2 : 1;
  }
}
