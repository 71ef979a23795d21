package dev.orch.core.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.AgentMessage;
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
  private final Scheduler scheduler;
  private final EventPipeline pipeline;
  private final GroupCommit commits;
  private final Sessions sessions;
  private final Reconciler reconciler;
  private final java.util.function.Function<LiveRun, RunSink> sinks;
  private final java.util.function.Consumer<LiveRun> started;
  private final Profiles profiles;
  private final Map<String, String> childPath;

  Adoption(RunStore store, BackendRegistry registry, Map<RunId, LiveRun> live, Scheduler scheduler,
      EventPipeline pipeline, GroupCommit commits, Sessions sessions, Reconciler reconciler,
      java.util.function.Function<LiveRun, RunSink> sinks, java.util.function.Consumer<LiveRun> started, Profiles profiles, Map<String, String> childPath) {
    this.profiles = profiles;
    this.childPath = childPath;
    this.sinks = sinks;
    this.started = started;
    this.store = store;
    this.registry = registry;
    this.live = live;
    this.scheduler = scheduler;
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
      if (attachment != null && !registry.descriptor(r.backend()).capabilities().contains(Capability.REATTACH)) {
        throw new OrchException(OrchException.ErrorCode.UNSUPPORTED, "backend " + r.backend()
            + " does not declare the REATTACH capability");
      }
      session = store.findSession(r.sessionId(), r.cwd())
          .orElseThrow(() -> OrchException.notFound("Unknown session_id: " + r.sessionId()));
    } catch (RuntimeException e) {
      return settleUnattachable(r, lease, log, e);
    }
    if (attachment == null) {
      return requeue(r, backend, lease, log);
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
    scheduler.adopt(run);
    started.accept(run);
    try {
      RunSpec spec = SpawnPlan.spec(r, session, pending, null, childPath);
      run.handle = backend.reattach(spec, sinks.apply(run), attachment);
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

  /**
   * Queues again a run that was still queued when its Orch process died (SPEC §12.5: waiting for dependencies
   * survives a restart), from its stored spawn request. Secrets of its backend_config are gone with the old process
   * and must come from the server's environment.
   */
  private RunRecord requeue(RunRecord r, Backend backend, RunLease lease, EventLog log) {
    log.close();
    try {
      SpawnDocuments.Stored spawn = SpawnDocuments.read(store, r);
      AgentMessage input = spawn.inputMessage();
      boolean resume = spawn.resume();
      String systemPrompt = r.profile() == null ? null : profiles.systemPrompt(r.profile(), r.cwd());
      PendingStart pending = new PendingStart(input, systemPrompt, Secrets.withoutRedacted(r.backendConfig()), resume,
          spawn.stepResults());
      LiveRun run = new LiveRun(r, backend, lease, pending);
      live.put(run.runId, run);
      scheduler.submit(run);
      LOG.info("run {} was queued when its Orch process ended: queued again", run.runId);
      return run.record();
    } catch (RuntimeException e) {
      try {
        EventLog again = store.openEventLog(r);
        return settleUnattachable(r, lease, again, e);
      } catch (RuntimeException e2) {
        lease.close();
        throw e2;
      }
    }
  }
}
