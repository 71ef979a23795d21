package dev.orch.core.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.RemoteRef;
import dev.orch.core.RunEvent;
import dev.orch.core.spi.EventSink;
import dev.orch.core.spi.LogEntry;
import dev.orch.core.spi.ProcessRef;
import dev.orch.core.spi.RunStore;
import dev.orch.core.spi.UsageReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link EventSink} one run's backend reports to: events go through the {@link EventPipeline}; the backend
 * conversation binding updates run.json (through the run's journal, in order with its events) and the session;
 * child processes are recorded for reconcile and re-attachment (SPEC §10, §12.8). A store failure here is not
 * swallowed: it ends the run like any other store fault (issue 9 item 2), which also stops the agent.
 */
final class RunSink implements EventSink {
  private static final Logger LOG = LoggerFactory.getLogger(RunSink.class);
  /** Longest wait for the events before a re-attachment record to be durable, ms. */
  static final long ATTACH_COMMIT_MS = 30_000;
  private final LiveRun run;
  private final EventPipeline pipeline;
  private final GroupCommit commits;
  private final Sessions sessions;
  private final RunStore store;
  private final java.util.function.BiConsumer<LiveRun, UsageReport> usage;

  RunSink(LiveRun run, EventPipeline pipeline, GroupCommit commits, Sessions sessions, RunStore store,
      java.util.function.BiConsumer<LiveRun, UsageReport> usage) {
    this.usage = usage;
    this.run = run;
    this.pipeline = pipeline;
    this.commits = commits;
    this.sessions = sessions;
    this.store = store;
  }

  @Override
  public void emit(RunEvent event) {
    emit(event, LogEntry.NO_POSITION);
  }

  @Override
  public void emit(RunEvent event, long sourcePosition) {
    try {
      RunEvent explained = FullDisk.explain(event, this::usableBytes);
      pipeline.accept(run, explained, EventPipeline.Origin.BACKEND, sourcePosition);
    } catch (RuntimeException e) {
      LOG.error("run {}: could not record a {} event; ending the run", run.runId, event.type(), e);
      commits.fail(run, e);
    }
  }

  /** @return the usable bytes of the file system of the run's private directory */
  private long usableBytes() {
    try {
      return Files.getFileStore(store.privateDirectory(run.record())).getUsableSpace();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void bindSession(String backendSessionId, RemoteRef remoteRef) {
    pipeline.change(run, r -> r.withRemoteRef(remoteRef));
    try {
      sessions.bind(run.record(), backendSessionId, remoteRef);
    } catch (RuntimeException e) {
      commits.fail(run, e);
    }
  }

  @Override
  public void processStarted(ProcessHandle process) {
    run.processes.add(process);
    try {
      store.recordProcess(run.record(), ProcessRef.of(process));
    } catch (RuntimeException e) {
      commits.fail(run, e);
    }
  }

  @Override
  public Path privateDirectory() {
    return store.privateDirectory(run.record());
  }

  /**
   * Stores the attachment durably, once every event the backend reported before it (run_started, …) is durable: a
   * later Orch process re-attaches from the log, and re-reads only the agent's output, so an event not yet in the log
   * when this process dies after the agent was let run would be lost (SPEC §12.8). A failure is thrown to the backend,
   * which must then not start its agent.
   */
  @Override
  public void attach(ObjectNode attachment) {
    commits.commitNow(run, ATTACH_COMMIT_MS);
    store.saveDocument(run.record(), "attach", attachment);
  }

  @Override
  public void usage(UsageReport report) {
    try {
      usage.accept(run, report);
    } catch (RuntimeException e) {
      LOG.warn("run {}: could not record a usage report: {}", run.runId, e.toString());
    }
  }
}
