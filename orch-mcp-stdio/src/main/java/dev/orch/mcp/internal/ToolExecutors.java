package dev.orch.mcp.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The executor tool calls run on. Up to {@code maxThreads} calls run at once (each long {@code poll_events} holds a
 * thread for up to 30 s); more calls queue. A call runs on an idle thread when there is one; a new thread is made
 * only when every thread is busy. Threads are daemons, named {@code orch-tool-N}, and end after
 * {@link #IDLE_SECONDS} idle.
 *
 * <p>Why not a plain {@code ThreadPoolExecutor(max, max, …, LinkedBlockingQueue)}: that one starts a new thread for
 * every call until it has {@code max} of them, idle ones or not (issue 8: a server answering polls one after another
 * had 100+ threads after ten runs, its RSS growing with their stacks, and paid a thread start per call). The queue
 * here refuses a call while no thread is idle and the pool may grow, so the pool adds a thread; at the maximum the
 * call is queued (the same growth rule as Tomcat's executor).
 */
public final class ToolExecutors {
  /** Default number of concurrent tool calls; env {@code ORCH_MCP_MAX_CONCURRENT_CALLS} overrides it. */
  public static final int DEFAULT_MAX_THREADS = 256;
  /** Seconds an idle tool thread lives. */
  public static final int IDLE_SECONDS = 30;

  private ToolExecutors() {
  }

  /**
   * @param maxThreads maximum concurrent calls, ≥ 1
   * @return a new executor; the caller shuts it down
   */
  public static ExecutorService create(int maxThreads) {
    AtomicInteger n = new AtomicInteger();
    ThreadFactory factory = r -> new ToolThread(r, "orch-tool-" + n.incrementAndGet());
    return new Pool(maxThreads, factory);
  }

  /**
   * @return true for a thread of an executor made here: it runs one tool call at a time and may wait for the client
   *     to read that call's answer (the stdio transport lets it write the answer itself)
   */
  public static boolean isToolThread(Thread t) {
    return t instanceof ToolThread;
  }

  /** A daemon thread of a tool executor (recognized by {@link #isToolThread}). */
  private static final class ToolThread extends Thread {
    ToolThread(Runnable r, String name) {
      super(r, name);
      setDaemon(true);
    }
  }

  /** Counts calls submitted and not finished, so the queue knows whether an idle thread exists. */
  private static final class Pool extends ThreadPoolExecutor {
    private final AtomicInteger submitted = new AtomicInteger();

    Pool(int maxThreads, ThreadFactory factory) {
      this(maxThreads, factory, new GrowFirstQueue());
    }

    private Pool(int maxThreads, ThreadFactory factory, GrowFirstQueue queue) {
      super(0, maxThreads, IDLE_SECONDS, TimeUnit.SECONDS, queue, factory, (r, pool) -> {
        if (pool.isShutdown() || !queue.force(r)) {
          throw new RejectedExecutionException("the tool executor is shut down");
        }
      });
      queue.pool = this;
    }

    @Override
    public void execute(Runnable command) {
      submitted.incrementAndGet();
      try {
        super.execute(command);
      } catch (RejectedExecutionException e) {
        submitted.decrementAndGet();
        throw e;
      }
    }

    @Override
    protected void afterExecute(Runnable r, Throwable t) {
      submitted.decrementAndGet();
    }

    /** @return true when every thread is busy (counting the call being submitted) */
    boolean noIdleThread() {
      return submitted.get() > getPoolSize();
    }
  }

  /** Refuses a call (so the pool adds a thread) while no thread is idle and the pool is below its maximum. */
  private static final class GrowFirstQueue extends LinkedBlockingQueue<Runnable> {
    private static final long serialVersionUID = 1L;
    private transient volatile Pool pool;

    @Override
    public boolean offer(Runnable r) {
      Pool p = pool;
      if (p != null && p.getPoolSize() < p.getMaximumPoolSize() && p.noIdleThread()) {
        return false;
      }
      return super.offer(r);
    }

    /** Queues a call the pool refused because it is at its maximum. */
    boolean force(Runnable r) {
      return super.offer(r);
    }
  }
}
