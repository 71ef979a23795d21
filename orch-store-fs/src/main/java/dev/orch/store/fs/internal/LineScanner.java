package dev.orch.store.fs.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Walks the complete lines of a JSONL file between two offsets in 64 KiB blocks and reads only each line's
 * top-level {@code seq} (a streaming parse that stops at that key), for rebuilding the event index. Not
 * thread-safe.
 */
final class LineScanner {
  private static final JsonFactory JSON = new JsonFactory();
  private static final int BLOCK = 65536;

  /** A complete line: where it starts, and its top-level seq (-1 when it has none or is not JSON). */
  record Line(long offset, long seq) {
  }

  private final FileChannel ch;
  private final long end;
  private long pos;
  private final ByteBuffer buf = ByteBuffer.allocate(BLOCK);
  private long bufStart;
  private int bufLen;

  LineScanner(FileChannel ch, long from, long end) {
    this.ch = ch;
    this.pos = from;
    this.end = end;
    this.bufStart = from;
  }

  /** @return the offset just after the last line returned */
  long position() {
    return pos;
  }

  /** @return the next complete line, or null at {@code end} */
  Line next() throws IOException {
    long lineStart = pos;
    java.io.ByteArrayOutputStream line = null;
    while (pos < end) {
      if (pos >= bufStart + bufLen) {
        buf.clear();
        buf.limit((int) Math.min(BLOCK, end - pos));
        JsonlTail.readFully(ch, buf, pos);
        bufStart = pos;
        bufLen = buf.position();
        if (bufLen == 0) {
          return null;
        }
      }
      int i = (int) (pos - bufStart);
      byte[] a = buf.array();
      int from = i;
      while (i < bufLen && a[i] != '\n') {
        i++;
      }
      if (i < bufLen) {
        pos = bufStart + i + 1;
        byte[] bytes;
        int off;
        int len;
        if (line == null) {
          bytes = a;
          off = from;
          len = i - from;
        } else {
          line.write(a, from, i - from);
          bytes = line.toByteArray();
          off = 0;
          len = bytes.length;
        }
        return new Line(lineStart, seqOf(bytes, off, len));
      }
      if (line == null) {
        line = new java.io.ByteArrayOutputStream();
      }
      line.write(a, from, bufLen - from);
      pos = bufStart + bufLen;
    }
    return null;
  }

  /** @return the top-level "seq" number of a JSON object line, or -1 */
  static long seqOf(byte[] bytes, int off, int len) {
    try (JsonParser p = JSON.createParser(bytes, off, len)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return -1;
      }
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        if ("seq".equals(name)) {
          return v == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : -1;
        }
        p.skipChildren();
      }
      return -1;
    } catch (IOException e) {
      return -1;
    }
  }
}
