package dev.orch.store.fs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.NormalizedEvent;
import dev.orch.core.OrchException;
import dev.orch.core.RunId;
import dev.orch.core.SessionId;
import dev.orch.core.spi.ArtifactField;
import dev.orch.core.spi.ArtifactManifest;
import dev.orch.core.spi.ControlAnswer;
import dev.orch.core.spi.ControlRequest;
import dev.orch.core.spi.DirectoryWatch;
import dev.orch.core.spi.EventArtifacts;
import dev.orch.core.spi.EventLog;
import dev.orch.core.spi.InboxMessage;
import dev.orch.core.spi.ProcessRef;
import dev.orch.core.spi.RunFilter;
import dev.orch.core.spi.RunLease;
import dev.orch.core.spi.RunPage;
import dev.orch.core.spi.RunRecord;
import dev.orch.core.spi.RunStore;
import dev.orch.core.spi.SessionRecord;
import dev.orch.core.spi.Subscription;
import dev.orch.store.fs.internal.ArtifactFiles;
import dev.orch.store.fs.internal.AtomicFiles;
import dev.orch.store.fs.internal.Catalog;
import dev.orch.store.fs.internal.ControlFiles;
import dev.orch.store.fs.internal.EventIndex;
import dev.orch.store.fs.internal.FinishedIndexes;
import dev.orch.store.fs.internal.FsEventLog;
import dev.orch.store.fs.internal.JsonSupport;
import dev.orch.store.fs.internal.Leases;
import dev.orch.store.fs.internal.Leftovers;
import dev.orch.store.fs.internal.ManifestCache;
import dev.orch.store.fs.internal.ProcessLog;
import dev.orch.store.fs.internal.RunIndex;
import dev.orch.store.fs.internal.RunJson;
import dev.orch.store.fs.internal.RunListIndex;
import dev.orch.store.fs.internal.SeqLineReader;
import dev.orch.store.fs.internal.SessionFiles;
import dev.orch.store.fs.internal.StoreErrors;
import dev.orch.store.fs.internal.StoreLayout;
import dev.orch.store.fs.internal.StoreLayout.RunFiles;
import dev.orch.store.fs.internal.TsRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongUnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file store (SPEC §5, §6): per cwd {@code <cwd>/<dirName>/runs/<run_id>/…} and {@code sessions/…}, plus a
 * global home with Orch's run index (run_id → cwd, {@code run-index.jsonl}), the TS server's registry
 * ({@code registry.json}, see {@link TsRegistry}) and active-run markers. Compatible with the TS server's files
 * in both directions: a bare run_id resolves through either index, runs are listed across the cwds of both, and
 * every run Orch creates is added to {@code registry.json} once (under the TS lock) so the TS server finds it.
 * Unlike the TS server, every JSON file is replaced atomically, the event log is append-only with one fsync per
 * appended batch (group commit) and a torn tail is dropped on open, the indexes are written once per run, and
 * several processes may share one cwd (OS file locks for agent names, inbox seqs, the index and run leases).
 *
 * <p>Where a run or session was found on disk is remembered, so records whose {@code cwd} differs from the
 * directory holding them (e.g. copied stores) keep working. Thread-safe. Every I/O failure is an
 * {@link OrchException} with code STORE. (Long because it is the whole {@link RunStore} SPI in one facade; each
 * method delegates to a class of {@code internal}: events, artifacts, sessions, leases, indexes, control files.)
 */
public final class FsRunStore implements RunStore {
  private static final Logger LOG = LoggerFactory.getLogger(FsRunStore.class);

  private final StoreLayout layout;
  private final RunIndex index;
  private final TsRegistry registry;
  private final SeqLineReader reader = new SeqLineReader();
  private final SessionFiles sessions = new SessionFiles(reader);
  private final Catalog catalog;
  private final RunListIndex runList;
  private final Set<RunLease> leases = ConcurrentHashMap.newKeySet();
  private final ManifestCache manifests = new ManifestCache();
  private final FinishedIndexes finishedIndexes = new FinishedIndexes();

  /**
   * Opens a store; nothing is created on disk until the first write.
   *
   * @param settings home and per-cwd directory name
   */
  public FsRunStore(FsStoreSettings settings) {
    this.layout = new StoreLayout(settings.dirName());
    this.index = new RunIndex(settings.home());
    this.registry = new TsRegistry(settings.home());
    this.catalog = new Catalog(layout, index, registry);
    this.runList = new RunListIndex(layout, index.home(), catalog::readRun);
    Leftovers.sweep(index.home());
    Leftovers.sweep(index.home().resolve("active"));
  }

