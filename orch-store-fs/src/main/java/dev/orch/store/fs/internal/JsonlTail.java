package dev.orch.store.fs.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Reads JSONL files from their end: where the last complete line ends (to drop a torn tail) and which is the
 * last valid line (to continue a seq). Cost is proportional to the length of the last lines, not of the file.
 */
public final class JsonlTail {
  private static final int BLOCK = 8192;

  private JsonlTail() {
  }

  /** @return the offset just after the last {@code '\n'} of the file, 0 when there is none */
  public static long completeEnd(FileChannel ch) throws IOException {
    return afterLastNewline(ch, ch.size());
  }

  /**
   * Walks complete lines backwards from {@code end} (an offset just after a {@code '\n'}, or 0) and returns the
   * first that parses as JSON and satisfies {@code accept}.
   *
   * @return the line's JSON, or empty when no line qualifies
   */
  public static Optional<JsonNode> lastValid(FileChannel ch, long end, Predicate<JsonNode> accept)
      throws IOException {
    long lineEnd = end;
    while (lineEnd > 0) {
      long lineStart = lineStart(ch, lineEnd);
      int len = (int) (lineEnd - 1 - lineStart);
      if (len > 0) {
        ByteBuffer buf = ByteBuffer.allocate(len);
        readFully(ch, buf, lineStart);
        try {
          JsonNode node = JsonSupport.parse(buf.array(), 0, len);
          if (accept.test(node)) {
            return Optional.of(node);
          }
        } catch (IOException malformed) {
          // keep walking back: a malformed line carries no seq
        }
      }
      lineEnd = lineStart;
    }
    return Optional.empty();
  }

  /** @return the start offset of the line whose terminating {@code '\n'} is at {@code lineEnd - 1} */
  private static long lineStart(FileChannel ch, long lineEnd) throws IOException {
    return afterLastNewline(ch, lineEnd - 1);
  }

  /**
   * Scans backwards in blocks of {@value #BLOCK} bytes.
   *
   * @return the offset just after the last {@code '\n'} before offset {@code before}, 0 when there is none
   */
  private static long afterLastNewline(FileChannel ch, long before) throws IOException {
    long pos = before;
    ByteBuffer buf = ByteBuffer.allocate(BLOCK);
    while (pos > 0) {
      int n = (int) Math.min(BLOCK, pos);
      long start = pos - n;
      buf.clear().limit(n);
      readFully(ch, buf, start);
      for (int i = n - 1; i >= 0; i--) {
        if (buf.get(i) == '\n') {
          return start + i + 1;
        }
      }
      pos = start;
    }
    return 0;
  }

  /** Fills {@code buf} from {@code position}; stops early only at end of file. */
  static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos);
      if (n < 0) {
        return;
      }
      pos += n;
    }
  }
}
