package dev.orch.tck;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.NormalizedEvent;
import dev.orch.core.OrchException;
import dev.orch.core.RunId;
import dev.orch.core.SessionId;
import dev.orch.core.spi.ArtifactField;
import dev.orch.core.spi.ArtifactManifest;
import dev.orch.core.spi.ControlAnswer;
import dev.orch.core.spi.ControlRequest;
import dev.orch.core.spi.EventLog;
import dev.orch.core.spi.InboxMessage;
import dev.orch.core.spi.LogEntry;
import dev.orch.core.spi.ProcessRef;
import dev.orch.core.spi.RunLease;
import dev.orch.core.spi.RunRecord;
import dev.orch.core.spi.RunStore;
import dev.orch.core.spi.SessionRecord;
import dev.orch.core.spi.Subscription;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A {@link RunStore} that delegates to a real one and fails chosen writes the way a full or read-only disk does
 * (an {@link OrchException} STORE caused by a {@link FileSystemException}), for the engine's store-fault tests
 * (issue 9 item 2). Faults are switched on and off while runs are live; each applies only to the runs the
 * predicate selects, so other runs (another cwd) keep working.
 */
final class FaultyStore implements RunStore {
  private final RunStore delegate;
  volatile Predicate<RunRecord> failAppends = r -> false;
  volatile Predicate<RunRecord> failSaves = r -> false;
  volatile String reason = "No space left on device";
  /** Told of every batch about to be appended to the real log, on the appending thread (e.g. to slow it down). */
  volatile Consumer<List<LogEntry>> appending = batch -> { };
  /** Told of every batch that reaches the real log, on the appending thread. */
  volatile Consumer<List<LogEntry>> appended = batch -> { };
  /** Told of every run document about to be saved (its name, e.g. {@code attach}), on the saving thread. */
  volatile Consumer<String> documentSaving = name -> { };
  final AtomicInteger refused = new AtomicInteger();
  /** True: watches of control requests are granted but never called (a watch that misses every change). */
  volatile boolean deafControlWatch;

  FaultyStore(RunStore delegate) {
    this.delegate = delegate;
  }

  private OrchException fault(String file) {
    refused.incrementAndGet();
    return new OrchException(OrchException.ErrorCode.STORE, "cannot write /srv/secret/" + file,
        new FileSystemException("/srv/secret/" + file, null, reason));
  }

  @Override
  public RunLease createRun(RunRecord run) {
    return delegate.createRun(run);
  }

  @Override
  public void saveRun(RunRecord run) {
    if (failSaves.test(run)) {
      throw fault("run.json");
    }
    delegate.saveRun(run);
  }

  @Override
  public void saveDocument(RunRecord run, String name, ObjectNode document) {
    documentSaving.accept(name);
    delegate.saveDocument(run, name, document);
  }

  @Override
  public Optional<ObjectNode> readDocument(RunRecord run, String name) {
    return delegate.readDocument(run, name);
  }

  @Override
  public Optional<RunRecord> findRun(RunId runId) {
    return delegate.findRun(runId);
  }

  @Override
  public List<RunRecord> listRuns(Path cwd) {
    return delegate.listRuns(cwd);
  }

  @Override
  public EventLog openEventLog(RunRecord run) {
    EventLog log = delegate.openEventLog(run);
    return new EventLog() {
      @Override
      public long lastSeq() {
        return log.lastSeq();
      }

      @Override
      public long lastSourcePosition() {
        return log.lastSourcePosition();
      }

      @Override
      public void append(List<LogEntry> batch) {
        if (failAppends.test(run)) {
          throw fault("events.jsonl");
        }
        appending.accept(batch);
        log.append(batch);
        appended.accept(batch);
      }

      @Override
      public void close() {
        log.close();
      }
    };
  }

  @Override
  public List<NormalizedEvent> readEvents(RunRecord run, long afterSeq, int limit) {
    return delegate.readEvents(run, afterSeq, limit);
  }

  @Override
  public long eventLogVersion(RunRecord run) {
    return delegate.eventLogVersion(run);
  }

  @Override
  public java.util.Optional<dev.orch.core.spi.Subscription> watchEventLog(RunRecord run, Runnable onChange) {
    return delegate.watchEventLog(run, onChange);
  }

  @Override
  public void writeArtifacts(RunRecord run, long seq, String eventType, List<ArtifactField> fields) {
    if (failAppends.test(run)) {
      throw fault("artifacts");
    }
    delegate.writeArtifacts(run, seq, eventType, fields);
  }

  @Override
  public Optional<ArtifactManifest> readManifest(RunRecord run, long seq) {
    return delegate.readManifest(run, seq);
  }

  @Override
  public byte[] readArtifact(RunRecord run, ArtifactManifest manifest, String pointer, long offset, int length) {
    return delegate.readArtifact(run, manifest, pointer, offset, length);
  }

  @Override
  public Optional<RunLease> tryLease(RunRecord run) {
    return delegate.tryLease(run);
  }

  @Override
  public void recordProcess(RunRecord run, ProcessRef process) {
    delegate.recordProcess(run, process);
  }

  @Override
  public List<ProcessRef> recordedProcesses(RunRecord run) {
    return delegate.recordedProcesses(run);
  }

  @Override
  public List<RunRecord> orphanedRuns() {
    return delegate.orphanedRuns();
  }

  @Override
  public void runEnded(RunRecord run) {
    delegate.runEnded(run);
  }

  @Override
  public SessionRecord createSession(Path cwd, String nickname, Function<String, SessionRecord> factory) {
    return delegate.createSession(cwd, nickname, factory);
  }

  @Override
  public void saveSession(SessionRecord session) {
    delegate.saveSession(session);
  }

  @Override
  public Optional<SessionRecord> findSession(SessionId sessionId, Path cwd) {
    return delegate.findSession(sessionId, cwd);
  }

  @Override
  public List<SessionRecord> listSessions(Path cwd) {
    return delegate.listSessions(cwd);
  }

  @Override
  public InboxMessage appendInbox(SessionRecord recipient, InboxMessage message) {
    return delegate.appendInbox(recipient, message);
  }

  @Override
  public List<InboxMessage> readInbox(SessionRecord recipient, long afterSeq, int limit) {
    return delegate.readInbox(recipient, afterSeq, limit);
  }

  @Override
  public String postControl(RunRecord run, ControlRequest request) {
    return delegate.postControl(run, request);
  }

  @Override
  public List<ControlRequest> takeControls(RunRecord run) {
    return delegate.takeControls(run);
  }

  @Override
  public Optional<Subscription> watchControls(RunRecord run, Runnable onChange) {
    return deafControlWatch ? Optional.of(() -> { }) : delegate.watchControls(run, onChange);
  }

  @Override
  public void answerControl(RunRecord run, String requestId, ControlAnswer answer) {
    delegate.answerControl(run, requestId, answer);
  }

  @Override
  public Optional<ControlAnswer> controlAnswer(RunRecord run, String requestId) {
    return delegate.controlAnswer(run, requestId);
  }

  @Override
  public boolean withdrawControl(RunRecord run, String requestId) {
    return delegate.withdrawControl(run, requestId);
  }

  @Override
  public void close() {
    delegate.close();
  }

}