  // ---- runs -------------------------------------------------------------------------------------------------

  /**
   * Writes run.json, indexes the run in Orch's index and adds it to the TS registry. The registry write waits up
   * to {@value TsRegistry#GIVE_UP_MS} ms for the TS lock; when it cannot be done (lock busy, malformed registry,
   * I/O error) the run is still created and found through Orch's index, and a warning names the reason.
   *
   * @throws OrchException CONFLICT when another holder has the new run's lease; STORE on I/O failure
   */
  @Override
  public RunLease createRun(RunRecord run) {
    String id = run.runId().value();
    Path cwd = normalize(run.cwd());
    Path dir = layout.runDir(cwd, id);
    RunLease lease = acquire(dir).orElseThrow(() -> OrchException.conflict("run is already leased: " + id));
    try {
      // marker and index before run.json: a process killed in between leaves a marker of a run without run.json
      // (dropped by the next scan, see orphanedRuns), never a queued run.json that no scan finds (found by soak)
      index.markActive(id, cwd);
      index.append(id, cwd);
      AtomicFiles.replace(dir.resolve(RunFiles.RUN), JsonSupport.pretty(RunJson.toJson(run)));
      AtomicFiles.fsyncDirectory(dir.getParent());
    } catch (IOException e) {
      dropMarkerQuietly(id);
      lease.close();
      throw StoreErrors.io("cannot index run", index.home(), e);
    } catch (RuntimeException e) {
      dropMarkerQuietly(id);
      lease.close();
      throw e;
    }
    catalog.rememberRun(id, dir);
    runList.record(cwd, run);
    try {
      registry.register(id, cwd);
    } catch (IOException | RuntimeException e) {
      LOG.warn("cannot add run {} to {}: {} (Orch's own index has it)", id, registry.file(), e.getMessage());
    }
    return lease;
  }

  @Override
  public void saveRun(RunRecord run) {
    Path dir = runDir(run);
    AtomicFiles.replace(dir.resolve(RunFiles.RUN), JsonSupport.pretty(RunJson.toJson(run)));
    if (run.status().isTerminal()) {
      AtomicFiles.replace(dir.resolve(RunFiles.RESULT), JsonSupport.pretty(RunJson.resultFile(run)));
    }
    runList.record(dir.getParent().getParent().getParent(), run);
  }

  /**
   * The index may lag behind run.json by one status change (it is written right after run.json), and only for runs
   * that are not terminal yet (terminal is sticky): those few are checked against their run.json.
   */
  private boolean statusMatches(RunFilter filter, Path cwd, RunListIndex.Entry e) {
    if (filter.status() == null || e.status() == filter.status()) {
      return true;
    }
    if (e.status().isTerminal()) {
      return false;
    }
    return catalog.readRun(layout.runDir(cwd, e.runId())).map(r -> r.status() == filter.status()).orElse(false);
  }

  /**
   * Lists through the per-cwd listing index ({@link RunListIndex}): the index picks and orders the page, whose records
   * are then read from their run.json (issue 8 item 4).
   */
  @Override
  public RunPage listRuns(RunFilter filter, int offset, int limit) {
    record Hit(Path cwd, RunListIndex.Entry entry) {
    }
    List<Hit> matching = new ArrayList<>();
    Set<Path> cwds = filter.cwd() == null ? catalog.knownCwds() : Set.of(normalize(filter.cwd()));
    for (Path c : cwds) {
      for (RunListIndex.Entry e : runList.entries(c)) {
        if ((filter.backend() == null || e.backend().equals(filter.backend()))
            && (filter.sessionId() == null || e.sessionId().equals(filter.sessionId().value()))
            && statusMatches(filter, c, e)) {
          matching.add(new Hit(c, e));
        }
      }
    }
    if (cwds.size() > 1) {
      matching.sort(java.util.Comparator.comparing(Hit::entry, RunListIndex.NEWEST_FIRST));
    }
    List<RunRecord> page = new ArrayList<>();
    for (int i = Math.max(0, offset); i < matching.size() && page.size() < limit; i++) {
      Hit h = matching.get(i);
      catalog.readRun(layout.runDir(h.cwd(), h.entry().runId())).filter(filter::accepts).ifPresent(page::add);
    }
    page.sort(RunPage.NEWEST_FIRST);
    return new RunPage(page, matching.size());
  }

  @Override
  public Optional<RunRecord> findRun(RunId runId) {
    return catalog.findRun(runId.value());
  }

