package dev.orch.core.spi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.NormalizedEvent;
import dev.orch.core.OrchException;
import dev.orch.core.RunId;
import dev.orch.core.SessionId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where runs, events, artifacts, sessions and inboxes live (SPEC §6). The file store ({@code orch-store-fs}) is
 * the default; a third party can provide another through {@link RunStoreProvider}.
 *
 * <p>Thread-safe. Several Orch processes may share one store root; implementations must keep every write safe
 * against that (atomic replaces, OS locks for allocation of agent names and inbox seqs).
 *
 * <p>Every method throws {@link OrchException} with code STORE on I/O failure.
 */
public interface RunStore extends AutoCloseable {

  // ---- runs ---------------------------------------------------------------------------------------------

  /**
   * Creates the run's directory and first {@code run.json}, records the run in the global index (once per run)
   * and takes the run's lease for this process.
   *
   * @param run the new run (status queued)
   * @return the lease, held until the run is terminal
   */
  RunLease createRun(RunRecord run);

  /**
   * Replaces {@code run.json} atomically; when the run is terminal also writes {@code result.json}
   * ({@code null} unless completed).
   */
  void saveRun(RunRecord run);

  /** @return the run with that id from any known cwd, or empty */
  Optional<RunRecord> findRun(RunId runId);

  /**
   * @param cwd restrict to this cwd, or null for every known cwd
   * @return runs, unordered
   */
  List<RunRecord> listRuns(Path cwd);

  /**
   * Lists runs newest first (by {@code startedAt}, then run id), filtered and paged; a store with an index answers
   * without reading every run (issue 8 item 4: list_runs over 100 000 runs in one cwd). The default reads
   * {@link #listRuns(Path)} and filters in memory.
   *
   * @param filter which runs
   * @param offset how many matching runs to skip, ≥ 0
   * @param limit most runs to return, ≥ 1
   * @return the page and the number of matching runs
   */
  default RunPage listRuns(RunFilter filter, int offset, int limit) {
    List<RunRecord> all = new java.util.ArrayList<>(listRuns(filter.cwd()).stream().filter(filter::accepts).toList());
    all.sort(RunPage.NEWEST_FIRST);
    int from = Math.min(offset, all.size());
    return new RunPage(all.subList(from, Math.min(all.size(), from + limit)), all.size());
  }

  /**
   * Opens the run's event log for appending; drops a torn last line.
   *
   * @param run the run, whose lease this process holds
   */
  EventLog openEventLog(RunRecord run);

  /**
   * Reads events with seq &gt; afterSeq, oldest first, at most limit. An incomplete last line (being written by
   * another process) is skipped; malformed lines are skipped with a warning.
   */
  List<NormalizedEvent> readEvents(RunRecord run, long afterSeq, int limit);

  /**
   * @return a cheap change marker of the run's event log (e.g. its size in bytes), used to long-poll runs that
   *     another process owns; -1 when the log does not exist
   */
  long eventLogVersion(RunRecord run);

  /**
   * Asks to be told when the run's event log may have changed: a hint that lets a long-poll of a run another process
   * owns read at once instead of at its next timed check of {@link #eventLogVersion} (which it keeps doing, so a
   * missed or spurious call is harmless).
   *
   * @param run the run
   * @param onChange called on a store thread after the log may have changed; must return at once
   * @return the subscription to close when done; empty (the default) when this store cannot watch its logs
   */
  default Optional<Subscription> watchEventLog(RunRecord run, Runnable onChange) {
    return Optional.empty();
  }

  // ---- artifacts (SPEC §5) ------------------------------------------------------------------------------

  /** Writes the chunk files and manifest of one event's extracted fields. Must complete before the event is appended. */
  void writeArtifacts(RunRecord run, long seq, String eventType, List<ArtifactField> fields);

