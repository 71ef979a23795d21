package dev.orch.core.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.EventType;
import dev.orch.core.NormalizedEvent;
import dev.orch.core.RunEvent;
import dev.orch.core.RunStatus;
import dev.orch.core.Timestamps;
import dev.orch.core.internal.sanitize.Sanitized;
import dev.orch.core.internal.sanitize.Sanitizer;
import dev.orch.core.spi.RunRecord;
import dev.orch.core.spi.RunResult;
import dev.orch.core.spi.RunStore;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-event path (SPEC §3, §5; CONVENTIONS 6): sanitize → persist (artifacts, then one append to
 * events.jsonl) → apply (pure state machine, summary, result) → publish (wake long-polls). Runs under the run's
 * own lock only: no global lock per event. run.json is replaced at once on every status change and otherwise at
 * most every {@link #SAVE_INTERVAL_MS} ms (bounded updates; events.jsonl stays the source of truth).
 */
final class EventPipeline {
  private static final Logger LOG = LoggerFactory.getLogger(EventPipeline.class);
  /** Coalescing interval of run.json updates for events that do not change the status. */
  static final long SAVE_INTERVAL_MS = 200;

  private final RunStore store;
  private final Clock clock;
  private final Sanitizer sanitizer = new Sanitizer();
  private final ScheduledExecutorService flusher;
  private final Consumer<LiveRun> onTerminal;

  EventPipeline(RunStore store, Clock clock, ScheduledExecutorService flusher, Consumer<LiveRun> onTerminal) {
    this.store = store;
    this.clock = clock;
    this.flusher = flusher;
    this.onTerminal = onTerminal;
  }

  /**
   * Accepts one event of a run.
   *
   * @param run the run
   * @param event the event
   * @param fromEngine true for events the engine itself records (cancel, start failure, shutdown); backend
   *     terminal events after a cancel request are dropped, the engine's are not
   * @return true when the event was recorded; false when dropped (run already terminal, or a backend's
   *     terminal event racing a cancel)
   */
  boolean accept(LiveRun run, RunEvent event, boolean fromEngine) {
    boolean terminal;
    synchronized (run.lock) {
      RunRecord r = run.record();
      if (r.status().isTerminal()) {
        LOG.debug("run {} is {}: dropping late {}", r.runId(), r.status(), event.type());
        return false;
      }
      if (run.cancelRequested && !fromEngine && StateMachine.isTerminating(event)) {
        LOG.debug("run {} is being cancelled: dropping backend {}", r.runId(), event.type());
        return false;
      }
      long seq = r.lastSeq() + 1;
      Instant now = Timestamps.now(clock);
      Sanitized s = sanitizer.sanitize(seq, event.type().wire(), event.toData());
      if (!s.fields().isEmpty()) {
        store.writeArtifacts(r, seq, event.type().wire(), s.fields());
      }
      NormalizedEvent stored = new NormalizedEvent(seq, now, r.runId(), r.sessionId(), r.backend(), event.type(),
          s.data());
      if (run.log == null) {
        run.log = store.openEventLog(r);
      }
      run.log.append(stored);
      RunStatus next = StateMachine.transition(r.status(), event);
      RunRecord updated = r.withProgress(next, Summaries.of(event.type(), s.data()), seq, now);
      updated = withOutcome(updated, event);
      run.setRecord(updated);
      run.remember(stored);
      terminal = next.isTerminal();
      if (next != r.status() || terminal || event.type() == EventType.RUN_STARTED) {
        saveNow(run);
      } else {
        saveSoon(run);
      }
      run.lock.notifyAll();
    }
    if (terminal) {
      onTerminal.accept(run);
    }
    return true;
  }

  private static RunRecord withOutcome(RunRecord r, RunEvent event) {
    if (event instanceof RunEvent.RunCompleted c) {
      JsonNode artifacts = c.details().get("artifacts");
      return r.withOutcome(new RunResult(c.finalResponse(), c.structuredOutput(), c.usage(), artifacts), null);
    }
    if (event instanceof RunEvent.RunFailed f) {
      return r.withOutcome(null, f.message());
    }
    if (event instanceof RunEvent.Rejected rj) {
      return r.withOutcome(null, rj.message());
    }
    return r;
  }

  /** Replaces run.json now (caller holds the run lock). */
  void saveNow(LiveRun run) {
    store.saveRun(run.record());
    run.dirty = false;
    run.lastSaveNanos = System.nanoTime();
  }

  private void saveSoon(LiveRun run) {
    long sinceMs = (System.nanoTime() - run.lastSaveNanos) / 1_000_000;
    if (sinceMs >= SAVE_INTERVAL_MS) {
      saveNow(run);
      return;
    }
    run.dirty = true;
    if (!run.flushScheduled) {
      run.flushScheduled = true;
      flusher.schedule(() -> flush(run), SAVE_INTERVAL_MS - sinceMs, TimeUnit.MILLISECONDS);
    }
  }

  private void flush(LiveRun run) {
    synchronized (run.lock) {
      run.flushScheduled = false;
      if (run.dirty && !run.record().status().isTerminal()) {
        try {
          saveNow(run);
        } catch (RuntimeException e) {
          LOG.warn("saving run.json of {} failed", run.record().runId(), e);
        }
      }
    }
  }

  /** Builds the data of a message_added event recording continue_run input. */
  static ObjectNode messageAdded(dev.orch.core.AgentMessage message) {
    ObjectNode d = RunEvent.noDetails();
    d.set("message", message.toJson());
    d.put("role", message.role().wire());
    d.put("text", message.text());
    return d;
  }
}