  @Override
  public List<RunRecord> listRuns(Path cwd) {
    return catalog.listRuns(cwd);
  }

  @Override
  public EventLog openEventLog(RunRecord run) {
    Leftovers.sweep(runDir(run));
    Path file = runDir(run).resolve(RunFiles.EVENTS);
    reader.forget(file);
    return FsEventLog.open(file);
  }

  @Override
  public List<NormalizedEvent> readEvents(RunRecord run, long afterSeq, int limit) {
    Path file = runDir(run).resolve(RunFiles.EVENTS);
    try {
      LongUnaryOperator hint = size -> EventIndex.offsetOf(file, afterSeq + 1, size);
      if (run.status().isTerminal()) {
        // a finished log without a usable index (TS server, older Orch, copied store) gets one at its first read
        LongUnaryOperator plain = hint;
        hint = size -> {
          long offset = plain.applyAsLong(size);
          return offset < 0 && finishedIndexes.build(file, size) ? plain.applyAsLong(size) : offset;
        };
      }
      return reader.read(file, afterSeq, Math.max(1, limit), NormalizedEvent::fromJson, NormalizedEvent::seq, hint);
    } catch (IOException e) {
      throw StoreErrors.io("cannot read events", file, e);
    }
  }

  /**
   * Watches the run's directory ({@link DirectoryWatch}: inotify on Linux), where {@code events.jsonl} grows and
   * {@code run.json} is replaced.
   *
   * @return empty when the directory cannot be watched
   */
  @Override
  public Optional<Subscription> watchEventLog(RunRecord run, Runnable onChange) {
    Path dir = runDir(run);
    return DirectoryWatch.shared().flatMap(w -> w.watch(dir, onChange));
  }

  /** @return the size of {@code events.jsonl} in bytes, -1 when it does not exist */
  @Override
  public long eventLogVersion(RunRecord run) {
    Path file = runDir(run).resolve(RunFiles.EVENTS);
    try {
      return Files.size(file);
    } catch (NoSuchFileException e) {
      return -1;
    } catch (IOException e) {
      throw StoreErrors.io("cannot stat", file, e);
    }
  }

  // ---- artifacts --------------------------------------------------------------------------------------------

  /** @throws OrchException INVALID_ARGUMENT for a pointer or type that would escape the artifact directory */
  @Override
  public void writeArtifacts(RunRecord run, long seq, String eventType, List<ArtifactField> fields) {
    ArtifactFiles.write(runDir(run), seq, eventType, fields);
  }

  /** Forces each file and directory once for the whole batch ({@link ArtifactFiles#writeAll}). */
  @Override
  public void writeArtifacts(RunRecord run, List<EventArtifacts> events) {
    if (!events.isEmpty()) {
      ArtifactFiles.writeAll(runDir(run), events);
    }
  }

  @Override
  public Optional<ArtifactManifest> readManifest(RunRecord run, long seq) {
    return manifests.read(runDir(run), seq);
  }

  /** @throws OrchException NOT_FOUND when the manifest has no entry for the pointer */
  @Override
  public byte[] readArtifact(RunRecord run, ArtifactManifest manifest, String pointer, long offset, int length) {
    return manifests.readArtifact(runDir(run), manifest, pointer, offset, length);
  }

  // ---- leases and orphans -----------------------------------------------------------------------------------

  @Override
  public Optional<RunLease> tryLease(RunRecord run) {
    return acquire(runDir(run));
  }

  @Override
  public void recordProcess(RunRecord run, ProcessRef process) {
    Path file = runDir(run).resolve(RunFiles.PROCESSES);
    try {
      ProcessLog.append(file, process);
    } catch (IOException e) {
      throw StoreErrors.io("cannot record process in", file, e);
    }
  }

  @Override
  public List<ProcessRef> recordedProcesses(RunRecord run) {
    Path file = runDir(run).resolve(RunFiles.PROCESSES);
    try {
      return ProcessLog.read(file);
    } catch (IOException e) {
      throw StoreErrors.io("cannot read", file, e);
    }
  }

  /** Writes {@code runs/<run_id>/<name>.json} atomically and durably (e.g. {@code attach.json}, SPEC §12.8). */
  @Override
  public void saveDocument(RunRecord run, String name, ObjectNode document) {
    AtomicFiles.replace(runDir(run).resolve(documentName(name)), JsonSupport.pretty(document));
  }

