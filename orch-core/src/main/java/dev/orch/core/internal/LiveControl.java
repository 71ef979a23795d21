package dev.orch.core.internal;

import dev.orch.core.AgentMessage;
import dev.orch.core.CancelResult;
import dev.orch.core.ContinueResult;
import dev.orch.core.EventType;
import dev.orch.core.OrchException;
import dev.orch.core.RunEvent;
import dev.orch.core.RunStatus;
import dev.orch.core.spi.LogEntry;
import dev.orch.core.spi.RunHandle;
import java.time.Duration;

/**
 * A caller acting on a run this process owns (SPEC §2 cancel_run and the live form of continue_run). Cancel marks the
 * run (so the backend's own late end is dropped: cancel wins), asks the backend to stop, kills what is left of its
 * processes and records {@code status_changed {status:"cancelled"}}, then waits (bounded) until that is durable so
 * the answer and the next get_run agree.
 */
final class LiveControl {
  private LiveControl() {
  }

  /**
   * @param reason recorded as {@code data.reason} ({@code user} for cancel_run)
   * @param waitMs longest wait for the cancelled status to become durable, ms
   * @return the answer: status {@code cancelled} (or the end that won the race, which is then an error)
   * @throws OrchException CONFLICT {@code run is already terminal: <status>}
   */
  static CancelResult cancel(LiveRun run, EventPipeline pipeline, String reason, long waitMs) {
    RunJournal j = run.journal;
    synchronized (j) {
      if (j.closed) {
        RunStatus s = j.faulted ? run.record().status() : j.status;
        throw OrchException.conflict("run is already terminal: " + s.wire());
      }
      j.cancelRequested = true;
      j.cancelReason = reason;
    }
    RunHandle handle = run.handle;
    if (handle != null) {
      Shutdown.safeCancel(handle, reason);
    }
    Shutdown.killLeftovers(run, Duration.ofSeconds(2));
    long seq = pipeline.accept(run, new RunEvent.StatusChanged(RunStatus.CANCELLED,
        RunEvent.details("reason", reason)), EventPipeline.Origin.ENGINE, LogEntry.NO_POSITION);
    j.awaitPublished(seq, waitMs);
    var after = run.record();
    RunStatus status;
    synchronized (j) {
      status = after.status().isTerminal() || j.faulted ? after.status() : j.status;
    }
    return new CancelResult(after.runId(), status, after.updatedAt());
  }

  /**
   * Delivers continue_run input to a waiting run (SPEC §2 tool 5, "live"): records it as {@code message_added}, then
   * hands it to the backend.
   *
   * @throws OrchException CONFLICT when the run does not wait (or its backend has not started yet); the backend's
   *     errors as it throws them
   */
  static ContinueResult sendInput(LiveRun run, EventPipeline pipeline, AgentMessage message) {
    RunStatus s = run.record().status();
    if (!s.isWaiting()) {
      throw OrchException.conflict("run is not awaiting additional input: " + s.wire());
    }
    RunHandle handle = run.handle;
    if (handle == null) {
      throw OrchException.conflict("run is not awaiting additional input: starting");
    }
    pipeline.accept(run, new RunEvent.Activity(EventType.MESSAGE_ADDED, EventPipeline.messageAdded(message)),
        EventPipeline.Origin.ENGINE, LogEntry.NO_POSITION);
    handle.sendInput(message);
    var r = run.record();
    return new ContinueResult(r.runId(), r.status(), r.sessionId(), r.agentName(), "live", null);
  }
}
