package dev.orch.mcp.internal.stdio;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only writer of the protocol output (stdout): one thread drains a queue of lines, so any number of threads can
 * submit messages at once and each is written whole, followed by {@code '\n'}, in the order of submission.
 *
 * <p>{@link #submit} never spins, and blocks only a thread that may wait for the output: it appends to an unbounded
 * queue (a client that stops reading its stdin makes the queue grow, not the callers wait). The writer thread writes
 * a batch of queued lines and flushes once per batch. When a write fails (the client is gone), the failure is
 * reported once to {@code onFailure}, every queued and later line is dropped, and {@link #submit} returns false from
 * then on; the writer never retries.
 *
 * <p>Direct writes (issue 8, long-poll wake-up latency): a thread for which {@code mayWaitForOutput} holds — a tool
 * call's thread, which only waits for its own answer — writes its line itself when nothing is queued and no one is
 * writing, instead of handing it to the writer thread (one thread wake-up fewer on the way to the client: on a VM
 * whose CPUs idle between events such a hand-off took 0.5 ms at the median and 2.4 ms at p90). Order is kept: a
 * line is written directly only when no earlier line is still queued or being written. Such a thread blocks while
 * the client does not read; every other submitter then queues as before, so at most one such thread waits and the
 * threads that must not wait (the input reader, the dispatcher, the engine's committers) never do.
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
  private final Predicate<Thread> mayWaitForOutput;
  /** Held by whoever writes to {@link #out}: the writer thread or one direct writer. */
  private final ReentrantLock writing = new ReentrantLock();
  private final Thread thread;
  /** Lines submitted and lines done (written or dropped); guarded by {@link #progress}. */
  private long submitted;
  private long done;
  /** Lines in the queue or in the writer thread's current batch; guarded by {@link #progress}. */
  private long queued;
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
    this(out, threads, t -> false, onFailure);
  }

  /**
   * Starts the writer thread; the threads for which {@code mayWaitForOutput} holds write their lines themselves when
   * the output is idle (see the class comment).
   *
   * @param out the protocol output; only this writer may write to it from now on
   * @param threads makes the writer thread (should make daemon threads)
   * @param mayWaitForOutput true for a thread that may block while the client does not read
   * @param onFailure called once, with the first write failure (on the thread whose write failed)
   */
  public LineWriter(OutputStream out, ThreadFactory threads, Predicate<Thread> mayWaitForOutput,
      Consumer<IOException> onFailure) {
    this.out = Objects.requireNonNull(out, "out");
    this.mayWaitForOutput = Objects.requireNonNull(mayWaitForOutput, "mayWaitForOutput");
    this.onFailure = Objects.requireNonNull(onFailure, "onFailure");
    this.thread = threads.newThread(this::run);
    thread.start();
  }

  /**
   * Queues one line. The bytes must not contain {@code '\n'} (compact JSON never does: JSON escapes control
   * characters inside strings).
   *
   * @param line the message bytes without the line end; not copied, must not change afterwards
   * @param onWritten run once the line is written and flushed (on the writer thread, or on the caller's when it
   *     wrote the line itself); null for none; must not block
   * @return false when the line was not taken because the writer has failed or is closed
   */
  public boolean submit(byte[] line, Runnable onWritten) {
    Objects.requireNonNull(line, "line");
    boolean direct;
    synchronized (progress) {
      if (!accepting || failure != null) {
        return false;
      }
      submitted++;
      direct = queued == 0 && mayWaitForOutput.test(Thread.currentThread()) && writing.tryLock();
      if (!direct) {
        queued++;
        queue.add(new Item(line, onWritten));
      }
    }
    if (direct) {
      writeDirect(line, onWritten);
    }
    return true;
  }

  /** Writes one line on the caller's thread, which holds {@link #writing}. */
  private void writeDirect(byte[] line, Runnable onWritten) {
    IOException error = null;
    try {
      out.write(line);
      out.write('\n');
      out.flush();
    } catch (IOException e) {
      error = e;
    } finally {
      writing.unlock();
    }
    if (error != null) {
      fail(error);
    } else if (onWritten != null) {
      written(onWritten);
    }
    synchronized (progress) {
      done++;
      progress.notifyAll();
    }
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
    IOException error = null;
    writing.lock();
    try {
      error = failure;
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
    } finally {
      writing.unlock();
    }
    for (Item item : batch) {
      if (error == null && item != STOP && item.onWritten != null) {
        written(item.onWritten);
      }
    }
    synchronized (progress) {
      done += lines;
      queued -= lines;
      progress.notifyAll();
    }
    return stop;
  }

  private static void written(Runnable onWritten) {
    try {
      onWritten.run();
    } catch (RuntimeException e) {
      LOG.warn("A written-line callback failed", e);
    }
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
