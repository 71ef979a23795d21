package dev.orch.store.fs.internal;

import dev.orch.core.spi.LogEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seq → byte offset index of one event log, {@code runs/<run_id>/events.idx} (an Orch file; the TS server
 * neither writes nor needs it). It makes {@code poll_events} at any seq O(1) instead of a scan of the log, and keeps
 * each event's source position for re-attachment (SPEC §12.8).
 *
 * <p>Layout: a 16-byte header ({@code "ORCHIDX1"}, then the first seq as a big-endian long), then one 16-byte
 * entry per event in seq order: the byte offset of the event's line in {@code events.jsonl} and its
 * {@link LogEntry#sourcePosition()}. Entry {@code k} belongs to seq {@code firstSeq + k}.
 *
 * <p>Entries are written before the log lines they describe (never forced on their own): after a crash the index
 * may run ahead of the log, never behind it for events a process wrote before it died; {@link #open} cuts what
 * runs ahead and rebuilds what is missing (positions of rebuilt entries are unknown). The index is a cache: a
 * missing or damaged index is rebuilt from the log. Not thread-safe (the log's single appender).
 */
public final class EventIndex implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EventIndex.class);
  static final String SUFFIX = ".idx";
  private static final byte[] MAGIC = "ORCHIDX1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  static final int HEADER = 16;
  static final int ENTRY = 16;

  private final Path file;
  private final FileChannel channel;
  private long firstSeq;
  private long count;
  private long lastPosition;
  private final ByteBuffer pending = ByteBuffer.allocate(ENTRY * 256);
  private long pendingFirst = -1;

  private EventIndex(Path file, FileChannel channel, long firstSeq, long count, long lastPosition) {
    this.file = file;
    this.channel = channel;
    this.firstSeq = firstSeq;
    this.count = count;
    this.lastPosition = lastPosition;
  }

  /** @return the index file of an event log */
  static Path fileFor(Path log) {
    return log.resolveSibling(log.getFileName().toString().replace(".jsonl", "") + SUFFIX);
  }

  /**
   * Opens the index of a log for appending, repairing it to describe exactly the log's complete lines.
   *
   * @param log the log file
   * @param logChannel an open read channel of the log
   * @param logEnd offset just after the log's last complete line
   * @param lastSeq seq of the log's last complete line (0 when empty)
   * @throws IOException when the index cannot be read or written
   */
  static EventIndex open(Path log, FileChannel logChannel, long logEnd, long lastSeq) throws IOException {
    return open(fileFor(log), log, logChannel, logEnd, lastSeq);
  }

  private static EventIndex open(Path file, Path log, FileChannel logChannel, long logEnd, long lastSeq)
      throws IOException {
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
        StandardOpenOption.CREATE);
    try {
      EventIndex idx = repair(file, ch, log, logChannel, logEnd, lastSeq);
      return idx;
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  private static EventIndex repair(Path file, FileChannel ch, Path log, FileChannel logCh, long logEnd,
      long lastSeq) throws IOException {
    if (lastSeq == 0) {
      ch.truncate(0);
      return new EventIndex(file, ch, 0, 0, LogEntry.NO_POSITION);
    }
    long first = header(ch);
    long entries = first < 1 ? 0 : (ch.size() - HEADER) / ENTRY;
    if (first >= 1 && entries > 0) {
      long have = Math.min(entries, lastSeq - first + 1);
      if (have > 0 && lineSeqAt(logCh, offsetAt(ch, have - 1), logEnd) == first + have - 1) {
        ch.truncate(HEADER + have * ENTRY);
        EventIndex idx = new EventIndex(file, ch, first, have, LogEntry.NO_POSITION);
        idx.lastPosition = idx.scanLastPosition();
        if (first + have - 1 < lastSeq) {
          idx.rebuildFrom(logCh, lineEndAfter(logCh, offsetAt(ch, have - 1), logEnd), logEnd, log);
        }
        return idx;
      }
    }
    LOG.debug("rebuilding the event index {}", file);
    ch.truncate(0);
    EventIndex idx = new EventIndex(file, ch, 0, 0, LogEntry.NO_POSITION);
    idx.rebuildFrom(logCh, 0, logEnd, log);
    return idx;
  }

  /** Adds entries for the complete lines of the log in [from, end); stops (and drops the index) on a seq gap. */
  private void rebuildFrom(FileChannel logCh, long from, long end, Path log) throws IOException {
    LineScanner scanner = new LineScanner(logCh, from, end);
    LineScanner.Line line;
    while ((line = scanner.next()) != null) {
      long seq = line.seq();
      if (seq < 0) {
        continue;
      }
      if (count > 0 && seq != firstSeq + count) {
        LOG.warn("event log {} has a seq gap at {}: no index kept", log, seq);
        channel.truncate(0);
        count = 0;
        firstSeq = 0;
        return;
      }
      add(seq, line.offset(), LogEntry.NO_POSITION);
    }
    flush();
  }

  /** @return the first seq in the header, or 0 when the header is missing or foreign */
  private static long header(FileChannel ch) throws IOException {
    if (ch.size() < HEADER) {
      return 0;
    }
    ByteBuffer b = ByteBuffer.allocate(HEADER);
    JsonlTail.readFully(ch, b, 0);
    if (!Arrays.equals(Arrays.copyOf(b.array(), 8), MAGIC)) {
      return 0;
    }
    return b.getLong(8);
  }

  private static long offsetAt(FileChannel ch, long k) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(8);
    JsonlTail.readFully(ch, b, HEADER + k * ENTRY);
    return b.getLong(0);
  }

  private long scanLastPosition() throws IOException {
    ByteBuffer b = ByteBuffer.allocate(8);
    for (long k = count - 1; k >= 0; k--) {
      b.clear();
      JsonlTail.readFully(channel, b, HEADER + k * ENTRY + 8);
      long p = b.getLong(0);
      if (p >= 0) {
        return p;
      }
    }
    return LogEntry.NO_POSITION;
  }

  /** @return the seq of the line starting at offset, or -1 when it is not a complete event line */
  private static long lineSeqAt(FileChannel logCh, long offset, long logEnd) throws IOException {
    if (offset < 0 || offset >= logEnd) {
      return -1;
    }
    LineScanner.Line line = new LineScanner(logCh, offset, logEnd).next();
    return line == null || line.offset() != offset ? -1 : line.seq();
  }

  private static long lineEndAfter(FileChannel logCh, long offset, long logEnd) throws IOException {
    LineScanner s = new LineScanner(logCh, offset, logEnd);
    s.next();
    return s.position();
  }

  /** @return the source position of the last entry that has one */
  long lastPosition() {
    return lastPosition;
  }

  /**
   * Buffers one entry (written by {@link #flush()}).
   *
   * @param seq the event's seq, consecutive with the previous entry
   * @param offset the byte offset of its line
   * @param position its source position or -1
   */
  void add(long seq, long offset, long position) throws IOException {
    if (count > 0 && seq != firstSeq + count) {
      // a gap (a removed log started again): the index restarts at this seq; older seqs are found by scanning
      flush();
      channel.truncate(0);
      count = 0;
    }
    if (count == 0 && pendingFirst < 0) {
      firstSeq = seq;
      ByteBuffer h = ByteBuffer.allocate(HEADER);
      h.put(MAGIC).putLong(seq).flip();
      channel.truncate(0);
      AtomicFiles.writeFully(channel, h, 0);
    }
    if (pending.remaining() < ENTRY) {
      flush();
    }
    if (pendingFirst < 0) {
      pendingFirst = count;
    }
    pending.putLong(offset).putLong(position);
    count++;
    if (position >= 0) {
      lastPosition = Math.max(lastPosition, position);
    }
  }

  /** Writes buffered entries (no force). */
  void flush() throws IOException {
    if (pendingFirst < 0) {
      return;
    }
    pending.flip();
    AtomicFiles.writeFully(channel, pending, HEADER + pendingFirst * ENTRY);
    pending.clear();
    pendingFirst = -1;
  }

  /** Forgets entries from {@code keep} on (after a failed log append). */
  void truncate(long keep, long positionBefore) {
    pending.clear();
    pendingFirst = -1;
    count = keep;
    lastPosition = positionBefore;
    try {
      channel.truncate(keep == 0 ? 0 : HEADER + keep * ENTRY);
      if (keep == 0) {
        firstSeq = 0;
      }
    } catch (IOException e) {
      LOG.debug("cannot cut the index {} back: {}", file, e.toString());
    }
  }

  long count() {
    return count;
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      LOG.debug("cannot close {}: {}", file, e.toString());
    }
  }

  /**
   * Reader side, for a finished log that nobody appends to any more (its run is terminal): when the index is missing
   * or does not describe the log's last line (a store written by the TS server, an older Orch, or copied without
   * its index), writes a complete one, so that later reads at any seq cost one index lookup instead of a scan of
   * the log. The new index is written to a temp file and renamed into place, so a concurrent reader sees the old
   * file or the whole new one.
   *
   * @param log the finished event log
   * @return true when the index now describes the whole log; false when the log is missing or empty, or holds a
   *     seq gap (then no index is kept and reads scan)
   * @throws IOException when the log or index cannot be read or written
   */
  public static boolean buildForFinished(Path log) throws IOException {
    Path file = fileFor(log);
    try (FileChannel logCh = FileChannel.open(log, StandardOpenOption.READ)) {
      long end = JsonlTail.completeEnd(logCh);
      long last = JsonlTail.lastValid(logCh, end, n -> n.path("seq").canConvertToLong())
          .map(n -> n.get("seq").asLong()).orElse(0L);
      if (last == 0) {
        return false;
      }
      if (describes(file, logCh, end, last)) {
        return true;
      }
      Path tmp = file.resolveSibling("." + file.getFileName() + "." + java.util.UUID.randomUUID() + ".tmp");
      boolean complete;
      try (EventIndex idx = open(tmp, log, logCh, end, last)) {
        complete = idx.count > 0 && idx.firstSeq + idx.count - 1 == last;
      }
      if (!complete) {
        java.nio.file.Files.deleteIfExists(tmp);
        return false;
      }
      java.nio.file.Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      return true;
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  /** @return true when the index at {@code file} has an entry for {@code lastSeq} pointing at that line */
  private static boolean describes(Path file, FileChannel logCh, long logEnd, long lastSeq) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long first = header(ch);
      long k = lastSeq - first;
      if (first < 1 || k < 0 || HEADER + (k + 1) * ENTRY > ch.size()) {
        return false;
      }
      return lineSeqAt(logCh, offsetAt(ch, k), logEnd) == lastSeq;
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  /**
   * Reader side: where the line of {@code seq} starts, from the index of {@code log}, without locking.
   *
   * @return the offset, or -1 when the index does not know the seq (missing, foreign, shorter, or ahead of the log)
   */
  public static long offsetOf(Path log, long seq, long logSize) {
    Path file = fileFor(log);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer b = ByteBuffer.allocate(HEADER);
      JsonlTail.readFully(ch, b, 0);
      if (b.position() < HEADER || !Arrays.equals(Arrays.copyOf(b.array(), 8), MAGIC)) {
        return -1;
      }
      long first = b.getLong(8);
      long k = seq - first;
      if (first < 1 || k < 0) {
        return -1;
      }
      ByteBuffer e = ByteBuffer.allocate(8);
      JsonlTail.readFully(ch, e, HEADER + k * ENTRY);
      if (e.position() < 8) {
        return -1;
      }
      long off = e.getLong(0);
      return off >= 0 && off < logSize ? off : -1;
    } catch (NoSuchFileException e) {
      return -1;
    } catch (IOException e) {
      LOG.debug("cannot read the index of {}: {}", log, e.toString());
      return -1;
    }
  }
}
