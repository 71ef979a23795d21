package dev.orch.core.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.OrchException;
import dev.orch.core.RunEvent;
import dev.orch.core.RunId;
import dev.orch.core.spi.Backend;
import dev.orch.core.spi.Capability;
import dev.orch.core.spi.EventLog;
import dev.orch.core.spi.LogEntry;
import dev.orch.core.spi.RunLease;
import dev.orch.core.spi.RunRecord;
import dev.orch.core.spi.RunSpec;
import dev.orch.core.spi.RunStore;
import dev.orch.core.spi.SessionRecord;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes over runs that an earlier Orch process started and that can be re-attached (SPEC §12.8; issue 9 item 3):
 * the run becomes live here with its log open at its last seq and the log's last source position as the replay
 * floor, becomes the active run of its session, and its backend follows the agent again
 * ({@link Backend#reattach}). A run that cannot be followed (backend missing or without {@code REATTACH}, session
 * gone, backend refuses) ends with {@code run_failed {reason:"host_lost"}} after its leftover processes are killed.
 */
final class Adoption implements Reconciler.Adopter {
  private static final Logger LOG = LoggerFactory.getLogger(Adoption.class);

  private final RunStore store;
  private final BackendRegistry registry;
  private final Map<RunId, LiveRun> live;
  private final SessionLines lines;
  private final EventPipeline pipeline;
  private final GroupCommit commits;
  private final Sessions sessions;
  private final Reconciler reconciler;

  Adoption(RunStore store, BackendRegistry registry, Map<RunId, LiveRun> live, SessionLines lines,
      EventPipeline pipeline, GroupCommit commits, Sessions sessions, Reconciler reconciler) {
    this.store = store;
    this.registry = registry;
    this.live = live;
    this.lines = lines;
    this.pipeline = pipeline;
    this.commits = commits;
    this.sessions = sessions;
    this.reconciler = reconciler;
  }

  @Override
  public RunRecord adopt(RunRecord r, ObjectNode attachment, RunLease lease, EventLog log) {
    Backend backend;
    SessionRecord session;
    try {
      backend = registry.get(r.backend());
      if (!registry.descriptor(r.backend()).capabilities().contains(Capability.REATTACH)) {
        throw new OrchException(OrchException.ErrorCode.UNSUPPORTED, "backend " + r.backend()
            + " does not declare the REATTACH capability");
      }
      session = store.findSession(r.sessionId(), r.cwd())
          .orElseThrow(() -> OrchException.notFound("Unknown session_id: " + r.sessionId()));
    } catch (RuntimeException e) {
      return settleUnattachable(r, lease, log, e);
    }
    PendingStart pending = new PendingStart(null, null, Secrets.withoutRedacted(r.backendConfig()), false);
    LiveRun run = new LiveRun(r, backend, lease, pending);
    RunJournal j = run.journal;
    synchronized (j) {
      j.log = log;
      j.lastSeq = Math.max(r.lastSeq(), log.lastSeq());
      j.publishedSeq = j.lastSeq;
      j.replayFloor = log.lastSourcePosition();
      j.started = true;
    }
    live.put(run.runId, run);
    if (!lines.adopt(run)) {
      LOG.warn("run {}: its session already has an active run in this process", run.runId);
    }
    try {
      RunSpec spec = SpawnPlan.spec(r, session, pending, null);
      run.handle = backend.reattach(spec, new RunSink(run, pipeline, commits, sessions, store), attachment);
      LOG.info("re-attached run {} ({}), continuing after seq {}", run.runId, r.backend(), j.lastSeq);
    } catch (RuntimeException | LinkageError e) {
      String why = e instanceof OrchException ? e.getMessage() : e.toString();
      LOG.warn("run {} could not be re-attached: {}", run.runId, why);
      Shutdown.killRecorded(store, r);
      pipeline.accept(run, new RunEvent.RunFailed("The run could not be re-attached after its Orch process "
          + "ended: " + why, RunEvent.details("reason", "host_lost")), EventPipeline.Origin.ENGINE,
          LogEntry.NO_POSITION);
    }
    return run.record();
  }

  private RunRecord settleUnattachable(RunRecord r, RunLease lease, EventLog log, RuntimeException why) {
    LOG.warn("run {} cannot be re-attached: {}", r.runId(), why.getMessage());
    try {
      RunRecord failed = reconciler.failHostLost(r, log);
      reconciler.saveQuietly(failed);
      reconciler.endQuietly(failed);
      return failed;
    } finally {
      log.close();
      lease.close();
    }
  }
}
