package dev.orch.store.fs.internal;

import dev.orch.core.NormalizedEvent;
import dev.orch.core.OrchException;
import dev.orch.core.spi.EventLog;
import dev.orch.core.spi.LogEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append side of {@code runs/<run_id>/events.jsonl} (SPEC §6) with its seq index ({@link EventIndex}).
 * Opening drops a torn last line (a line without {@code '\n'}, left by a crash mid-write), finds the last seq by
 * reading the file backwards and repairs the index. {@link #append(List)} is a group commit: the batch's index
 * entries, then its lines (one write), then one {@code force(false)} of the log before returning (persist before
 * publish, SPEC §3; issue 8 item 1).
 *
 * <p>A log file that was removed or replaced while open is detected before each batch (its file key changed or it is
 * gone) and reported as a STORE failure instead of writing into an unlinked file that no reader can see. Not
 * thread-safe (one appender per run).
 */
public final class FsEventLog implements EventLog {
  private static final Logger LOG = LoggerFactory.getLogger(FsEventLog.class);

  private final Path file;
  private final FileChannel channel;
  private final EventIndex index;
  private final Object fileKey;
  private long lastSeq;
  private long size;
  private boolean closed;

  private FsEventLog(Path file, FileChannel channel, EventIndex index, Object fileKey, long lastSeq, long size) {
    this.file = file;
    this.channel = channel;
    this.index = index;
    this.fileKey = fileKey;
    this.lastSeq = lastSeq;
    this.size = size;
  }

  /**
   * Opens (creating if needed) the log, truncating a torn last line, and its index.
   *
   * @param file the {@code events.jsonl} path
   * @return the open log
   * @throws OrchException STORE when the file cannot be opened, repaired or read
   */
  public static FsEventLog open(Path file) {
    FileChannel append = null;
    EventIndex index = null;
    try {
      Files.createDirectories(file.getParent());
      long last;
      long end;
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
          StandardOpenOption.CREATE)) {
        long size = ch.size();
        end = JsonlTail.completeEnd(ch);
        if (end < size) {
          LOG.warn("dropping a torn last line of {} ({} bytes after byte {})", file, size - end, end);
          ch.truncate(end);
          ch.force(true);
        }
        last = JsonlTail.lastValid(ch, end, n -> n.path("seq").canConvertToLong())
            .map(n -> n.get("seq").asLong()).orElse(0L);
        index = EventIndex.open(file, ch, end, last);
      }
      append = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
      Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
      return new FsEventLog(file, append, index, key, last, end);
    } catch (IOException e) {
      closeQuietly(append);
      if (index != null) {
        index.close();
      }
      throw StoreErrors.io("cannot open event log", file, e);
    }
  }

  @Override
  public long lastSeq() {
    return lastSeq;
  }

  @Override
  public long lastSourcePosition() {
    return index.lastPosition();
  }

  /**
   * @throws IllegalArgumentException when the batch's seqs are not consecutive or do not continue {@link #lastSeq()};
   *     an empty log may start at any seq (a removed log started again by the engine's end of the run)
   * @throws IllegalStateException when the log is closed
   */
  @Override
  public void append(List<LogEntry> batch) {
    if (closed) {
      throw new IllegalStateException("event log is closed: " + file);
    }
    if (batch.isEmpty()) {
      return;
    }
    long expect = batch.get(0).event().seq();
    if (lastSeq > 0 ? expect != lastSeq + 1 : expect < 1) {
      throw new IllegalArgumentException("event seq " + expect + " does not follow " + lastSeq + " in " + file);
    }
    byte[][] lines = new byte[batch.size()][];
    int total = 0;
    for (int i = 0; i < batch.size(); i++) {
      NormalizedEvent e = batch.get(i).event();
      if (e.seq() != expect + i) {
        throw new IllegalArgumentException("event seq " + e.seq() + " does not follow " + (expect + i - 1) + " in "
            + file);
      }
      lines[i] = JsonSupport.line(e.toJson());
      total += lines[i].length;
    }
    long indexedBefore = index.count();
    long positionBefore = index.lastPosition();
    try {
      checkStillThere();
      long offset = size;
      for (int i = 0; i < batch.size(); i++) {
        index.add(expect + i, offset, batch.get(i).sourcePosition());
        offset += lines[i].length;
      }
      index.flush();
      ByteBuffer buf = ByteBuffer.allocate(total);
      for (byte[] l : lines) {
        buf.put(l);
      }
      buf.flip();
      AtomicFiles.writeFully(channel, buf);
      channel.force(false);
    } catch (IOException e) {
      undoPartialWrite(e);
      index.truncate(indexedBefore, positionBefore);
      throw StoreErrors.io("cannot append events " + expect + ".." + (expect + batch.size() - 1) + " to", file, e);
    }
    size += total;
    lastSeq = expect + batch.size() - 1;
  }

  /** @throws IOException when the log file was removed or replaced by another file since it was opened */
  private void checkStillThere() throws IOException {
    Object key;
    try {
      key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(file.toString(), null, "the event log was removed while the run was live");
    }
    if (fileKey != null && !fileKey.equals(key)) {
      throw new IOException("the event log was replaced while the run was live");
    }
  }

  private void undoPartialWrite(IOException cause) {
    try {
      channel.truncate(size);
    } catch (IOException e) {
      cause.addSuppressed(e);
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    closeQuietly(channel);
    index.close();
  }

  private static void closeQuietly(FileChannel ch) {
    if (ch == null) {
      return;
    }
    try {
      ch.close();
    } catch (IOException e) {
      LOG.warn("cannot close an event log channel: {}", e.toString());
    }
  }
}
