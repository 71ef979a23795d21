package dev.orch.core.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.AgentMessage;
import dev.orch.core.CancelResult;
import dev.orch.core.ContinueResult;
import dev.orch.core.OrchException;
import dev.orch.core.RunId;
import dev.orch.core.RunRef;
import dev.orch.core.RunStatus;
import dev.orch.core.SessionId;
import dev.orch.core.Timestamps;
import dev.orch.core.spi.ChangeSignal;
import dev.orch.core.spi.ControlAnswer;
import dev.orch.core.spi.ControlRequest;
import dev.orch.core.spi.RunLease;
import dev.orch.core.spi.RunRecord;
import dev.orch.core.spi.RunStore;
import dev.orch.core.spi.Subscription;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cross-process control channel (docs/cli.md "Controlling runs of another process"): {@code cancel_run} and
 * {@code continue_run} on a run that another live Orch process owns (its lease is held elsewhere) reach that
 * process through the store ({@link RunStore#postControl} and friends) and take effect there.
 *
 * <p>Requesting side ({@link #requestCancel}, {@link #requestContinue}, called by the engine when the run is not
 * live here): post the request, then wait for the owner's answer, checking every {@value #POLL_MS} ms for it and
 * every {@value #LEASE_CHECK_MS} ms whether the owner is still alive (the run's lease can be taken when it died:
 * then the request is withdrawn and the engine handles the run at once, as for any orphan). An owner that does not
 * take the request within {@link #TAKE_WAIT} (an older Orch without this channel, or a hung process) gets it
 * withdrawn and the caller a CONFLICT; a taken request is waited for up to {@link #ANSWER_WAIT} in all. The
 * answer's result is returned, its error re-thrown with the owner's code and message.
 *
 * <p>Owning side: one daemon thread lists the control requests of this process's live runs, takes them, and
 * executes each on the engine's executor through the normal cancel / continue path, then stores the answer. It
 * scans when the store says requests may have been posted ({@link RunStore#watchControls}: inotify on the file
 * store's {@code control/} directories) and otherwise every {@value #WATCHED_SCAN_MS} ms; while a live run cannot be
 * watched, every {@value #SCAN_MS} ms (one directory listing per live run in the file store). Issue 8: a 50 ms scan of
 * every live run, whether or not anything came, cost a quiet server CPU for each run it owned (docs/benchmarks.md,
 * idle-cpu).
 *
 * <p>Thread-safe. Stores without a control channel (the SPI default throws UNSUPPORTED) keep the old answer
 * "… cancel it through that process" and stop the watcher.
 */
final class ControlChannel implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ControlChannel.class);
  /** Owner's scan interval while a live run cannot be watched, ms. */
  static final long SCAN_MS = 50;
  /** Owner's scan interval while every live run is watched (the fallback behind the watch), ms. */
  static final long WATCHED_SCAN_MS = 1000;
  /** Requester's answer check interval, ms. */
  static final long POLL_MS = 20;
  /** Requester's owner-alive check interval, ms. */
  static final long LEASE_CHECK_MS = 100;
  /** How long a requester waits for the owner to take the request. */
  static final Duration TAKE_WAIT = Duration.ofSeconds(3);
  /** How long a requester waits for the answer to a taken request, from posting. */
  static final Duration ANSWER_WAIT = Duration.ofSeconds(15);
  /** How long a free lease must stay free (with no answer) before the owner counts as gone. */
  static final Duration OWNER_GONE_GRACE = Duration.ofSeconds(1);
  /** How long {@link #close()} waits for requests being executed. */
  static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
  /** Requests older than this when taken are answered as expired (their requester gave up long ago). */
  static final Duration EXPIRED = Duration.ofSeconds(60);

  private final RunStore store;
  private final Clock clock;
  private final Supplier<Collection<RunRecord>> liveRuns;
  private final Function<RunRef, CancelResult> cancel;
  private final BiFunction<RunRef, AgentMessage, ContinueResult> continueRun;
  private final Executor executor;
  private final ThreadFactory threads;
  private final Object inFlightLock = new Object();
  private int inFlight;
  private volatile Thread watcher;
  private volatile boolean closed;
  /** Raised by the store's watches and by {@link #liveRunsChanged}. */
  private final ChangeSignal changes = new ChangeSignal();
  /** The watch of each live run's control requests (empty: not watchable); watcher thread only. */
  private final Map<RunId, Optional<Subscription>> watches = new HashMap<>();

  /**
   * @param liveRuns the records of the runs this process owns (snapshot per call)
   * @param cancel the engine's cancel (executes a taken cancel request)
   * @param continueRun the engine's continue (executes a taken continue request)
   * @param executor runs taken requests (a cancel may take up to ~2.6 s; the watcher never blocks on one)
   * @param threads makes the watcher thread (daemon)
   */
  ControlChannel(RunStore store, Clock clock, Supplier<Collection<RunRecord>> liveRuns,
      Function<RunRef, CancelResult> cancel, BiFunction<RunRef, AgentMessage, ContinueResult> continueRun,
      Executor executor, ThreadFactory threads) {
    this.store = store;
    this.clock = clock;
    this.liveRuns = liveRuns;
    this.cancel = cancel;
    this.continueRun = continueRun;
    this.executor = executor;
    this.threads = threads;
  }

  // ---- requesting side ----------------------------------------------------------------------------------------

  /**
   * Cancels a non-terminal run owned by another live process.
   *
   * @return the owner's cancel result
   * @throws OrchException the owner's error (same code and message); CONFLICT when no owner answers in time or the
   *     store has no control channel
   */
  CancelResult requestCancel(RunRecord run) {
    Optional<ObjectNode> answer = request(run, ControlRequest.cancel(Timestamps.now(clock)), "cancel");
    if (answer.isEmpty()) {
      return cancel.apply(RunRef.of(run.runId()));
    }
    ObjectNode r = answer.get();
    return new CancelResult(new RunId(r.path("run_id").asText()), status(r), time(r.path("cancelled_at").asText()));
  }

  /**
   * Delivers an input message to a waiting run owned by another live process.
   *
   * @return the owner's continue result
   * @throws OrchException the owner's error (same code and message); CONFLICT when no owner answers in time or the
   *     store has no control channel
   */
  ContinueResult requestContinue(RunRecord run, AgentMessage message) {
    Optional<ObjectNode> answer = request(run, ControlRequest.continueWith(message, Timestamps.now(clock)),
        "continue");
    if (answer.isEmpty()) {
      return continueRun.apply(RunRef.of(run.runId()), message);
    }
    ObjectNode r = answer.get();
    String from = r.path("resumed_from_run_id").asText(null);
    return new ContinueResult(new RunId(r.path("run_id").asText()), status(r),
        r.path("session_id").isTextual() ? new SessionId(r.path("session_id").asText()) : null,
        r.path("agent_name").asText(null), r.path("mode").asText(), from == null ? null : new RunId(from));
  }

  /**
   * @return the owner's result JSON, or empty when the owner turned out to be gone (lease free): the caller then
   *     handles the run as a run of no process (the engine reconciles it first)
   */
  private Optional<ObjectNode> request(RunRecord run, ControlRequest req, String verb) {
    String id;
    try {
      id = store.postControl(run, req);
    } catch (OrchException e) {
      if (e.code() == OrchException.ErrorCode.UNSUPPORTED) {
        throw OrchException.conflict("run " + run.runId() + " is " + run.status().wire()
            + " in another live Orch process sharing this cwd; " + verb + " it through that process");
      }
      throw e;
    }
    long start = System.nanoTime();
    long takeDeadline = start + TAKE_WAIT.toNanos();
    long answerDeadline = start + ANSWER_WAIT.toNanos();
    long nextLeaseCheck = start + Duration.ofMillis(LEASE_CHECK_MS).toNanos();
    boolean taken = false;
    long leaseFreeSince = 0;
    while (true) {
      Optional<ControlAnswer> answer = store.controlAnswer(run, id);
      if (answer.isPresent()) {
        ControlAnswer a = answer.get();
        if (!a.ok()) {
          throw new OrchException(a.errorCode(), a.errorMessage());
        }
        return Optional.of(a.result());
      }
      long now = System.nanoTime();
      if (now >= nextLeaseCheck) {
        nextLeaseCheck = now + Duration.ofMillis(LEASE_CHECK_MS).toNanos();
        // a free lease means the owner died, or the run just ended there (the owner releases the lease as the run
        // becomes terminal, before it stores the answer): give the answer a grace period before concluding
        if (ownerGone(run)) {
          if (leaseFreeSince == 0) {
            leaseFreeSince = now;
          } else if (now - leaseFreeSince >= OWNER_GONE_GRACE.toNanos()) {
            store.withdrawControl(run, id);
            Optional<ControlAnswer> last = store.controlAnswer(run, id);
            if (last.isPresent()) {
              if (!last.get().ok()) {
                throw new OrchException(last.get().errorCode(), last.get().errorMessage());
              }
              return Optional.of(last.get().result());
            }
            LOG.info("the owner of run {} is gone while a {} request waited; handling the run here", run.runId(),
                verb);
            return Optional.empty();
          }
        } else {
          leaseFreeSince = 0;
        }
      }
      if (!taken && now >= takeDeadline) {
        if (store.withdrawControl(run, id)) {
          throw OrchException.conflict("run " + run.runId() + " is " + run.status().wire() + " in another live Orch"
              + " process sharing this cwd, which did not take the " + verb + " request within "
              + TAKE_WAIT.toSeconds() + " s (an Orch version without the control channel?); " + verb
              + " it through that process");
        }
        taken = true;
      }
      if (now >= answerDeadline) {
        throw OrchException.conflict("the Orch process that owns run " + run.runId() + " took the " + verb
            + " request but did not answer within " + ANSWER_WAIT.toSeconds() + " s");
      }
      sleep(POLL_MS);
    }
  }

  @SuppressWarnings("try") // the probing lease is only held to learn that nobody else holds it
  private boolean ownerGone(RunRecord run) {
    Optional<RunLease> lease = store.tryLease(run);
    if (lease.isEmpty()) {
      return false;
    }
    try (RunLease probe = lease.get()) {
      return true;
    }
  }

  private static RunStatus status(ObjectNode r) {
    return RunStatus.fromWire(r.path("status").asText())
        .orElseThrow(() -> new OrchException(OrchException.ErrorCode.INTERNAL,
            "the owning process answered an unknown status: " + r.path("status").asText()));
  }

  private static Instant time(String text) {
    return text == null || text.isEmpty() ? null : Timestamps.parse(text);
  }

  // ---- owning side --------------------------------------------------------------------------------------------

  /** Starts the watcher thread (once). */
  void start() {
    Thread t = threads.newThread(this::watch);
    t.setName("orch-control-watcher");
    t.setDaemon(true);
    watcher = t;
    t.start();
  }

  /**
   * Tells the watcher that a run became live here, so that its control requests are watched now rather than at the
   * next timed scan (any thread; returns at once).
   */
  void liveRunsChanged() {
    changes.raise();
  }

  private void watch() {
    try {
      while (!closed) {
        boolean allWatched = false;
        try {
          Collection<RunRecord> runs = liveRuns.get();
          allWatched = updateWatches(runs); // before the scan: a request posted meanwhile raises the signal
          scan(runs);
        } catch (OrchException e) {
          if (e.code() == OrchException.ErrorCode.UNSUPPORTED) {
            LOG.debug("the run store has no control channel: runs of this process cannot be controlled by others");
            return;
          }
          LOG.debug("control scan failed: {}", e.getMessage());
        } catch (RuntimeException e) {
          LOG.warn("control scan failed", e);
        }
        try {
          changes.await(allWatched ? WATCHED_SCAN_MS : SCAN_MS);
        } catch (InterruptedException e) {
          return;
        }
      }
    } finally {
      watches.values().forEach(w -> w.ifPresent(Subscription::close));
      watches.clear();
    }
  }

  /**
   * Watches the control requests of the live runs not watched yet and drops the watches of runs no longer live.
   *
   * @return true when every live run is watched
   */
  private boolean updateWatches(Collection<RunRecord> runs) {
    Set<RunId> liveIds = new HashSet<>();
    boolean all = true;
    for (RunRecord run : runs) {
      if (run.status().isTerminal()) {
        continue;
      }
      liveIds.add(run.runId());
      Optional<Subscription> w = watches.get(run.runId());
      if (w == null) {
        try {
          w = store.watchControls(run, changes::raise);
        } catch (RuntimeException e) {
          LOG.debug("cannot watch the control requests of run {}: {}", run.runId(), e.toString());
          w = Optional.empty(); // scanned on the short timer; not retried while the run is live
        }
        watches.put(run.runId(), w);
      }
      all &= w.isPresent();
    }
    for (Iterator<Map.Entry<RunId, Optional<Subscription>>> it = watches.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<RunId, Optional<Subscription>> e = it.next();
      if (!liveIds.contains(e.getKey())) {
        e.getValue().ifPresent(Subscription::close);
        it.remove();
      }
    }
    return all;
  }

  /** One pass over the live runs: take their requests and execute each on the executor. */
  void scan() {
    scan(liveRuns.get());
  }

  private void scan(Collection<RunRecord> runs) {
    for (RunRecord run : runs) {
      if (run.status().isTerminal()) {
        continue;
      }
      List<ControlRequest> requests;
      try {
        requests = store.takeControls(run);
      } catch (OrchException e) {
        if (e.code() == OrchException.ErrorCode.UNSUPPORTED) {
          throw e;
        }
        LOG.debug("cannot read control requests of run {}: {}", run.runId(), e.getMessage());
        continue;
      }
      for (ControlRequest req : requests) {
        synchronized (inFlightLock) {
          inFlight++;
        }
        try {
          executor.execute(() -> {
            try {
              execute(run, req);
            } finally {
              done();
            }
          });
        } catch (RuntimeException e) {
          done();
          throw e;
        }
      }
    }
  }

  private void done() {
    synchronized (inFlightLock) {
      inFlight--;
      inFlightLock.notifyAll();
    }
  }

  private void execute(RunRecord run, ControlRequest req) {
    Instant now = Timestamps.now(clock);
    ControlAnswer answer;
    try {
      if (req.createdAt().plus(EXPIRED).isBefore(now)) {
        answer = ControlAnswer.error(req.id(), OrchException.ErrorCode.CONFLICT, "the " + req.kind().wire()
            + " request expired before the owning process took it", now);
      } else {
        RunRef ref = RunRef.of(run.runId());
        ObjectNode result = req.kind() == ControlRequest.Kind.CANCEL ? json(cancel.apply(ref))
            : json(continueRun.apply(ref, req.message()));
        LOG.info("run {}: {} requested by another process done", run.runId(), req.kind().wire());
        answer = ControlAnswer.ok(req.id(), result, Timestamps.now(clock));
      }
    } catch (OrchException e) {
      answer = ControlAnswer.error(req.id(), e.code(), e.getMessage(), Timestamps.now(clock));
    } catch (RuntimeException e) {
      LOG.warn("run {}: {} requested by another process failed", run.runId(), req.kind().wire(), e);
      answer = ControlAnswer.error(req.id(), OrchException.ErrorCode.INTERNAL,
          "the owning Orch process could not " + req.kind().wire() + " the run: " + e.getClass().getSimpleName(),
          Timestamps.now(clock));
    }
    try {
      store.answerControl(run, req.id(), answer);
    } catch (RuntimeException e) {
      LOG.warn("run {}: cannot store the answer to a {} request: {}", run.runId(), req.kind().wire(), e.toString());
    }
  }

  private static ObjectNode json(CancelResult r) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("run_id", r.runId().value());
    n.put("status", r.status().wire());
    n.put("cancelled_at", r.cancelledAt() == null ? null : Timestamps.format(r.cancelledAt()));
    return n;
  }

  private static ObjectNode json(ContinueResult r) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("run_id", r.runId().value());
    n.put("status", r.status().wire());
    n.put("session_id", r.sessionId() == null ? null : r.sessionId().value());
    n.put("agent_name", r.agentName());
    n.put("mode", r.mode());
    n.put("resumed_from_run_id", r.resumedFromRunId() == null ? null : r.resumedFromRunId().value());
    return n;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OrchException(OrchException.ErrorCode.CONFLICT, "interrupted while waiting for the owning process");
    }
  }

  /**
   * Stops the watcher (requests not yet taken stay for the requester to withdraw) and waits up to
   * {@link #CLOSE_WAIT} for requests being executed to store their answers: a cancel that ends the last run of a
   * process must still answer its requester before the process exits.
   */
  @Override
  public void close() {
    closed = true;
    Thread t = watcher;
    if (t != null) {
      t.interrupt();
    }
    long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
    synchronized (inFlightLock) {
      while (inFlight > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          LOG.warn("{} control request(s) still executing at close", inFlight);
          return;
        }
        try {
          inFlightLock.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }
}
