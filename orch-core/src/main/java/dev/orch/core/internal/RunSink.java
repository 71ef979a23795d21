package dev.orch.core.internal;

import dev.orch.core.RemoteRef;
import dev.orch.core.RunEvent;
import dev.orch.core.spi.EventSink;
import dev.orch.core.spi.ProcessRef;
import dev.orch.core.spi.RunStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link EventSink} one run's backend reports to: events go through the {@link EventPipeline}; the backend
 * conversation binding updates run.json and the session; child processes are recorded for reconcile (SPEC §10).
 */
final class RunSink implements EventSink {
  private static final Logger LOG = LoggerFactory.getLogger(RunSink.class);
  private final LiveRun run;
  private final EventPipeline pipeline;
  private final Sessions sessions;
  private final RunStore store;

  RunSink(LiveRun run, EventPipeline pipeline, Sessions sessions, RunStore store) {
    this.run = run;
    this.pipeline = pipeline;
    this.sessions = sessions;
    this.store = store;
  }

  @Override
  public void emit(RunEvent event) {
    try {
      pipeline.accept(run, event, false);
    } catch (RuntimeException e) {
      LOG.error("run {}: could not record {} event", run.record().runId(), event.type(), e);
    }
  }

  @Override
  public void bindSession(String backendSessionId, RemoteRef remoteRef) {
    synchronized (run.lock) {
      if (!run.record().status().isTerminal()) {
        run.setRecord(run.record().withRemoteRef(remoteRef));
        pipeline.saveNow(run);
      }
    }
    sessions.bind(run.record(), backendSessionId, remoteRef);
  }

  @Override
  public void processStarted(ProcessHandle process) {
    run.processes.add(process);
    store.recordProcess(run.record(), ProcessRef.of(process));
  }
}
