package dev.orch.core.internal;

import dev.orch.core.RunStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Decides when queued runs start (SPEC §2 session FIFO, §12.2 priority and caps, §12.5 dependencies). A run starts
 * once it heads its session's line ({@link SessionLines}), every run it depends on completed
 * ({@link Dependencies}), and a slot is free under the process-wide and per-backend caps ({@link Caps}). Ready runs
 * start by priority, higher first, FIFO within a priority; a run whose backend is at its cap lets lower ones of
 * other backends pass. A run holds its slot from start to its end (waiting states included); re-attached runs take
 * slots too. While a run waits for a slot its summary reads {@code Queued (position N)}.
 *
 * <p>Thread-safe: one lock, taken per run transition (never per event); starts happen outside it.
 */
final class Scheduler {
  private record Ready(LiveRun run, int priority, long ticket) {
  }

  private static final Comparator<Ready> ORDER = Comparator.comparingInt((Ready r) -> -r.priority())
      .thenComparingLong(Ready::ticket);

  private final Caps caps;
  private final Consumer<LiveRun> start;
  private final SessionLines lines;
  private final Dependencies dependencies;
  private final TreeSet<Ready> ready = new TreeSet<>(ORDER);
  private final Map<LiveRun, Ready> readyByRun = new HashMap<>();
  private final Set<LiveRun> active = new HashSet<>();
  private final Map<String, Integer> activeByBackend = new HashMap<>();
  private long tickets;

  /**
   * @param caps the caps
   * @param start starts a run that got a slot (called outside the lock; should hand off to an executor)
   * @param dependencies waits for dependencies; its outcome must call {@link #ready} or cancel the run
   */
  Scheduler(Caps caps, Consumer<LiveRun> start, java.util.function.Function<Consumer<LiveRun>, Dependencies> deps) {
    this.caps = caps;
    this.start = start;
    this.lines = new SessionLines(this::headOfLine);
    this.dependencies = deps.apply(this::ready);
  }

  /** @return the per-session lines (for the "resumable session" check) */
  SessionLines lines() {
    return lines;
  }

  /** Takes a new run: it waits for its session, its dependencies and a slot, in that order. */
  void submit(LiveRun run) {
    lines.enqueue(run);
  }

  private void headOfLine(LiveRun run) {
    List<dev.orch.core.RunId> deps = run.record().options().dependsOn();
    if (deps.isEmpty()) {
      ready(run);
    } else {
      dependencies.await(run, deps);
    }
  }

  /** The run may start as soon as a slot is free. */
  void ready(LiveRun run) {
    synchronized (this) {
      if (readyByRun.containsKey(run) || active.contains(run)) {
        return;
      }
      Ready r = new Ready(run, run.record().options().priority(), ++tickets);
      ready.add(r);
      readyByRun.put(run, r);
    }
    dispatch();
  }

  /** A re-attached run: it holds a slot (even beyond the cap) and heads its session line. */
  void adopt(LiveRun run) {
    synchronized (this) {
      take(run);
    }
    if (!lines.adopt(run)) {
      org.slf4j.LoggerFactory.getLogger(Scheduler.class).warn("run {}: its session already has an active run here",
          run.runId);
    }
  }

  /**
   * A run ended (whatever ended it): frees its slot or queue place, lets its session's next run and the runs
   * depending on it move on, and starts what can start.
   */
  void finished(LiveRun run, RunStatus status) {
    synchronized (this) {
      Ready r = readyByRun.remove(run);
      if (r != null) {
        ready.remove(r);
      }
      if (active.remove(run)) {
        activeByBackend.merge(run.backendId, -1, Integer::sum);
      }
    }
    run.queueSummary = null;
    dependencies.forget(run);
    lines.finished(run);
    dependencies.ended(run.runId, status);
    dispatch();
  }

  /** @return {running, queued} counts of a backend's runs in this process (queued = waiting for anything) */
  synchronized int[] counts(String backendId) {
    int running = activeByBackend.getOrDefault(backendId, 0);
    int queued = 0;
    for (Ready r : ready) {
      if (r.run().backendId.equals(backendId)) {
        queued++;
      }
    }
    return new int[] {running, queued};
  }

  /** @return the configured caps */
  Caps caps() {
    return caps;
  }

  private void dispatch() {
    List<LiveRun> toStart = new ArrayList<>();
    synchronized (this) {
      var it = ready.iterator();
      while (it.hasNext() && active.size() < caps.maxRunning()) {
        Ready r = it.next();
        Integer cap = caps.capOf(r.run().backendId);
        if (cap != null && activeByBackend.getOrDefault(r.run().backendId, 0) >= cap) {
          continue;
        }
        it.remove();
        readyByRun.remove(r.run());
        take(r.run());
        toStart.add(r.run());
      }
      int position = 0;
      for (Ready r : ready) {
        r.run().queueSummary = "Queued (position " + (++position) + ")";
      }
    }
    for (LiveRun run : toStart) {
      run.queueSummary = null;
      start.accept(run);
    }
  }

  private void take(LiveRun run) {
    if (active.add(run)) {
      activeByBackend.merge(run.backendId, 1, Integer::sum);
    }
  }
}
