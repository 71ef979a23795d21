package dev.orch.core.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.AgentInfo;
import dev.orch.core.AgentMessage;
import dev.orch.core.ArtifactSlice;
import dev.orch.core.BackendInfo;
import dev.orch.core.CancelResult;
import dev.orch.core.ContinueResult;
import dev.orch.core.EventPage;
import dev.orch.core.EventType;
import dev.orch.core.InboxPage;
import dev.orch.core.InboxReceipt;
import dev.orch.core.OrchException;
import dev.orch.core.RunEvent;
import dev.orch.core.RunId;
import dev.orch.core.RunLimits;
import dev.orch.core.RunListener;
import dev.orch.core.RunRef;
import dev.orch.core.RunStatus;
import dev.orch.core.RunSummary;
import dev.orch.core.SessionMode;
import dev.orch.core.SpawnRequest;
import dev.orch.core.SpawnResult;
import dev.orch.core.Timestamps;
import dev.orch.core.Usage;
import dev.orch.core.UsageQuery;
import dev.orch.core.UsageSummary;
import dev.orch.core.spi.Backend;
import dev.orch.core.spi.BackendContext;
import dev.orch.core.spi.BackendDescriptor;
import dev.orch.core.spi.LogEntry;
import dev.orch.core.spi.RunHandle;
import dev.orch.core.spi.RunRecord;
import dev.orch.core.spi.RunSpec;
import dev.orch.core.spi.RunStore;
import dev.orch.core.spi.RunStoreProvider;
import dev.orch.core.spi.UsageReport;
import dev.orch.core.spi.SessionRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run engine behind {@link dev.orch.core.Orchestrator}: run lifecycle (spawn, start from the session line,
 * cancel, continue, shutdown). Read-side operations live in {@link Queries}; agent messaging in {@link Inbox}.
 * Thread-safe: a run's write side is guarded by its {@link RunJournal}, what readers see by the run's own lock
 * (never held during disk I/O); session lines by one lock taken per run. The rules every backend shares (exactly one
 * terminal event, cancel wins) live in {@link EventPipeline}; durability and publishing in {@link GroupCommit};
 * store failures in {@link StoreFaults}.
 */
