package dev.orch.mcp.internal.stdio;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only writer of the protocol output (stdout): one thread drains a queue of lines, so any number of threads can
 * submit messages at once and each is written whole, followed by {@code '\n'}, in the order of submission.
 *
 * <p>{@link #submit} never blocks and never spins: it appends to an unbounded queue (a client that stops reading its
 * stdin makes the queue grow, not the callers wait). The writer thread writes a batch of queued lines and flushes
 * once per batch. When a write fails (the client is gone), the failure is reported once to {@code onFailure}, every
 * queued and later line is dropped, and {@link #submit} returns false from then on; the writer never retries.
 *
 * <p>Thread-safe. The output stream is not closed by this class (it belongs to the caller, e.g. stdout).
 */
public final class LineWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LineWriter.class);
  private static final int MAX_BATCH = 256;
  private static final Item STOP = new Item(new byte[0], null);

  private final OutputStream out;
  private final Consumer<IOException> onFailure;
  private final LinkedBlockingQueue<Item> queue = new LinkedBlockingQueue<>();
  private final Object progress = new Object();
  private final Thread thread;
  /** Lines submitted and lines done (written or dropped); guarded by {@link #progress}. */
  private long submitted;
  private long done;
  private boolean accepting = true;
  private volatile IOException failure;

  /**
   * Starts the writer thread.
   *
   * @param out the protocol output; only this writer may write to it from now on
   * @param threads makes the writer thread (should make daemon threads)
   * @param onFailure called once, on the writer thread, with the first write failure
   */
  public LineWriter(OutputStream out, ThreadFactory threads, Consumer<IOException> onFailure) {
    this.out = Objects.requireNonNull(out, "out");
    this.onFailure = Objects.requireNonNull(onFailure, "onFailure");
    this.thread = threads.newThread(this::run);
    thread.start();
  }

  /**
   * Queues one line. The bytes must not contain {@code '\n'} (compact JSON never does: JSON escapes control
   * characters inside strings).
   *
   * @param line the message bytes without the line end; not copied, must not change afterwards
   * @param onWritten run on the writer thread once the line is written and flushed; null for none; must not block
   * @return false when the line was not queued because the writer has failed or is closed
   */
  public boolean submit(byte[] line, Runnable onWritten) {
    Objects.requireNonNull(line, "line");
    synchronized (progress) {
      if (!accepting || failure != null) {
        return false;
      }
      submitted++;
      queue.add(new Item(line, onWritten));
    }
    return true;
  }

  /**
   * Waits until every line submitted so far is written (or dropped after a failure).
   *
   * @param timeoutMs longest wait, ms
   * @return true when nothing is left to write
   * @throws InterruptedException when interrupted while waiting
   */
  public boolean drain(long timeoutMs) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
    synchronized (progress) {
      while (done < submitted) {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
          return false;
        }
        progress.wait(left);
      }
      return true;
    }
  }

  /** @return the first write failure, or null while writing works */
  public IOException failure() {
    return failure;
  }

  /**
   * Stops accepting lines; the writer thread writes what is already queued and ends. Does not wait (see
   * {@link #drain}). Idempotent.
   */
  @Override
  public void close() {
    synchronized (progress) {
      if (!accepting) {
        return;
      }
      accepting = false;
      queue.add(STOP);
    }
  }

  private void run() {
    List<Item> batch = new ArrayList<>(MAX_BATCH);
    try {
      while (true) {
        batch.clear();
        batch.add(queue.take());
        queue.drainTo(batch, MAX_BATCH - 1);
        boolean stop = writeBatch(batch);
        if (stop) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** @return true when the batch held the stop marker */
  private boolean writeBatch(List<Item> batch) {
    boolean stop = false;
    int lines = 0;
    IOException error = failure;
    for (Item item : batch) {
      if (item == STOP) {
        stop = true;
        continue;
      }
      lines++;
      if (error == null) {
        try {
          out.write(item.line);
          out.write('\n');
        } catch (IOException e) {
          error = fail(e);
        }
      }
    }
    if (error == null && lines > 0) {
      try {
        out.flush();
      } catch (IOException e) {
        error = fail(e);
      }
    }
    for (Item item : batch) {
      if (error == null && item.onWritten != null) {
        try {
          item.onWritten.run();
        } catch (RuntimeException e) {
          LOG.warn("A written-line callback failed", e);
        }
      }
    }
    synchronized (progress) {
      done += lines;
      progress.notifyAll();
    }
    return stop;
  }

  private IOException fail(IOException e) {
    boolean first;
    synchronized (progress) {
      first = failure == null;
      if (first) {
        failure = e;
      }
    }
    if (first) {
      try {
        onFailure.accept(e);
      } catch (RuntimeException r) {
        LOG.warn("The write-failure handler failed", r);
      }
    }
    return failure;
  }

  private record Item(byte[] line, Runnable onWritten) {
  }
}
