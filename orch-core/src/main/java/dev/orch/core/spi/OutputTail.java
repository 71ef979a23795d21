package dev.orch.core.spi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows a growing output file the way {@code tail -f} does, for {@link AgentProcess}: reads to the end, delivers
 * every complete line with the byte offset of its first byte, and when nothing is new waits for a change in the
 * file's directory ({@link DirectoryWatch}: the new output is read at once), a call of {@link #changed} (the
 * writer's process ended), or at most 2 ms, doubling that timer while the file stays quiet up to
 * {@value #MAX_IDLE_MS} ms when the directory cannot be watched, else up to {@value #MAX_WATCHED_IDLE_MS} ms (then
 * the timer is only the fallback behind the watch: issue 8, a quiet agent's follower woke 50 times a second); stops
 * once {@code ended} says the writer is gone and the file is drained (a last line without newline is delivered then).
 * Runs on one thread ({@link #run}); {@link #stop()} ends it early without the end callback (detach).
 */
final class OutputTail implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(OutputTail.class);
  /** Shortest pause when the file has nothing new, ms. */
  static final long MIN_IDLE_MS = 2;
  /** Longest pause when the file has nothing new and its directory is not watched, ms. */
  static final long MAX_IDLE_MS = 20;
  /** Longest pause when the file has nothing new and its directory is watched, ms. */
  static final long MAX_WATCHED_IDLE_MS = 1000;
  private static final int CHUNK = 64 * 1024;

  /** What the tail reports. */
  interface Sink {
    /**
     * @param line the line without its newline (a trailing CR is dropped), decoded as UTF-8
     * @param offset byte offset of its first byte in the file
     * @param next byte offset just after its newline
     */
    void line(String line, long offset, long next);

    /** @param endOffset the file's size once drained */
    void end(long endOffset);
  }

  private final Path file;
  private final long from;
  private final BooleanSupplier ended;
  private final Sink sink;
  private volatile boolean stopped;
  /** Raised by a change in the file's directory (and by {@link #stop}). */
  private final ChangeSignal changes = new ChangeSignal();
  private byte[] pending = new byte[8192];
  private int pendingLength;
  private long lineStart;

  /**
   * @param file the file to follow
   * @param from byte offset to start at (a line boundary)
   * @param ended true once nothing more will be written (checked when the file has nothing new)
   * @param sink receives the lines and the end
   */
  OutputTail(Path file, long from, BooleanSupplier ended, Sink sink) {
    this.file = file;
    this.from = from;
    this.ended = ended;
    this.sink = sink;
  }

  /**
   * Makes the follower read and check {@code ended} now instead of at its next timed check, e.g. when the writer's
   * process has exited (any thread; returns at once).
   */
  void changed() {
    changes.raise();
  }

  /** Ends {@link #run} at its next step without reporting the end. */
  void stop() {
    stopped = true;
    changes.raise();
  }

  @Override
  public void run() {
    Path dir = file.toAbsolutePath().getParent();
    Optional<Subscription> watch = dir == null ? Optional.empty()
        : DirectoryWatch.shared().flatMap(w -> w.watch(dir, changes::raise));
    try {
      follow(watch.isPresent() ? MAX_WATCHED_IDLE_MS : MAX_IDLE_MS);
    } finally {
      watch.ifPresent(Subscription::close);
    }
  }

  /** @param maxIdle longest pause when the file has nothing new, ms */
  private void follow(long maxIdle) {
    long pos = from;
    lineStart = from;
    ByteBuffer buf = ByteBuffer.allocate(CHUNK);
    long idle = MIN_IDLE_MS;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      while (!stopped) {
        int n = read(ch, buf, pos);
        if (n > 0) {
          pos += n;
          idle = MIN_IDLE_MS;
          continue;
        }
        if (ended.getAsBoolean()) {
          while ((n = read(ch, buf, pos)) > 0) {
            pos += n;
          }
          if (pendingLength > 0 && !stopped) {
            deliver(pendingLength, false);
          }
          if (!stopped) {
            sink.end(pos);
          }
          return;
        }
        changes.await(idle);
        idle = Math.min(maxIdle, idle * 2);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      LOG.warn("cannot read {}: {}", file, e.toString());
      if (!stopped) {
        sink.end(pos);
      }
    }
  }

  /** Reads what is new at {@code pos} and delivers the complete lines; @return bytes read */
  private int read(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
    if (stopped) {
      return 0;
    }
    buf.clear();
    int n = ch.read(buf, pos);
    if (n <= 0) {
      return 0;
    }
    byte[] a = buf.array();
    int start = 0;
    OutputBatch.begin();
    try {
      for (int i = 0; i < n && !stopped; i++) {
        if (a[i] == '\n') {
          append(a, start, i - start);
          deliver(pendingLength, true);
          start = i + 1;
        }
      }
    } finally {
      // a read that did not fill the buffer reached what the agent has written so far
      OutputBatch.end(n < buf.capacity());
    }
    append(a, start, n - start);
    return n;
  }

  private void append(byte[] a, int start, int length) {
    if (length <= 0) {
      return;
    }
    if (pendingLength + length > pending.length) {
      pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + length));
    }
    System.arraycopy(a, start, pending, pendingLength, length);
    pendingLength += length;
  }

  /** Delivers the pending bytes as one line; a newline after them is counted in {@code next}. */
  private void deliver(int length, boolean terminated) {
    int textLength = length > 0 && pending[length - 1] == '\r' ? length - 1 : length;
    String line = new String(pending, 0, textLength, StandardCharsets.UTF_8);
    long offset = lineStart;
    long next = lineStart + length + (terminated ? 1 : 0);
    lineStart = next;
    pendingLength = 0;
    if (pending.length > 1 << 20) {
      pending = new byte[8192]; // do not keep a huge buffer after one huge line
    }
    try {
      sink.line(line, offset, next);
    } catch (RuntimeException e) {
      LOG.error("the handler of {} failed on the line at offset {}; continuing", file, offset, e);
    }
  }
}
