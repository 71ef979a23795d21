package dev.orch.mcp.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The executor tool calls run on. Up to {@code maxThreads} calls run at once (each long {@code poll_events} holds a
 * thread for up to 30 s); more calls queue. Threads are daemons, named {@code orch-tool-N}, and end after 30 s idle.
 */
public final class ToolExecutors {
  /** Default number of concurrent tool calls; env {@code ORCH_MCP_MAX_CONCURRENT_CALLS} overrides it. */
  public static final int DEFAULT_MAX_THREADS = 256;

  private ToolExecutors() {
  }

  /**
   * @param maxThreads maximum concurrent calls, ≥ 1
   * @return a new executor; the caller shuts it down
   */
  public static ExecutorService create(int maxThreads) {
    AtomicInteger n = new AtomicInteger();
    ThreadFactory factory = r -> {
      Thread t = new Thread(r, "orch-tool-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    ThreadPoolExecutor pool = new ThreadPoolExecutor(maxThreads, maxThreads, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), factory);
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }
}