public final class Engine implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
  /** Bound of a cancel on shutdown before children are killed outright (SPEC §10: exit within 1 s). */
  static final Duration SHUTDOWN_CANCEL_BOUND = Duration.ofMillis(600);
  /** Bound of the wait for the last commits on shutdown. */
  static final Duration SHUTDOWN_COMMIT_BOUND = Duration.ofMillis(300);
  /** How long cancel_run waits for its cancelled event to be durable before answering, ms. */
  static final long CANCEL_PUBLISH_WAIT_MS = 5000;

  private final RunStore store;
  private final BackendRegistry registry;
  private final Clock clock;
  private final ConcurrentHashMap<RunId, LiveRun> live = new ConcurrentHashMap<>();
  private final ExecutorService starter;
  private final ExecutorService committer;
  private final ScheduledExecutorService flusher;
  private final GroupCommit commits;
  private final EventPipeline pipeline;
  private final Scheduler scheduler;
  private final LimitGuard limits;
  private final Pricing pricing;
  private final RunObservers observers = new RunObservers();
  private final ExecutorService probeExecutor = Executors.newCachedThreadPool(daemonThreads("orch-probe"));
  private final BackendProbes probes;
  private final Reconciler reconciler;
  private final RunResolver resolver;
  private final Sessions sessions;
  private final Queries queries;
  private final Inbox inbox;
  private final Detach.OnExit onExit;
  private volatile boolean closed;

  private Engine(RunStore store, BackendRegistry registry, Clock clock, ThreadFactory threads, Detach.OnExit onExit,
      Caps caps, RunLimits limitDefaults, Pricing pricing, Map<String, String> env) {
    this.onExit = onExit;
    this.pricing = pricing;
    this.store = store;
    this.registry = registry;
    this.clock = clock;
    this.starter = Executors.newCachedThreadPool(threads);
    this.committer = Executors.newCachedThreadPool(daemonThreads("orch-commit"));
    this.flusher = Executors.newSingleThreadScheduledExecutor(threads);
    this.commits = new GroupCommit(store, committer, flusher);
    this.pipeline = new EventPipeline(clock, commits);
    this.scheduler = new Scheduler(caps, run -> starter.execute(() -> start(run)),
        ready -> new Dependencies(this::statusOf, flusher, new Dependencies.Outcome() {
          @Override
          public void satisfied(LiveRun run) {
            ready.accept(run);
          }

          @Override
          public void failed(LiveRun run, RunId dependency, RunStatus status) {
            dependencyFailed(run, dependency, status);
          }
        }));
    this.limits = new LimitGuard(limitDefaults, flusher, live::values, this::limitExceeded);
    StoreFaults faults = new StoreFaults(store, pipeline, flusher, this::onTerminal, this::stopAgent,
        run -> scheduler.finished(run, run.record().status()), this::forget);
    faults.observers(observers);
    commits.listener(faults);
    commits.observers(observers);
    this.probes = new BackendProbes(registry, scheduler, probeExecutor, env);
    this.reconciler = new Reconciler(store, clock);
    this.resolver = new RunResolver(store, live, reconciler);
    this.sessions = new Sessions(store, clock);
    this.queries = new Queries(store, resolver, registry);
    this.inbox = new Inbox(store, resolver, clock);
  }

  /**
   * Opens the store, loads the backends and reconciles orphaned runs.
   *
   * @throws OrchException UNSUPPORTED when no store is available or backend ids collide
   */
  public static Engine start(EngineConfig config) {
    ThreadFactory threads = daemonThreads("orch");
    Detach.OnExit onExit = Detach.OnExit.from(config.environment());
    Caps caps = Caps.from(config.environment());
    RunLimits limitDefaults = LimitGuard.defaults(config.environment());
    Pricing pricing = PriceTable.load(config.environment());
    BackendProbes.cap(config.environment()); // validated before anything is opened
    RunStore store = openStore(config);
    BackendRegistry registry;
    try {
      registry = new BackendRegistry(config.backends(), config.discovery(), config.classLoader(),
          new BackendContext(config.environment(), daemonThreads("orch-backend"), config.clock()));
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    Engine engine = new Engine(store, registry, config.clock(), threads, onExit, caps, limitDefaults, pricing,
        config.environment());
    if (config.reconcileOnStart()) {
      engine.reconciler.adopter(new Adoption(store, registry, engine.live, engine.scheduler, engine.pipeline,
          engine.commits, engine.sessions, engine.reconciler, engine::sink,
          engine.limits::started));
      int n = engine.reconciler.reconcileAll();
      if (n > 0) {
        LOG.info("settled {} run(s) left active by a dead Orch process (re-attached or marked failed)", n);
      }
    }
    return engine;
  }

  private static RunStore openStore(EngineConfig config) {
    if (config.store() != null) {
      return config.store();
    }
    if (config.storeProvider() != null) {
      return config.storeProvider().open(config.environment());
    }
    if (config.discovery()) {
      Iterator<RunStoreProvider> it = ServiceLoader.load(RunStoreProvider.class, config.classLoader()).iterator();
      if (it.hasNext()) {
        return it.next().open(config.environment());
      }
    }
    throw new OrchException(OrchException.ErrorCode.UNSUPPORTED,
        "No run store available: add dev.orch:orch-store-fs to the class path or pass Orchestrator.builder().store(...)");
  }

  static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  // ---- spawn ---------------------------------------------------------------------------------------------

  /** @see dev.orch.core.Orchestrator#spawn */
  public SpawnResult spawn(SpawnRequest req) {
    ensureOpen();
    SpawnPlan plan = SpawnPlan.prepare(req, registry, resolver, scheduler.lines());
    Backend backend = registry.get(req.backend());
    // Validate with the backend before anything is persisted (SPEC §2).
    backend.validate(plan.specFor(RunId.random(), plan.provisionalSession(), null));
    SessionRecord session = plan.mode() == SessionMode.NEW ? sessions.create(plan) : plan.existingSession();
    return submit(plan, session, backend);
  }

  private SpawnResult submit(SpawnPlan plan, SessionRecord session, Backend backend) {
    RunId runId = RunId.random();
    var record = plan.newRecord(runId, session, Timestamps.now(clock), Secrets.redact(plan.backendConfig()));
    var lease = store.createRun(record);
    sessions.recordRun(session, runId, plan.role());
    sessions.rememberConfig(session.sessionId(), plan.backendConfig());
    LiveRun run = new LiveRun(record, backend, lease, plan.pendingStart());
    live.put(runId, run);
    saveSpawnDocument(record, plan);
    scheduler.submit(run);
    return new SpawnResult(runId, record.backend(), record.role(), record.sessionId(), record.agentName(),
        RunStatus.QUEUED);
  }

  /** Starts a run that left its session line (executor thread). Never throws: failures become run_failed. */
  private void start(LiveRun run) {
    RunJournal j = run.journal;
    synchronized (j) {
      if (j.closed || j.cancelRequested || closed) {
        return;
      }
      j.started = true;
    }
    limits.started(run);
    RunHandle handle;
    try {
      RunSpec spec = specAtStart(run);
      handle = run.backend.start(spec, sink(run));
    } catch (RuntimeException | LinkageError e) {
      String msg = e instanceof OrchException ? e.getMessage() : "backend " + run.backendId
          + " could not start the run: " + e;
      LOG.warn("run {} failed to start: {}", run.runId, msg);
      pipeline.accept(run, new RunEvent.RunFailed(msg, RunEvent.noDetails()), EventPipeline.Origin.ENGINE,
          LogEntry.NO_POSITION);
      return;
    }
    run.handle = handle;
    String cancelReason;
    synchronized (j) {
      cancelReason = j.cancelRequested ? j.cancelReason : null;
    }
    if (cancelReason != null) {
      Shutdown.safeCancel(handle, cancelReason);
    }
  }

  private RunSpec specAtStart(LiveRun run) {
    var r = run.record();
    SessionRecord session = store.findSession(r.sessionId(), r.cwd())
        .orElseThrow(() -> OrchException.notFound("Unknown session_id: " + r.sessionId()));
    RunSpec.Resume resume = null;
    if (run.pendingStart.resume()) {
      if (session.backendSessionId() == null) {
        throw OrchException.conflict("Session " + session.sessionId() + " has no backend session id yet: the "
            + "previous run ended before the backend reported one, so there is nothing to resume");
      }
      resume = new RunSpec.Resume(session.backendSessionId(), session.remoteRef());
    }
    return SpawnPlan.spec(r, session, run.pendingStart, resume);
  }

  /** Called once per run on its committing thread, after its terminal event is durable and published. */
  private void onTerminal(LiveRun run) {
    RunJournal j = run.journal;
    if (j.log != null) {
      j.log.close();
      j.log = null;
    }
    forget(run);
    scheduler.finished(run, run.record().status());
  }

  /**
   * Stores what a queued run needs to start after a restart (SPEC §12.5: waiting state on disk): the session mode and
   * the input message. A failure only costs that ability (logged).
   */
  private void saveSpawnDocument(RunRecord record, SpawnPlan plan) {
    ObjectNode doc = RunEvent.noDetails();
    doc.put("session_mode", plan.mode().wire());
    PendingStart p = plan.pendingStart();
    if (p.inputMessage() != null) {
      doc.set("input_message", p.inputMessage().toJson());
    }
    try {
      store.saveDocument(record, "spawn", doc);
    } catch (RuntimeException e) {
      LOG.warn("run {}: its spawn request could not be stored ({}); it will not survive a restart while queued",
          record.runId(), StoreFaults.describe(e));
    }
  }

  /** @return the current status of any run: this process first, then the store; empty when unknown */
  private java.util.Optional<RunStatus> statusOf(RunId id) {
    LiveRun l = live.get(id);
    if (l != null) {
      return java.util.Optional.of(l.record().status());
    }
    return store.findRun(id).map(RunRecord::status);
  }

  /** @return the sink a run's backend reports to */
  RunSink sink(LiveRun run) {
    return new RunSink(run, pipeline, commits, sessions, store, this::usage);
  }

  /** A backend reported usage: normalize and price it, keep it on the run, enforce the usage limits (SPEC §12.3-4). */
  private void usage(LiveRun run, UsageReport report) {
    Usage u = pricing.price(report);
    pipeline.change(run, r -> r.withUsage(u));
    synchronized (run.journal) {
      if (run.journal.cancelRequested) {
        return; // already stopping (cancel, shutdown, another limit): the usage is kept, no second stop
      }
    }
    LimitGuard.Breach b = limits.check(run, u, report);
    if (b != null) {
      limitExceeded(run, b, report.last());
    }
  }

  private void limitExceeded(LiveRun run, LimitGuard.Breach breach) {
    limitExceeded(run, breach, false);
  }

  /**
   * A run went over a limit (SPEC §12.3). When {@code last}, the backend's terminal event follows and becomes the
   * failure (keeping its result); otherwise the run is stopped like a cancel and the failure recorded.
   */
  private void limitExceeded(LiveRun run, LimitGuard.Breach breach, boolean last) {
    RunJournal j = run.journal;
    synchronized (j) {
      if (j.closed || j.limitBreach != null) {
        return;
      }
      j.limitBreach = breach;
      if (last) {
        return;
      }
      j.cancelRequested = true;
      j.cancelReason = "limit_exceeded";
    }
    LOG.info("run {}: {}; stopping it", run.runId, breach.message());
    Thread t = new Thread(() -> {
      RunHandle handle = run.handle;
      if (handle != null) {
        Shutdown.safeCancel(handle, "limit_exceeded");
      }
      Shutdown.killLeftovers(run, Duration.ofSeconds(2));
      pipeline.accept(run, breach.failure(null), EventPipeline.Origin.ENGINE, LogEntry.NO_POSITION);
    }, "orch-limit-" + run.runId);
    t.setDaemon(true);
    t.start();
  }

  /** A dependency ended otherwise than completed: the waiting run ends cancelled (SPEC §12.5). */
  private void dependencyFailed(LiveRun run, RunId dependency, RunStatus status) {
    RunJournal j = run.journal;
    synchronized (j) {
      if (j.closed) {
        return;
      }
      j.cancelRequested = true;
      j.cancelReason = "dependency_failed";
    }
    LOG.info("run {} cancelled: its dependency {} ended {}", run.runId, dependency,
        status == null ? "missing" : status.wire());
    pipeline.accept(run, new RunEvent.StatusChanged(RunStatus.CANCELLED, RunEvent.details("reason",
        "dependency_failed", "dependency", dependency.value(), "dependency_status",
        status == null ? "missing" : status.wire())), EventPipeline.Origin.ENGINE, LogEntry.NO_POSITION);
  }

  /** Releases the lease and the active-run marker of a run whose end is on disk, and stops tracking it. */
  private void forget(LiveRun run) {
    run.lease.close();
    try {
      store.runEnded(run.record());
    } catch (RuntimeException e) {
      LOG.warn("could not drop the active marker of {}: {}", run.runId, e.getMessage());
    }
    live.remove(run.runId);
  }

  /** Stops a run's agent after a store fault: the backend's cancel, then whatever processes are left. */
  private void stopAgent(LiveRun run) {
    RunHandle handle = run.handle;
    if (handle != null) {
      Shutdown.safeCancel(handle, "store_fault");
    }
    Shutdown.killLeftovers(run, Duration.ofSeconds(2));
  }

  // ---- cancel / continue -----------------------------------------------------------------------------------

  /** @see dev.orch.core.Orchestrator#cancel */
  public CancelResult cancel(RunRef ref) {
    ensureOpen();
    RunResolver.Resolved res = resolver.resolve(ref);
    if (res.live() == null) {
      return cancelNotLive(res);
    }
    LiveRun run = res.live();
    RunJournal j = run.journal;
    synchronized (j) {
      if (j.closed) {
        RunStatus s = j.faulted ? run.record().status() : j.status;
        throw OrchException.conflict("run is already terminal: " + s.wire());
      }
      j.cancelRequested = true;
      j.cancelReason = "user";
    }
    RunHandle handle = run.handle;
    if (handle != null) {
      Shutdown.safeCancel(handle, "user");
    }
    Shutdown.killLeftovers(run, Duration.ofSeconds(2));
    long seq = pipeline.accept(run, new RunEvent.StatusChanged(RunStatus.CANCELLED,
        RunEvent.details("reason", "user")), EventPipeline.Origin.ENGINE, LogEntry.NO_POSITION);
    j.awaitPublished(seq, CANCEL_PUBLISH_WAIT_MS);
    var after = run.record();
    RunStatus status;
    synchronized (j) {
      status = after.status().isTerminal() || j.faulted ? after.status() : j.status;
    }
    return new CancelResult(after.runId(), status, after.updatedAt());
  }

  private CancelResult cancelNotLive(RunResolver.Resolved res) {
    var r = res.record();
    if (r.status().isTerminal()) {
      throw OrchException.conflict("run is already terminal: " + r.status().wire());
    }
    throw OrchException.conflict("run " + r.runId() + " is " + r.status().wire()
        + " in another live Orch process sharing this cwd; cancel it through that process");
  }

  /** @see dev.orch.core.Orchestrator#continueRun */
  public ContinueResult continueRun(RunRef ref, AgentMessage message) {
    ensureOpen();
    RunResolver.Resolved res = resolver.resolve(ref);
    var r = res.record();
    RunStatus s = r.status();
    if (s.isWaiting()) {
      if (res.live() == null) {
        throw OrchException.conflict("run " + r.runId() + " waits in another live Orch process sharing this cwd");
      }
      Capabilities.requireLiveInput(registry.descriptor(r.backend()));
      return continueLive(res.live(), message);
    }
    if (s == RunStatus.CANCELLED || s == RunStatus.REJECTED) {
      throw OrchException.conflict("run is already terminal: " + s.wire());
    }
    if (s != RunStatus.COMPLETED && s != RunStatus.FAILED) {
      throw OrchException.conflict("run is not awaiting additional input: " + s.wire());
    }
    SessionRecord session = resolver.sessionOf(r)
        .orElseThrow(() -> OrchException.notFound("Unknown session_id: " + r.sessionId()));
    Backend backend = registry.get(r.backend());
    Capabilities.require(registry.descriptor(r.backend()), true, false, r.profile() != null);
    SpawnPlan plan = SpawnPlan.resumeOf(r, session, message, sessions.configOf(session, r));
    SpawnPlan.requireResumable(session, scheduler.lines());
    backend.validate(plan.specFor(RunId.random(), session, null));
    SpawnResult started = submit(plan, session, backend);
    return new ContinueResult(started.runId(), started.status(), started.sessionId(), started.agentName(),
        "resume", r.runId());
  }

  private ContinueResult continueLive(LiveRun run, AgentMessage message) {
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

  // ---- read side -----------------------------------------------------------------------------------------

  /** @see dev.orch.core.Orchestrator#getRun */
  public RunSummary getRun(RunRef ref) {
    return resolver.resolve(ref).record().toSummary();
  }

  /** @see dev.orch.core.Orchestrator#poll */
  public EventPage poll(RunRef ref, long afterSeq, int limit, Duration wait) {
    return queries.poll(ref, afterSeq, limit, wait);
  }

  /** @see dev.orch.core.Orchestrator#listRuns */
  public List<RunSummary> listRuns(RunStatus status, String backend, String cwd) {
    return queries.listRuns(status, backend, cwd);
  }

  /** @see dev.orch.core.Orchestrator#readArtifact */
  public ArtifactSlice readArtifact(RunRef ref, long seq, String fieldPath, long offset, int limit) {
    return queries.readArtifact(ref, seq, fieldPath, offset, limit);
  }

  /** @see dev.orch.core.Orchestrator#listAgents */
  public List<AgentInfo> listAgents(String cwd, String backend, String status) {
    return queries.listAgents(cwd, backend, status);
  }

  /** @see dev.orch.core.Orchestrator#sendAgentMessage */
  public InboxReceipt sendAgentMessage(String to, String from, String cwd, AgentMessage m, ObjectNode meta) {
    return inbox.send(to, from, cwd, m, meta);
  }

  /** @see dev.orch.core.Orchestrator#fetchAgentMessages */
  public InboxPage fetchAgentMessages(String agentName, String cwd, long afterSeq, int limit) {
    return inbox.fetch(agentName, cwd, afterSeq, limit);
  }

  /** @return registered backend descriptors */
  public List<BackendDescriptor> backends() {
    return registry.descriptors();
  }

  /** @see dev.orch.core.Orchestrator#listBackends */
  public List<BackendInfo> listBackends(boolean probe) {
    ensureOpen();
    return probes.list(probe);
  }

  /** @see dev.orch.core.Orchestrator#usage */
  public UsageSummary usage(UsageQuery query) {
    return queries.usage(query);
  }

  /** @see dev.orch.core.Orchestrator#listProfiles */
  public List<dev.orch.core.ProfileInfo> listProfiles() {
    return queries.profiles();
  }

  /** @see dev.orch.core.Orchestrator#listen */
  public Runnable listen(RunListener listener) {
    return observers.add(listener);
  }

  /** @return provider diagnostics */
  public List<String> diagnostics() {
    return registry.diagnostics();
  }

  private void ensureOpen() {
    if (closed) {
      throw new OrchException(OrchException.ErrorCode.CONFLICT, "Orchestrator is closed");
    }
  }

  // ---- shutdown (SPEC §10) ---------------------------------------------------------------------------------

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<LiveRun> running = new ArrayList<>(live.values());
    if (onExit == Detach.OnExit.DETACH) {
      running = Detach.detachAll(running);
    }
    Shutdown.cancelAll(running, pipeline, SHUTDOWN_CANCEL_BOUND);
    starter.shutdownNow();
    committer.shutdown();
    try {
      committer.awaitTermination(SHUTDOWN_COMMIT_BOUND.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    flusher.shutdownNow();
    probeExecutor.shutdownNow();
    observers.close();
    registry.close();
    store.close();
  }

  /** @return the environment variables a child agent gets (SPEC §2: PEER_NAME, PEER_SESSION_ID, PEER_CWD) */
  static Map<String, String> peerEnv(String agentName, String sessionId, String cwd) {
    return Map.of("PEER_NAME", agentName == null ? "" : agentName, "PEER_SESSION_ID", sessionId,
        "PEER_CWD", cwd);
  }
}