  /**
   * Writes the artifacts of several events of one run, all durable when it returns: the group commit calls it once
   * per batch, before appending the batch's lines (issue 8 item 1). The default writes one event after the other
   * with {@link #writeArtifacts(RunRecord, long, String, List)}; a store may share the cost of making them durable
   * (the file store forces each file once and each directory once per batch instead of once per event).
   *
   * @param events the events' artifacts, in seq order
   * @throws OrchException INVALID_ARGUMENT for an unsafe event type or field name (nothing of that event is
   *     written); STORE on I/O failure (some of the events' files may exist, none of their manifests is promised)
   */
  default void writeArtifacts(RunRecord run, List<EventArtifacts> events) {
    for (EventArtifacts e : events) {
      writeArtifacts(run, e.seq(), e.eventType(), e.fields());
    }
  }

  /** @return the manifest of the event with that seq, or empty when it has no artifacts */
  Optional<ArtifactManifest> readManifest(RunRecord run, long seq);

  /**
   * Reads raw bytes of one artifact field.
   *
   * @param offset first byte, ≥ 0
   * @param length maximum number of bytes
   * @return the bytes (fewer at the end; empty when offset ≥ total)
   */
  byte[] readArtifact(RunRecord run, ArtifactManifest manifest, String pointer, long offset, int length);

  // ---- leases and orphans (SPEC §10) ----------------------------------------------------------------------

  /** @return a lease on the run if no live process holds it, else empty */
  Optional<RunLease> tryLease(RunRecord run);

  /** Records a child process of the run (so a later process can kill it if this one dies). */
  void recordProcess(RunRecord run, ProcessRef process);

  /** @return the child processes recorded for the run */
  List<ProcessRef> recordedProcesses(RunRecord run);

  /**
   * Stores one of a run's own JSON documents durably (replacing an earlier one) before returning: {@code attach}
   * (the backend's re-attachment record, SPEC §12.8) or {@code spawn} (what a queued run needs to start after a
   * restart: input message, session mode). Never holds secrets.
   *
   * @param name a lowercase document name ({@code [a-z]+})
   * @param document the JSON object
   */
  default void saveDocument(RunRecord run, String name, ObjectNode document) {
    throw new OrchException(OrchException.ErrorCode.UNSUPPORTED, "this store keeps no run documents");
  }

  /** @return the run's document with that name, or empty when none was stored (or it is unreadable) */
  default Optional<ObjectNode> readDocument(RunRecord run, String name) {
    return Optional.empty();
  }

