package dev.orch.core.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orch.core.RunEvent;
import dev.orch.core.RunStatus;
import dev.orch.core.spi.RunRecord;
import dev.orch.core.spi.RunResult;
import java.util.List;

/**
 * Applies staged entries to a run record, purely (SPEC §3): the state machine gives the status, {@link Summaries}
 * the summary, terminal events the outcome ({@code result} of run_completed, {@code error} of run_failed and
 * rejected); record changes without an event are applied in order.
 */
final class RecordUpdates {
  private RecordUpdates() {
  }

  /**
   * @param record the record before the entries
   * @param entries staged entries, oldest first
   * @return the record after them
   */
  static RunRecord apply(RunRecord record, List<RunJournal.Entry> entries) {
    RunRecord r = record;
    // An event that changes neither the status nor the outcome only moves summary, last_seq and updated_at, which the
    // next event overwrites: such events are folded into the next one instead of each making a record (a batch
    // holds hundreds of them under load). The result is the record event-by-event application gives.
    RunJournal.Staged pending = null;
    for (RunJournal.Entry e : entries) {
      if (e instanceof RunJournal.Staged s) {
        if (StateMachine.transition(r.status(), s.source()) == r.status() && !hasOutcome(s.source())) {
          pending = s;
          continue;
        }
        r = apply(r, s);
        pending = null;
      } else if (e instanceof RunJournal.Change c) {
        if (pending != null) {
          r = apply(r, pending);
          pending = null;
        }
        r = c.change().apply(r);
      }
    }
    return pending == null ? r : apply(r, pending);
  }

  private static boolean hasOutcome(RunEvent event) {
    return event instanceof RunEvent.RunCompleted || event instanceof RunEvent.RunFailed
        || event instanceof RunEvent.Rejected;
  }

  /** @return the record after one event */
  static RunRecord apply(RunRecord r, RunJournal.Staged s) {
    RunStatus next = StateMachine.transition(r.status(), s.source());
    RunRecord updated = r.withProgress(next, Summaries.of(s.event().type(), s.event().data()), s.event().seq(),
        s.event().ts());
    if (r.status().isTerminal()) {
      return updated;
    }
    return withOutcome(updated, s.source());
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
}