  /** @return {@code runs/<run_id>/<name>.json}, or empty when missing or malformed (warned) */
  @Override
  public Optional<ObjectNode> readDocument(RunRecord run, String name) {
    Path file = runDir(run).resolve(documentName(name));
    byte[] bytes = AtomicFiles.readIfExists(file);
    if (bytes == null) {
      return Optional.empty();
    }
    try {
      JsonNode n = JsonSupport.parse(bytes, 0, bytes.length);
      return n.isObject() ? Optional.of((ObjectNode) n) : Optional.empty();
    } catch (IOException e) {
      LOG.warn("ignoring a malformed {}: {}", file, e.getMessage());
      return Optional.empty();
    }
  }

  private static String documentName(String name) {
    if (name == null || !name.matches("[a-z]{1,32}") || name.equals("run") || name.equals("result")) {
      throw new IllegalArgumentException("not a run document name: " + name);
    }
    return name + ".json";
  }

  /** @return {@code runs/<run_id>/agent/}, created if needed */
  @Override
  public Path privateDirectory(RunRecord run) {
    Path dir = runDir(run).resolve(RunFiles.AGENT);
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw StoreErrors.io("cannot create", dir, e);
    }
    return dir;
  }

  /**
   * Scans the active-run markers of the home: a run that is non-terminal and whose lease can be taken has lost
   * its owner. Markers of terminal or vanished runs are removed. The probing lease is released again.
   */
  @Override
  public List<RunRecord> orphanedRuns() {
    List<RunRecord> out = new ArrayList<>();
    try {
      for (RunIndex.Marker m : index.activeMarkers()) {
        if (!StoreLayout.isSafeSegment(m.runId())) {
          continue;
        }
        Path dir = layout.runDir(m.cwd(), m.runId());
        Optional<RunRecord> run = catalog.readRun(dir);
        if (run.isEmpty() && leaseHeldElsewhere(dir)) {
          // being created by a live process right now (its marker comes before its run.json)
          continue;
        }
        if (run.isEmpty() || run.get().status().isTerminal()) {
          index.clearActive(m.runId());
          continue;
        }
        Optional<RunLease> probe = Leases.tryAcquire(dir.resolve(RunFiles.LEASE));
        if (probe.isPresent()) {
          probe.get().close();
          out.add(run.get());
        }
      }
    } catch (IOException e) {
      throw StoreErrors.io("cannot scan active runs in", index.home(), e);
    }
    return out;
  }

  /** @return true when a process (this one included) holds the lease of that run directory */
  private static boolean leaseHeldElsewhere(Path dir) throws IOException {
    if (!Files.exists(dir.resolve(RunFiles.LEASE))) {
      return false;
    }
    Optional<RunLease> probe = Leases.tryAcquire(dir.resolve(RunFiles.LEASE));
    probe.ifPresent(RunLease::close);
    return probe.isEmpty();
  }

  private void dropMarkerQuietly(String runId) {
    try {
      index.clearActive(runId);
    } catch (IOException | RuntimeException e) {
      LOG.warn("cannot drop the active-run marker of run {} that could not be created: {}", runId, e.getMessage());
    }
  }

  /** Drops the run's active-run marker and releases this process's lease on it, if held. */
  @Override
  public void runEnded(RunRecord run) {
    Path dir = runDir(run);
    try {
      index.clearActive(run.runId().value());
    } catch (IOException e) {
      throw StoreErrors.io("cannot clear active-run marker in", index.home(), e);
    } finally {
      Leases.release(dir.resolve(RunFiles.LEASE));
    }
  }

  // ---- cross-process control ----------------------------------------------------------------------------------

  /** Writes {@code runs/<run_id>/control/<id>.request.json} atomically (see {@link ControlFiles}). */
  @Override
  public String postControl(RunRecord run, ControlRequest request) {
    ControlFiles.post(runDir(run), request);
    return request.id();
  }

  /** Renames each {@code <id>.request.json} to {@code <id>.taken.json} (the atomic take) and returns them. */
  @Override
  public List<ControlRequest> takeControls(RunRecord run) {
    return ControlFiles.take(runDir(run), Instant.now());
  }

  /**
   * Watches {@code runs/<run_id>/control/} (created here when missing, as a requester would) with the JVM's
   * {@link DirectoryWatch}.
   *
   * @return empty when the directory cannot be created or watched (the owner scans on its timer)
   */
  @Override
  public Optional<Subscription> watchControls(RunRecord run, Runnable onChange) {
    Path dir = runDir(run).resolve(ControlFiles.DIR);
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      LOG.debug("cannot create {} ({}); its control requests are found on a timer only", dir, e.toString());
      return Optional.empty();
    }
    return DirectoryWatch.shared().flatMap(w -> w.watch(dir, onChange));
  }

  @Override
  public void answerControl(RunRecord run, String requestId, ControlAnswer answer) {
    ControlFiles.answer(runDir(run), requestId, answer);
  }

  @Override
  public Optional<ControlAnswer> controlAnswer(RunRecord run, String requestId) {
    return ControlFiles.readAnswer(runDir(run), requestId);
  }

  @Override
  public boolean withdrawControl(RunRecord run, String requestId) {
    return ControlFiles.withdraw(runDir(run), requestId);
  }

  // ---- sessions ---------------------------------------------------------------------------------------------

  @Override
  public SessionRecord createSession(Path cwd, String nickname, Function<String, SessionRecord> factory) {
    Path c = normalize(cwd);
    Path dir = layout.sessionsDir(c);
    Leftovers.sweep(dir);
    SessionRecord s = sessions.create(dir, nickname, factory);
    catalog.rememberSession(s.sessionId().value(), dir);
    catalog.rememberCwd(c);
    if (!index.knowsCwd(c)) {
      try {
        if (!index.cwds().contains(c)) {
          index.append(null, c);
        }
      } catch (IOException e) {
        throw StoreErrors.io("cannot index cwd in", index.home(), e);
      }
    }
    return s;
  }

  @Override
  public void saveSession(SessionRecord session) {
    String id = session.sessionId().value();
    Path dir = catalog.sessionsDir(session);
    sessions.save(dir, session);
    catalog.rememberSession(id, dir);
  }

  @Override
  public Optional<SessionRecord> findSession(SessionId sessionId, Path cwd) {
    String id = sessionId.value();
    Set<Path> dirs = new LinkedHashSet<>();
    if (cwd != null) {
      dirs.add(layout.sessionsDir(normalize(cwd)));
    }
    Path cached = catalog.rememberedSessionDir(id);
    if (cached != null) {
      dirs.add(cached);
    }
    for (Path dir : dirs) {
      Optional<SessionRecord> s = readSession(dir, id);
      if (s.isPresent()) {
        return s;
      }
    }
    for (Path c : catalog.knownCwds()) {
      Optional<SessionRecord> s = readSession(layout.sessionsDir(c), id);
      if (s.isPresent()) {
        return s;
      }
    }
    return Optional.empty();
  }

  @Override
  public List<SessionRecord> listSessions(Path cwd) {
    Map<String, SessionRecord> out = new LinkedHashMap<>();
    for (Path c : catalog.cwdsFor(cwd)) {
      Path dir = layout.sessionsDir(c);
      for (SessionRecord s : sessions.list(dir)) {
        catalog.rememberSession(s.sessionId().value(), dir);
        out.putIfAbsent(s.sessionId().value(), s);
      }
    }
    return new ArrayList<>(out.values());
  }

  // ---- inbox ------------------------------------------------------------------------------------------------

  @Override
  public InboxMessage appendInbox(SessionRecord recipient, InboxMessage message) {
    return sessions.appendInbox(catalog.sessionsDir(recipient), message);
  }

  @Override
  public List<InboxMessage> readInbox(SessionRecord recipient, long afterSeq, int limit) {
    return sessions.readInbox(catalog.sessionsDir(recipient), recipient.sessionId().value(), afterSeq,
        Math.max(1, limit));
  }

  /** Releases every lease this store instance took. Idempotent. */
  @Override
  public void close() {
    for (RunLease lease : leases) {
      lease.close();
    }
    leases.clear();
  }

  // ---- helpers ----------------------------------------------------------------------------------------------

  private Optional<RunLease> acquire(Path runDir) {
    Path file = runDir.resolve(RunFiles.LEASE);
    try {
      Optional<RunLease> lease = Leases.tryAcquire(file);
      leases.removeIf(l -> !Leases.isHeld(l));
      lease.ifPresent(leases::add);
      return lease;
    } catch (IOException e) {
      throw StoreErrors.io("cannot open lease", file, e);
    }
  }

  private Path runDir(RunRecord run) {
    return catalog.runDir(run);
  }

  private Optional<SessionRecord> readSession(Path dir, String id) {
    Optional<SessionRecord> s = sessions.read(dir, id);
    s.ifPresent(found -> catalog.rememberSession(id, dir));
    return s;
  }

  private static Path normalize(Path cwd) {
    return Catalog.normalize(cwd);
  }
}
