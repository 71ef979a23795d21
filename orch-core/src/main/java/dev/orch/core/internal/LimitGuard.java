package dev.orch.core.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.OrchException;
import dev.orch.core.RunEvent;
import dev.orch.core.RunLimits;
import dev.orch.core.RunStatus;
import dev.orch.core.Usage;
import dev.orch.core.spi.UsageReport;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Enforces run limits (SPEC §12.3): wall-clock {@code timeout_ms} from the run's start and {@code idle_timeout_ms}
 * (no event while running) are checked every {@value #SWEEP_MS} ms; {@code max_tokens}, {@code max_cost_usd} and
 * {@code max_turns} whenever the backend reports usage. A breach is handed to the engine, which stops the run like a
 * cancel and ends it {@code run_failed {message:"<limit> exceeded: <seen> > <limit>", code:"limit_exceeded",
 * limit:"<name>"}}; when the crossing report is the run's last one, the backend's own terminal event becomes that
 * failure, keeping its result. Server defaults come from {@code ORCH_DEFAULT_TIMEOUT_MS},
 * {@code ORCH_DEFAULT_IDLE_TIMEOUT_MS}, {@code ORCH_DEFAULT_MAX_TURNS}, {@code ORCH_DEFAULT_MAX_TOKENS} and
 * {@code ORCH_DEFAULT_MAX_COST_USD}.
 */
final class LimitGuard {
  /** How often time limits are checked, ms. */
  static final long SWEEP_MS = 100;

  /**
   * A limit a run went over.
   *
   * @param limit the limit's name, e.g. {@code max_tokens}
   * @param message {@code <limit> exceeded: <seen> > <limit>}
   */
  record Breach(String limit, String message) {
    /** @return the run's terminal event: the failure, keeping the data of the event it replaces (if any) */
    RunEvent.RunFailed failure(ObjectNode keep) {
      ObjectNode d = keep == null ? RunEvent.noDetails() : keep.deepCopy();
      d.remove("message");
      d.put("code", "limit_exceeded");
      d.put("limit", limit);
      return new RunEvent.RunFailed(message, d);
    }
  }

  private final RunLimits defaults;
  private final ScheduledExecutorService timer;
  private final Supplier<Collection<LiveRun>> runs;
  private final BiConsumer<LiveRun, Breach> stop;
  private ScheduledFuture<?> sweeper;

  /**
   * @param defaults server defaults
   * @param timer runs the sweep
   * @param runs the live runs of the engine
   * @param stop stops a run over a limit (not on the sweeping thread's time: it should hand off)
   */
  LimitGuard(RunLimits defaults, ScheduledExecutorService timer, Supplier<Collection<LiveRun>> runs,
      BiConsumer<LiveRun, Breach> stop) {
    this.defaults = defaults;
    this.timer = timer;
    this.runs = runs;
    this.stop = stop;
  }

  /**
   * @return the server defaults from the environment
   * @throws OrchException INVALID_ARGUMENT naming each bad variable
   */
  static RunLimits defaults(Map<String, String> env) {
    StringBuilder bad = new StringBuilder();
    Long timeout = integer(env, "ORCH_DEFAULT_TIMEOUT_MS", bad);
    Long idle = integer(env, "ORCH_DEFAULT_IDLE_TIMEOUT_MS", bad);
    Long turns = integer(env, "ORCH_DEFAULT_MAX_TURNS", bad);
    Long tokens = integer(env, "ORCH_DEFAULT_MAX_TOKENS", bad);
    Double cost = null;
    String c = env.get("ORCH_DEFAULT_MAX_COST_USD");
    if (c != null && !c.isBlank()) {
      try {
        cost = Double.parseDouble(c.trim());
        if (!(cost > 0) || cost.isInfinite()) {
          throw new NumberFormatException();
        }
      } catch (NumberFormatException e) {
        bad.append(bad.length() > 0 ? "; " : "").append("ORCH_DEFAULT_MAX_COST_USD must be a number > 0");
        cost = null;
      }
    }
    if (bad.length() > 0) {
      throw OrchException.invalid("Invalid limit defaults: " + bad);
    }
    return new RunLimits(timeout, idle, turns == null ? null : (int) Math.min(Integer.MAX_VALUE, turns), tokens,
        cost);
  }

  private static Long integer(Map<String, String> env, String key, StringBuilder bad) {
    String v = env.get(key);
    if (v == null || v.isBlank()) {
      return null;
    }
    try {
      long n = Long.parseLong(v.trim());
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    bad.append(bad.length() > 0 ? "; " : "").append(key).append(" must be an integer >= 1");
    return null;
  }

  /** The run starts now: its effective limits are fixed and its clocks start. */
  void started(LiveRun run) {
    RunLimits l = run.record().options().limits().orElse(defaults);
    run.startNanos = System.nanoTime();
    run.lastEventNanos = run.startNanos;
    run.limits = l;
    if (l.timeoutMs() != null || l.idleTimeoutMs() != null) {
      ensureSweeper();
    }
  }

  private synchronized void ensureSweeper() {
    if (sweeper == null) {
      sweeper = timer.scheduleWithFixedDelay(this::sweep, SWEEP_MS, SWEEP_MS, TimeUnit.MILLISECONDS);
    }
  }

  private void sweep() {
    long now = System.nanoTime();
    for (LiveRun run : runs.get()) {
      RunLimits l = run.limits;
      if (l == null) {
        continue;
      }
      RunStatus s = run.record().status();
      if (s.isTerminal()) {
        continue;
      }
      long ran = (now - run.startNanos) / 1_000_000;
      if (l.timeoutMs() != null && ran > l.timeoutMs()) {
        stop.accept(run, breach("timeout_ms", ran, l.timeoutMs()));
      } else if (l.idleTimeoutMs() != null && s == RunStatus.RUNNING) {
        long idle = (now - run.lastEventNanos) / 1_000_000;
        if (idle > l.idleTimeoutMs()) {
          stop.accept(run, breach("idle_timeout_ms", idle, l.idleTimeoutMs()));
        }
      }
    }
  }

  /**
   * Checks the usage limits after a usage report.
   *
   * @return the breach, or null when within the limits
   */
  Breach check(LiveRun run, Usage u, UsageReport r) {
    RunLimits l = run.limits;
    if (l == null) {
      return null;
    }
    if (l.maxTokens() != null && u.totalTokens() > l.maxTokens()) {
      return breach("max_tokens", u.totalTokens(), l.maxTokens());
    }
    if (l.maxCostUsd() != null && u.costUsd() != null && u.costUsd() > l.maxCostUsd()) {
      return new Breach("max_cost_usd", "max_cost_usd exceeded: " + u.costUsd() + " > " + l.maxCostUsd());
    }
    if (l.maxTurns() != null && r.turns() > l.maxTurns()) {
      return breach("max_turns", r.turns(), l.maxTurns());
    }
    return null;
  }

  private static Breach breach(String name, long seen, long limit) {
    return new Breach(name, name + " exceeded: " + seen + " > " + limit);
  }
}