  /**
   * @return a local directory private to the run (created if needed) for backend files that outlive the Orch
   *     process, e.g. {@code runs/<run_id>/agent/} in the file store
   */
  default Path privateDirectory(RunRecord run) {
    Path dir = Path.of(System.getProperty("java.io.tmpdir"), "orch-runs",
        run.runId().value());
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new OrchException(OrchException.ErrorCode.STORE,
          "cannot create a private run directory: " + e.getMessage(), e);
    }
    return dir;
  }

  /** @return non-terminal runs whose owning process is gone (candidates for reconciliation) */
  List<RunRecord> orphanedRuns();

  /** Marks a run as no longer active in this process (terminal); drops its active-run marker. */
  void runEnded(RunRecord run);

  // ---- sessions -------------------------------------------------------------------------------------------

  /**
   * Creates a session, choosing its agent name atomically across processes sharing the cwd.
   *
   * @param cwd the working directory
   * @param factory given the chosen agent name, builds the record; the store supplies the name from
   *     {@code nickname} or the smallest free {@code agent<N>}
   * @param nickname requested name (trimmed) or null
   * @return the saved session
   * @throws OrchException CONFLICT {@code Agent name is already in use: <n>}
   */
  SessionRecord createSession(Path cwd, String nickname, Function<String, SessionRecord> factory);

  /** Replaces the session file atomically. */
  void saveSession(SessionRecord session);

  /**
   * @param cwd look here first, may be null
   * @return the session from that cwd or any known cwd, or empty
   */
  Optional<SessionRecord> findSession(SessionId sessionId, Path cwd);

  /** @param cwd restrict to this cwd, or null for every known cwd */
  List<SessionRecord> listSessions(Path cwd);

  // ---- inbox ----------------------------------------------------------------------------------------------

  /** Appends to the recipient session's inbox, assigning the next seq under a cross-process lock. */
  InboxMessage appendInbox(SessionRecord recipient, InboxMessage message);

  /** @return messages with seq &gt; afterSeq, oldest first, at most limit */
  List<InboxMessage> readInbox(SessionRecord recipient, long afterSeq, int limit);

  // ---- cross-process control (cancel / continue of a run another process owns) ---------------------------

  /**
   * Posts a control request for a run that another process owns (its lease is held elsewhere). The owner finds it
   * with {@link #takeControls} within its scan interval. Must be durable and visible to other processes sharing
   * the store when this method returns.
   *
   * <p>The default implementation throws UNSUPPORTED, so stores written before the control channel keep
   * compiling; the engine then answers "cancel it through that process" as before.
   *
   * @param run the run
   * @param request the request
   * @return the request id ({@code request.id()})
   * @throws dev.orch.core.OrchException UNSUPPORTED when the store has no control channel; STORE on I/O failure
   */
  default String postControl(RunRecord run, ControlRequest request) {
    throw unsupportedControl();
  }

  /**
   * Takes the control requests posted for a run and not yet taken or withdrawn, oldest first. Taking is atomic
   * across processes: each request is returned to exactly one caller, once. Called by the run's owner when
   * {@link #watchControls} says requests may have been posted, else about every 50 ms per live run, so it must be
   * cheap when there is nothing (the file store lists one directory).
   *
   * @param run a run whose lease this process holds
   * @return the requests now owned by the caller, who must answer each with {@link #answerControl}; empty when none
   * @throws dev.orch.core.OrchException UNSUPPORTED when the store has no control channel; STORE on I/O failure
   */
  default List<ControlRequest> takeControls(RunRecord run) {
    throw unsupportedControl();
  }

  /**
   * Asks to be told when control requests may have been posted for a run this process owns, so that the owner takes
   * them at once and scans its idle runs only rarely (issue 8: a 50 ms scan of every live run cost a quiet server
   * CPU for each run it owned). A hint only: the owner still calls {@link #takeControls} on a slow timer,
   * so a missed or spurious call is harmless.
   *
   * @param run a run whose lease this process holds
   * @param onChange called on a store thread after requests may have been posted; must return at once
   * @return the subscription to close when the run ends here; empty (the default) when this store cannot watch its
   *     control requests: the owner then scans the run every 50 ms
   */
  default Optional<Subscription> watchControls(RunRecord run, Runnable onChange) {
    return Optional.empty();
  }

  /**
   * Stores the answer to a taken request (visible to other processes when this returns) and drops the request.
   *
   * @throws dev.orch.core.OrchException UNSUPPORTED when the store has no control channel; STORE on I/O failure
   */
  default void answerControl(RunRecord run, String requestId, ControlAnswer answer) {
    throw unsupportedControl();
  }

  /**
   * Reads the answer to a request; an answer that is returned is consumed (removed from the store).
   *
   * @return the answer, or empty while there is none yet
   * @throws dev.orch.core.OrchException UNSUPPORTED when the store has no control channel; STORE on I/O failure
   */
  default Optional<ControlAnswer> controlAnswer(RunRecord run, String requestId) {
    throw unsupportedControl();
  }

  /**
   * Withdraws a request nobody has taken yet (the requester gives up waiting).
   *
   * @return true when the request was withdrawn before an owner took it; false when it was already taken (an
   *     answer may still come) or does not exist
   * @throws dev.orch.core.OrchException UNSUPPORTED when the store has no control channel; STORE on I/O failure
   */
  default boolean withdrawControl(RunRecord run, String requestId) {
    throw unsupportedControl();
  }

  private static dev.orch.core.OrchException unsupportedControl() {
    return new dev.orch.core.OrchException(dev.orch.core.OrchException.ErrorCode.UNSUPPORTED,
        "this run store has no cross-process control channel");
  }

  /** Releases files and locks. */
  @Override
  void close();
}
