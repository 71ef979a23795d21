package dev.orch.store.fs.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongUnaryOperator;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads seq-numbered JSONL files ({@code events.jsonl}, inboxes) written append-only with strictly increasing
 * seqs. Only complete lines count: a last line without {@code '\n'} may be mid-write by another process and is
 * skipped; malformed lines are skipped with a warning.
 *
 * <p>To make sequential polling cheap it remembers, per file, a few {@code seq → byte offset just after that
 * line} cursors from earlier reads; a read with {@code afterSeq} starts at the cursor with the greatest seq
 * ≤ afterSeq instead of at the start of the file. Thread-safe.
 */
public final class SeqLineReader {
  private static final Logger LOG = LoggerFactory.getLogger(SeqLineReader.class);
  private static final int MAX_CURSORS_PER_FILE = 32;
  private static final int MAX_FILES = 4096;
  private static final int BLOCK = 65536;

  private final Map<Path, NavigableMap<Long, Long>> cursors = new ConcurrentHashMap<>();

  /**
   * @param file the JSONL file (missing → empty list)
   * @param afterSeq return items with seq &gt; afterSeq
   * @param limit at most this many items (≥ 1)
   * @param parser turns a line into an item; throws IllegalArgumentException for a malformed line
   * @param seqOf the seq of an item
   * @return items oldest first
   * @throws IOException on read failures other than a missing file
   */
  public <T> List<T> read(Path file, long afterSeq, int limit, Function<JsonNode, T> parser, ToLongFunction<T> seqOf)
      throws IOException {
    return read(file, afterSeq, limit, parser, seqOf, size -> -1);
  }

  /**
   * Like {@link #read(Path, long, int, Function, ToLongFunction)}, starting at the offset an index gives for the
   * line of seq {@code afterSeq + 1} (checked: when the first line read there is not that seq, the read is redone
   * from the cursors).
   *
   * @param startHint given the file size, the offset of the line of {@code afterSeq + 1}, or -1 when unknown
   */
  public <T> List<T> read(Path file, long afterSeq, int limit, Function<JsonNode, T> parser, ToLongFunction<T> seqOf,
      LongUnaryOperator startHint) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      long hint = startHint.applyAsLong(size);
      if (hint >= 0 && hint < size) {
        List<T> out = scan(ch, file, size, hint, afterSeq, limit, parser, seqOf);
        if (!out.isEmpty() && seqOf.applyAsLong(out.get(0)) == afterSeq + 1) {
          return out;
        }
      }
      return scan(ch, file, size, startOffset(file, afterSeq, size), afterSeq, limit, parser, seqOf);
    } catch (NoSuchFileException e) {
      return new ArrayList<>();
    }
  }

  private <T> List<T> scan(FileChannel ch, Path file, long size, long start, long afterSeq, int limit,
      Function<JsonNode, T> parser, ToLongFunction<T> seqOf) throws IOException {
    List<T> out = new ArrayList<>();
    // no larger than what is left to read: a poll for the newest event reads a few hundred bytes, and a 64 KiB
    // buffer for each would be most of what a follower allocates per event
    ByteBuffer buf = ByteBuffer.allocate((int) Math.max(0, Math.min(BLOCK, size - start)));
    byte[] carry = new byte[0];
    long pos = start;
    long lineStart = start;
    long lastSeq = -1;
    long lastEnd = -1;
    outer:
    while (pos < size) {
      buf.clear();
      buf.limit((int) Math.min(BLOCK, size - pos));
      JsonlTail.readFully(ch, buf, pos);
      int n = buf.position();
      if (n == 0) {
        break;
      }
      byte[] block = buf.array();
      int from = 0;
      for (int i = 0; i < n; i++) {
        if (block[i] != '\n') {
          continue;
        }
        byte[] line = concat(carry, block, from, i);
        carry = new byte[0];
        long lineEnd = pos + i + 1;
        T item = parseLine(file, line, lineStart, parser);
        if (item != null) {
          long seq = seqOf.applyAsLong(item);
          lastSeq = seq;
          lastEnd = lineEnd;
          if (seq > afterSeq) {
            out.add(item);
            if (out.size() >= limit) {
              break outer;
            }
          }
        }
        lineStart = lineEnd;
        from = i + 1;
      }
      carry = concat(carry, block, from, n);
      pos += n;
    }
    if (lastSeq >= 0) {
      remember(file, lastSeq, lastEnd);
    }
    return out;
  }

  /** Forgets cursors of a file (e.g. after it was truncated). */
  public void forget(Path file) {
    cursors.remove(file);
  }

  private long startOffset(Path file, long afterSeq, long size) {
    NavigableMap<Long, Long> map = cursors.get(file);
    if (map == null) {
      return 0;
    }
    synchronized (map) {
      Map.Entry<Long, Long> e = map.floorEntry(afterSeq);
      if (e == null) {
        return 0;
      }
      if (e.getValue() > size) {
        map.clear();
        return 0;
      }
      return e.getValue();
    }
  }

  private void remember(Path file, long seq, long offsetAfter) {
    if (cursors.size() >= MAX_FILES && !cursors.containsKey(file)) {
      cursors.clear();
    }
    NavigableMap<Long, Long> map = cursors.computeIfAbsent(file, f -> new TreeMap<>());
    synchronized (map) {
      map.put(seq, offsetAfter);
      while (map.size() > MAX_CURSORS_PER_FILE) {
        map.pollFirstEntry();
      }
    }
  }

  private static <T> T parseLine(Path file, byte[] line, long offset, Function<JsonNode, T> parser) {
    if (isBlank(line)) {
      return null;
    }
    try {
      return parser.apply(JsonSupport.parse(line, 0, line.length));
    } catch (IOException | IllegalArgumentException | NullPointerException e) {
      LOG.warn("skipping malformed line at byte {} of {}: {}", offset, file, e.getMessage());
      return null;
    }
  }

  private static boolean isBlank(byte[] line) {
    for (byte b : line) {
      if (b != ' ' && b != '\t' && b != '\r') {
        return false;
      }
    }
    return true;
  }

  private static byte[] concat(byte[] carry, byte[] block, int from, int to) {
    byte[] out = new byte[carry.length + (to - from)];
    System.arraycopy(carry, 0, out, 0, carry.length);
    System.arraycopy(block, from, out, carry.length, to - from);
    return out;
  }
}
