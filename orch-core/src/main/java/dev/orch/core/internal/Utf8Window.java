package dev.orch.core.internal;

/**
 * A window of UTF-8 bytes that never cuts a character (SPEC §2 get_event_artifact, §11.10): the start moves
 * forward past continuation bytes, the end moves back to a character boundary; a window smaller than one
 * character still returns that whole character so reading always progresses.
 *
 * @param start index in the buffer where the returned text starts
 * @param length number of bytes returned
 * @param offset absolute byte offset of {@code start}
 */
record Utf8Window(int start, int length, long offset) {

  /**
   * @param buf bytes read from absolute offset {@code offset}, at most {@code limit + 3} bytes
   * @param offset absolute offset of buf[0]
   * @param limit requested maximum length in bytes
   * @return the window
   */
  static Utf8Window of(byte[] buf, long offset, int limit) {
    int start = 0;
    while (start < buf.length && isContinuation(buf[start])) {
      start++;
    }
    int end = Math.min(buf.length, start + limit);
    if (end < buf.length) {
      while (end > start && isContinuation(buf[end])) {
        end--;
      }
      if (end == start) {
        end = start + charLength(buf[start]);
        end = Math.min(end, buf.length);
      }
    }
    return new Utf8Window(start, end - start, offset + start);
  }

  private static boolean isContinuation(byte b) {
    return (b & 0xC0) == 0x80;
  }

  private static int charLength(byte lead) {
    int b = lead & 0xFF;
    if (b >= 0xF0) {
      return 4;
    }
    if (b >= 0xE0) {
      return 3;
    }
    if (b >= 0xC0) {
      return 2;
    }
    return 1;
  }
}
