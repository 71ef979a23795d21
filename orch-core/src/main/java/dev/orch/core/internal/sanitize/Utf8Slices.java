package dev.orch.core.internal.sanitize;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Byte-range reads of UTF-8 artifact content that never split a character (SPEC §2 {@code get_event_artifact},
 * SPEC §11.10): the start moves forward to the next character boundary, the end moves back to the previous
 * one, and a limit smaller than one character still returns that whole character so a reader paging with
 * {@code offset + returnedBytes} always progresses.
 *
 * <p>Bytes that are not valid UTF-8 (for example content cut by the TS server) are handled without error:
 * at most 3 continuation bytes are skipped or backed over, and a stray byte counts as a one-byte character.
 */
public final class Utf8Slices {

  /**
   * How many bytes past {@code offset + limit} a window must hold (unless it reaches the end): 3 to find the
   * start boundary, 4 for one whole character, 1 to see whether the end is a boundary.
   */
  public static final int WINDOW_SLACK_BYTES = 8;

  private Utf8Slices() {
  }

  /**
   * One slice.
   *
   * @param offset where the slice starts, in bytes from the start of the whole content: the requested offset,
   *     moved forward to the next character boundary if it pointed inside a character
   * @param content the bytes of the slice (a copy; empty when the offset is at or past the end)
   * @param hasMore true if content remains after {@code offset + returnedBytes()}
   */
  public record Slice(long offset, byte[] content, boolean hasMore) {
    /** @return {@code content.length} */
    public int returnedBytes() {
      return content.length;
    }

    /** @return where the next read starts: {@code offset + returnedBytes()} */
    public long nextOffset() {
      return offset + content.length;
    }

    /** @return the content decoded as UTF-8 */
    public String text() {
      return new String(content, StandardCharsets.UTF_8);
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
   *     {@code [offset, min(totalBytes, offset + limit + WINDOW_SLACK_BYTES))}
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
      return new Slice(offset, new byte[0], false);
    }
    long needed = Math.min(totalBytes, offset + limit + WINDOW_SLACK_BYTES);
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
      long boundary = end;
      while (boundary > start && end - boundary < 3 && isContinuation(window[(int) (boundary - windowStart)])) {
        boundary--;
      }
      end = boundary;
    }
    if (end <= start && start < totalBytes) {
      end = Math.min(totalBytes, start + sequenceLength(window[(int) (start - windowStart)]));
    }
    byte[] content = start >= end ? new byte[0]
        : Arrays.copyOfRange(window, (int) (start - windowStart), (int) (end - windowStart));
    return new Slice(start, content, start + content.length < totalBytes);
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
