package dev.orch.store.fs.internal;

import dev.orch.core.NormalizedEvent;
import dev.orch.core.OrchException;
import dev.orch.core.spi.EventLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append side of {@code runs/<run_id>/events.jsonl} (SPEC §6). Opening drops a torn last line (a line
 * without {@code '\n'}, left by a crash mid-write) and finds the last seq by reading the file backwards. Each
 * {@link #append} writes one line through a channel opened for append and calls {@code force(false)} before
 * returning (persist before publish, SPEC §3). Not thread-safe (one appender per run).
 */
public final class FsEventLog implements EventLog {
  private static final Logger LOG = LoggerFactory.getLogger(FsEventLog.class);

  private final Path file;
  private final FileChannel channel;
  private long lastSeq;
  private long size;
  private boolean closed;

  private FsEventLog(Path file, FileChannel channel, long lastSeq, long size) {
    this.file = file;
    this.channel = channel;
    this.lastSeq = lastSeq;
    this.size = size;
  }

  /**
   * Opens (creating if needed) the log, truncating a torn last line.
   *
   * @param file the {@code events.jsonl} path
   * @return the open log
   * @throws OrchException STORE when the file cannot be opened, repaired or read
   */
  public static FsEventLog open(Path file) {
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
      }
      FileChannel append = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
      return new FsEventLog(file, append, last, end);
    } catch (IOException e) {
      throw StoreErrors.io("cannot open event log", file, e);
    }
  }

  @Override
  public long lastSeq() {
    return lastSeq;
  }

  /**
   * @throws IllegalArgumentException when the event's seq is not {@link #lastSeq()} + 1
   * @throws IllegalStateException when the log is closed
   */
  @Override
  public void append(NormalizedEvent event) {
    if (closed) {
      throw new IllegalStateException("event log is closed: " + file);
    }
    if (event.seq() != lastSeq + 1) {
      throw new IllegalArgumentException("event seq " + event.seq() + " does not follow " + lastSeq + " in " + file);
    }
    byte[] line = JsonSupport.line(event.toJson());
    try {
      AtomicFiles.writeFully(channel, ByteBuffer.wrap(line));
      channel.force(false);
    } catch (IOException e) {
      undoPartialWrite(e);
      throw StoreErrors.io("cannot append event " + event.seq() + " to", file, e);
    }
    size += line.length;
    lastSeq = event.seq();
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
    try {
      channel.close();
    } catch (IOException e) {
      LOG.warn("cannot close {}: {}", file, e.toString());
    }
  }
}
