package dev.orch.mcp.internal.stdio;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * Splits the protocol input into lines (MCP stdio framing: one message per line, {@code '\n'} terminated; a
 * trailing {@code '\r'} is dropped). A line longer than the cap is not kept in memory: its bytes are skipped up to
 * the next line end and it is reported as {@link Line#tooLong()}. At EOF an unterminated last line is returned as a
 * line. Used by one thread.
 */
final class LineReader implements LineSource {
  private final InputStream in;
  private final int maxLineBytes;
  private final byte[] buffer = new byte[1 << 16];
  private final ByteArrayOutputStream line = new ByteArrayOutputStream(8192);
  private int pos;
  private int limit;

  /**
   * @param in the protocol input
   * @param maxLineBytes longest line kept, bytes (without the line end)
   */
  LineReader(InputStream in, int maxLineBytes) {
    this.in = Objects.requireNonNull(in, "in");
    this.maxLineBytes = maxLineBytes;
  }

  /**
   * @return the next line, or null at EOF when nothing is left
   * @throws IOException when reading fails
   */
  @Override
  public Line next() throws IOException {
    line.reset();
    boolean tooLong = false;
    long length = 0;
    while (true) {
      if (pos == limit) {
        limit = in.read(buffer, 0, buffer.length);
        pos = 0;
        if (limit <= 0) {
          limit = 0;
          if (length == 0) {
            return null;
          }
          return finish(tooLong);
        }
      }
      int start = pos;
      int end = start;
      while (end < limit && buffer[end] != '\n') {
        end++;
      }
      int n = end - start;
      length += n;
      if (!tooLong) {
        if (length > maxLineBytes) {
          tooLong = true;
          line.reset();
        } else {
          line.write(buffer, start, n);
        }
      }
      if (end < limit) {
        pos = end + 1;
        return finish(tooLong);
      }
      pos = limit;
    }
  }

  private Line finish(boolean tooLong) {
    if (tooLong) {
      return new Line(new byte[0], true);
    }
    byte[] bytes = line.toByteArray();
    if (bytes.length > 0 && bytes[bytes.length - 1] == '\r') {
      byte[] trimmed = new byte[bytes.length - 1];
      System.arraycopy(bytes, 0, trimmed, 0, trimmed.length);
      bytes = trimmed;
    }
    return new Line(bytes, false);
  }

  /**
   * One input line.
   *
   * @param bytes the line without its terminator (empty when too long)
   * @param tooLong true when the line was longer than the cap and was skipped
   */
  record Line(byte[] bytes, boolean tooLong) {
  }

  /** @return true when the line holds only spaces, tabs and carriage returns (or nothing) */
  static boolean blank(byte[] line) {
    for (byte b : line) {
      if (b != ' ' && b != '\t' && b != '\r') {
        return false;
      }
    }
    return true;
  }
}
