package dev.orch.mcp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The tool executor reuses idle threads, grows only when all are busy, and queues beyond its maximum")
class ToolExecutorsTest {
  private ExecutorService pool;

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  @Test
  @DisplayName("calls made one after another (each after the previous one ended, as a client's round trips) all run "
      + "on one thread")
  void sequentialCallsReuseOneThread() throws Exception {
    pool = ToolExecutors.create(256);
    Set<String> threads = ConcurrentHashMap.newKeySet();
    for (int i = 0; i < 200; i++) {
      pool.submit(() -> threads.add(Thread.currentThread().getName())).get(10, TimeUnit.SECONDS);
      awaitIdle((ThreadPoolExecutor) pool);
    }
    assertThat(threads).hasSize(1);
    assertThat(((ThreadPoolExecutor) pool).getPoolSize()).isEqualTo(1);
  }

  @Test
  @DisplayName("N calls that block together get N threads; beyond the maximum they wait in the queue and all run")
  void growsToTheMaximumThenQueues() throws Exception {
    pool = ToolExecutors.create(4);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch running = new CountDownLatch(4);
    AtomicInteger done = new AtomicInteger();
    for (int i = 0; i < 10; i++) {
      pool.execute(blocker(running, release, done));
    }
    assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
    ThreadPoolExecutor tpe = (ThreadPoolExecutor) pool;
    assertThat(tpe.getPoolSize()).isEqualTo(4);
    assertThat(tpe.getQueue()).hasSize(6);
    release.countDown();
    pool.shutdown();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    assertThat(done.get()).isEqualTo(10);
  }

  @Test
  @DisplayName("after a burst, later calls run on the idle threads instead of new ones")
  void idleThreadsAreReusedAfterABurst() throws Exception {
    pool = ToolExecutors.create(256);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch running = new CountDownLatch(3);
    for (int i = 0; i < 3; i++) {
      pool.execute(blocker(running, release, new AtomicInteger()));
    }
    assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
    release.countDown();
    ThreadPoolExecutor tpe = (ThreadPoolExecutor) pool;
    awaitIdle(tpe);
    for (int i = 0; i < 50; i++) {
      pool.submit(() -> { }).get(10, TimeUnit.SECONDS);
      awaitIdle(tpe);
    }
    assertThat(tpe.getPoolSize()).isEqualTo(3);
  }

  /** A call that says it runs, waits for the release, then counts itself done. */
  private static Runnable blocker(CountDownLatch running, CountDownLatch release, AtomicInteger done) {
    return () -> {
      running.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      done.incrementAndGet();
    };
  }

  /** Waits until no call runs (a call's future completes just before its thread is free again). */
  private static void awaitIdle(ThreadPoolExecutor tpe) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (tpe.getActiveCount() > 0 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
  }

  @Test
  @DisplayName("a shut-down executor refuses calls")
  void shutDownRefuses() {
    pool = ToolExecutors.create(2);
    pool.shutdown();
    assertThatThrownBy(() -> pool.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
  }
}
