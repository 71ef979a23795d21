package dev.orch.core.internal;

import dev.orch.core.AgentMessage;
import dev.orch.core.BackendInfo;
import dev.orch.core.CancelResult;
import dev.orch.core.ContinueResult;
import dev.orch.core.OrchException;
import dev.orch.core.RunEvent;
import dev.orch.core.RunId;
import dev.orch.core.RunLimits;
import dev.orch.core.RunListener;
import dev.orch.core.RunRef;
import dev.orch.core.RunStatus;
import dev.orch.core.SessionMode;
import dev.orch.core.SpawnRequest;
import dev.orch.core.SpawnResult;
import dev.orch.core.Timestamps;
import dev.orch.core.WorkflowCancel;
import dev.orch.core.WorkflowRequest;
import dev.orch.core.WorkflowStarted;
import dev.orch.core.spi.Backend;
import dev.orch.core.spi.BackendContext;
import dev.orch.core.spi.LogEntry;
import dev.orch.core.spi.RunHandle;
import dev.orch.core.spi.RunSpec;
import dev.orch.core.spi.RunStore;
import dev.orch.core.spi.RunStoreProvider;
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
  /**
   * Bound of a cancel on shutdown before children are killed outright (SPEC §10: exit within 1 s). With the kills,
   * {@link Shutdown#COMMIT_SLACK_MS} and {@link #SHUTDOWN_COMMIT_BOUND} it stays below the MCP server's close budget
   * (900 ms), so the cancelled events are durable before the process exits.
   */
  static final Duration SHUTDOWN_CANCEL_BOUND = Duration.ofMillis(300);
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
  private final Interventions interventions;
  private final Profiles profiles;
  private final RunObservers observers = new RunObservers();
  private final ExecutorService probeExecutor = Executors.newCachedThreadPool(daemonThreads("orch-probe"));
  private final BackendProbes probes;
  private final Reconciler reconciler;
  private final RunResolver resolver;
  private final Sessions sessions;
  private final Queries queries;
  private final Inbox inbox;
  private final Detach.OnExit onExit;
  private final ControlChannel control;
  private final Map<String, String> childPath;
  private final RunWorkspaces workspaces;
  private final RunStarts starts;
  private final RunWaits waits;
  private final Workflows workflows;
  private final WorkflowTemplates templates = new WorkflowTemplates(Engine.class.getClassLoader());
  private final Reads reads;
  private volatile boolean closed;

  /**
   * A spawn checked completely (SPEC §2 rules, the backend's validation, the workspace) with nothing persisted yet.
   *
   * @param plan the plan
   * @param backend the backend
   * @param workspace the checked worktree request, or null for the shared cwd
   */
  record Prepared(SpawnPlan plan, Backend backend, RunWorkspaces.Checked workspace) {
  }

  private Engine(RunStore store, BackendRegistry registry, Clock clock, ThreadFactory threads, Detach.OnExit onExit,
      Caps caps, RunLimits limitDefaults, Profiles profiles, Map<String, String> childPath, String git,
      Pricing pricing, Map<String, String> env) {
    this.profiles = profiles;
    this.childPath = childPath;
    this.onExit = onExit;
    this.store = store;
    this.registry = registry;
    this.clock = clock;
    this.starter = Executors.newCachedThreadPool(threads);
    this.committer = Executors.newCachedThreadPool(daemonThreads("orch-commit"));
    this.flusher = Executors.newSingleThreadScheduledExecutor(threads);
    this.commits = new GroupCommit(store, committer, flusher);
    this.pipeline = new EventPipeline(clock, commits);
    this.limits = new LimitGuard(limitDefaults, flusher, live::values, this::limitExceeded);
    this.interventions = new Interventions(pipeline, pricing, limits);
    Interventions stops = interventions;
    this.scheduler = new Scheduler(caps, run -> starter.execute(() -> start(run)),
        ready -> new Dependencies(resolverStatus(), flusher, new Dependencies.Outcome() {
          @Override
          public void satisfied(LiveRun run) {
            ready.accept(run);
          }

          @Override
          public void failed(LiveRun run, RunId dependency, RunStatus status) {
            stops.dependencyFailed(run, dependency, status);
          }
        }));
    this.reconciler = new Reconciler(store, clock);
    this.resolver = new RunResolver(store, live, reconciler);
    this.waits = new RunWaits(resolver, store);
    StoreFaults faults = new StoreFaults(store, pipeline, flusher, this::onTerminal, Interventions::stopAgent,
        run -> {
          scheduler.finished(run, run.record().status());
          waits.changed();
        }, this::forget);
    faults.observers(observers);
    commits.listener(faults);
    commits.observers(observers);
    commits.statusObserver(waits::changed);
    this.probes = new BackendProbes(registry, scheduler, probeExecutor, env);
    this.sessions = new Sessions(store, clock);
    this.queries = new Queries(store, resolver, registry);
    this.inbox = new Inbox(store, resolver, clock);
    this.workspaces = new RunWorkspaces(new Worktrees(new GitCli(git)));
    pipeline.endHook(workspaces::beforeEnd);
    this.starts = new RunStarts(store, resolver, pipeline, workspaces, childPath);
    this.workflows = new Workflows(new Workflows.Spawner(this::prepare, this::submit, this::cancel), store, resolver);
    this.reads = new Reads(resolver, queries, waits, templates, inbox, registry);
    this.control = new ControlChannel(store, clock, () -> live.values().stream().map(LiveRun::record).toList(),
        this::cancel, this::continueRun, starter, threads);
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
    String git = config.environment().getOrDefault("ORCH_GIT_EXECUTABLE", "git");
    Engine engine = new Engine(store, registry, config.clock(), threads, onExit, caps, limitDefaults,
        Profiles.fromEnvironment(config.environment()),
        PeerCommand.childPath(config.environment(), config.classLoader()), git.isBlank() ? "git" : git.trim(),
        pricing, config.environment());
    engine.control.start();
    if (config.reconcileOnStart()) {
      engine.reconciler.adopter(new Adoption(store, registry, engine.live, engine.scheduler, engine.pipeline,
          engine.commits, engine.sessions, engine.reconciler, engine::sink,
          engine.limits::started, engine.profiles, engine.childPath));
      int n = engine.reconciler.reconcileAll();
      engine.control.liveRunsChanged(); // watch the control requests of re-attached runs now
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
    return submit(prepare(req), List.of(), Map.of());
  }

  /** Checks a spawn completely before anything is persisted (SPEC §2; §12.7 workspace). */
  Prepared prepare(SpawnRequest req) {
    ensureOpen();
    SpawnPlan plan = SpawnPlan.prepare(req, registry, resolver, scheduler.lines(), profiles);
    Backend backend = registry.get(req.backend());
    // Validate with the backend before anything is persisted (SPEC §2).
    backend.validate(plan.specFor(RunId.random(), plan.provisionalSession(), null));
    RunWorkspaces.Checked ws = workspaces.check(req.options().workspace(), plan.cwd(),
        plan.mode() == SessionMode.RESUME);
    return new Prepared(plan, backend, ws);
  }

  /** Creates the session of a new-mode spawn and submits the run. */
  SpawnResult submit(Prepared p, List<RunId> dependsOn, Map<String, RunId> stepResults) {
    ensureOpen();
    SpawnPlan plan = p.plan().withDependencies(dependsOn);
    SessionRecord session = plan.mode() == SessionMode.NEW ? sessions.create(plan) : plan.existingSession();
    return submit(plan, session, p.backend(), p.workspace(), stepResults);
  }

  private SpawnResult submit(SpawnPlan plan, SessionRecord session, Backend backend) {
    return submit(plan, session, backend, null, Map.of());
  }

  private SpawnResult submit(SpawnPlan plan, SessionRecord session, Backend backend, RunWorkspaces.Checked workspace,
      Map<String, RunId> stepResults) {
    RunId runId = RunId.random();
    var record = plan.newRecord(runId, session, Timestamps.now(clock), Secrets.redact(plan.backendConfig()));
    var lease = store.createRun(record);
    sessions.recordRun(session, runId, plan.role());
    sessions.rememberConfig(session.sessionId(), plan.backendConfig());
    LiveRun run = new LiveRun(record, backend, lease, plan.pendingStart(stepResults));
    live.put(runId, run);
    control.liveRunsChanged();
    SpawnDocuments.save(store, record, plan.mode(), plan.pendingStart().inputMessage(), stepResults);
    workspaces.reserve(workspace, runId);
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
      RunSpec spec = starts.prepare(run);
      handle = run.backend.start(spec, sink(run));
    } catch (RuntimeException | LinkageError e) {
      String msg = e instanceof OrchException ? e.getMessage() : "backend " + run.backendId
          + " could not start the run: " + e;
      LOG.warn("run {} failed to start: {}", run.runId, msg);
      // the backend's failure, so the pipeline's "cancel wins" rule applies: a cancel that stopped the agent while
      // it was starting (e.g. the start then met a broken pipe) ends the run cancelled, not failed
      pipeline.accept(run, new RunEvent.RunFailed(msg, RunEvent.noDetails()), EventPipeline.Origin.BACKEND,
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

  /** Called once per run on its committing thread, after its terminal event is durable and published. */
  private void onTerminal(LiveRun run) {
    RunJournal j = run.journal;
    if (j.log != null) {
      j.log.close();
      j.log = null;
    }
    forget(run);
    scheduler.finished(run, run.record().status());
    workspaces.ended(run.record(), starter);
  }

  private void limitExceeded(LiveRun run, LimitGuard.Breach breach) {
    interventions.limitExceeded(run, breach, false);
  }

  /** @return the status lookup dependencies use (resolved lazily: the resolver is built after the scheduler) */
  private java.util.function.Function<RunId, java.util.Optional<RunStatus>> resolverStatus() {
    return id -> resolver.statusOf(id);
  }

  /** @return the sink a run's backend reports to */
  RunSink sink(LiveRun run) {
    return new RunSink(run, pipeline, commits, sessions, store, interventions::usage);
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

  // ---- cancel / continue -----------------------------------------------------------------------------------

  /** @see dev.orch.core.Orchestrator#cancel */
  public CancelResult cancel(RunRef ref) {
    ensureOpen();
    RunResolver.Resolved res = resolver.resolve(ref);
    if (res.live() == null) {
      return cancelNotLive(res);
    }
    return LiveControl.cancel(res.live(), pipeline, "user", CANCEL_PUBLISH_WAIT_MS);
  }

  /** @see dev.orch.core.Orchestrator#cancelWorkflow */
  public WorkflowCancel cancelWorkflow(RunRef ref) {
    ensureOpen();
    return workflows.cancel(ref);
  }

  private CancelResult cancelNotLive(RunResolver.Resolved res) {
    var r = res.record();
    if (r.status().isTerminal()) {
      throw OrchException.conflict("run is already terminal: " + r.status().wire());
    }
    return control.requestCancel(r); // owned by another live process: ask it (docs/cli.md)
  }

  /** @see dev.orch.core.Orchestrator#continueRun */
  public ContinueResult continueRun(RunRef ref, AgentMessage message) {
    ensureOpen();
    RunResolver.Resolved res = resolver.resolve(ref);
    var r = res.record();
    RunStatus s = r.status();
    if (s.isWaiting()) {
      if (res.live() == null) {
        return control.requestContinue(r, message); // waits in another live process: ask it (docs/cli.md)
      }
      Capabilities.requireLiveInput(registry.descriptor(r.backend()));
      return LiveControl.sendInput(res.live(), pipeline, message);
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
    SpawnPlan plan = SpawnPlan.resumeOf(r, session, message, sessions.configOf(session, r), profiles);
    SpawnPlan.requireResumable(session, scheduler.lines());
    backend.validate(plan.specFor(RunId.random(), session, null));
    SpawnResult started = submit(plan, session, backend);
    return new ContinueResult(started.runId(), started.status(), started.sessionId(), started.agentName(),
        "resume", r.runId());
  }

  // ---- read side: see Reads -------------------------------------------------------------------------------

  /** @return the read-side operations (get_run, poll_events, list_runs, wait_runs, inbox, usage…) */
  public Reads reads() {
    return reads;
  }

  /** @see dev.orch.core.Orchestrator#runWorkflow */
  public WorkflowStarted runWorkflow(WorkflowRequest request) {
    ensureOpen();
    return workflows.run(request);
  }

  /** @see dev.orch.core.Orchestrator#listBackends */
  public List<BackendInfo> listBackends(boolean probe) {
    ensureOpen();
    return probes.list(probe);
  }

  /** @see dev.orch.core.Orchestrator#listen */
  public Runnable listen(RunListener listener) {
    return observers.add(listener);
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
    control.close();
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
