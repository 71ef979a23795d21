package dev.orch.core;

import dev.orch.core.internal.Engine;
import dev.orch.core.internal.EngineConfig;
import dev.orch.core.spi.BackendDescriptor;
import dev.orch.core.spi.BackendProvider;
import dev.orch.core.spi.RunStore;
import dev.orch.core.spi.RunStoreProvider;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The front door of Orch (CONVENTIONS 1): starts runs on backends, follows their events, answers waiting runs,
 * cancels them and reads results. The MCP server and the A2A test agents are callers of this object.
 *
 * <pre>{@code
 * try (Orchestrator orch = Orchestrator.builder().build()) {
 *   SpawnResult run = orch.spawn(SpawnRequest.builder("codex", Role.WORKER, "/abs/dir", SessionMode.NEW)
 *       .prompt("Say hello").build());
 *   EventPage page = orch.poll(RunRef.of(run.runId()), 0, 100, Duration.ofSeconds(20));
 * }
 * }</pre>
 *
 * <p>Thread-safe; every method may be called concurrently. Blocking methods take explicit timeouts.
 * Errors are {@link OrchException}s with the messages of SPEC §2.
 */
public final class Orchestrator implements AutoCloseable {
  private final Engine engine;

  private Orchestrator(Engine engine) {
    this.engine = engine;
  }

  /** @return a builder: ServiceLoader discovery on, environment = {@link System#getenv()} */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts a run and returns at once with status {@code queued} (SPEC §2 spawn_run). The run starts on its
   * backend when its session has no other active run (FIFO per session).
   *
   * @throws OrchException INVALID_ARGUMENT for a bad cwd, profile, prompt or backend_config; NOT_FOUND for an
   *     unknown session; CONFLICT for a taken nickname or a session bound to another backend; UNSUPPORTED for
   *     an unknown backend ({@code Unsupported backend: <id>. Known backends: ...})
   */
  public SpawnResult spawn(SpawnRequest request) {
    return engine.spawn(request);
  }

  /**
   * @return the run's summary, live or from disk, any cwd (SPEC §2 get_run)
   * @throws OrchException NOT_FOUND {@code Unknown run_id: <id>} or an unknown agent name
   */
  public RunSummary getRun(RunRef ref) {
    return engine.reads().getRun(ref);
  }

  /**
   * Long-polls events with seq &gt; afterSeq (SPEC §2 poll_events). Returns at once when events are available or
   * the run is terminal; otherwise waits up to {@code wait} for the next event (also for runs owned by another
   * process: their log is watched), then returns what there is.
   *
   * @param afterSeq ≥ 0
   * @param limit 1..1000
   * @param wait 0..30 s
   * @throws OrchException NOT_FOUND for an unknown run; INVALID_ARGUMENT for out-of-range numbers
   */
  public EventPage poll(RunRef ref, long afterSeq, int limit, Duration wait) {
    return engine.reads().poll(ref, afterSeq, limit, wait);
  }

  /**
   * Cancels a run (SPEC §2 cancel_run). Queued: removed from its session queue. Active: the backend stops it
   * (processes killed, remote task cancelled), then {@code status_changed {status:"cancelled"}} is recorded.
   *
   * @throws OrchException CONFLICT {@code run is already terminal: <status>}; NOT_FOUND
   */
  public CancelResult cancel(RunRef ref) {
    return engine.cancel(ref);
  }

  /**
   * Cancels every queued or active run of the workflow the referenced run belongs to ({@code cancel_run} with
   * {@code scope:"workflow"}; SPEC §12.6): the runs of its cwd with the same {@code metadata.workflow_id}, newest
   * first so that dependents end cancelled by the user rather than by their dependency.
   *
   * @param ref any run of the workflow
   * @return the referenced run after the call and every run cancelled
   * @throws OrchException INVALID_ARGUMENT when the run has no {@code metadata.workflow_id}; CONFLICT
   *     {@code workflow <id> has nothing to cancel: all its runs are already terminal}; NOT_FOUND for an unknown run
   */
  public WorkflowCancel cancelWorkflow(RunRef ref) {
    return engine.cancelWorkflow(ref);
  }

  /**
   * Waits until runs reach a state (SPEC §12.5 wait_runs): {@link WaitMode#ALL} every run terminal,
   * {@link WaitMode#ANY} one terminal, {@link WaitMode#FIRST_FAILURE} all completed or one failed, cancelled or
   * rejected. Returns as soon as the condition holds (woken by the engine when a run of this process changes status;
   * runs of other Orch processes sharing a cwd are watched on disk), or when {@code wait} is over.
   *
   * @param runs 1–100 run references; all must exist, else nothing is waited for
   * @param mode the condition
   * @param wait 0–30 s
   * @return done and each run's summary, result and error, in the order of {@code runs}
   * @throws OrchException NOT_FOUND {@code Unknown run_id: <id>} / {@code Unknown run_ids: <id>, <id>} naming every
   *     unknown run; INVALID_ARGUMENT for an empty list or a wait outside 0–30 s
   */
  public WaitResult awaitRuns(List<RunRef> runs, WaitMode mode, Duration wait) {
    return engine.reads().awaitRuns(runs, mode, wait, WaitListener.NONE);
  }

  /**
   * {@link #awaitRuns(List, WaitMode, Duration)} telling {@code listener} about each status change it sees while it
   * waits (on the calling thread).
   */
  public WaitResult awaitRuns(List<RunRef> runs, WaitMode mode, Duration wait, WaitListener listener) {
    return engine.reads().awaitRuns(runs, mode, wait, listener == null ? WaitListener.NONE : listener);
  }

  /**
   * Starts a workflow (SPEC §12.6 run_workflow): checks the whole step graph and every step like a spawn_run first
   * (nothing is persisted on any error), then submits the steps as runs that wait for their dependencies
   * ({@code depends_on}), carrying {@code metadata.workflow_id} and {@code metadata.step}.
   *
   * @return the workflow id and the run of each step (all queued)
   * @throws OrchException INVALID_ARGUMENT naming the step and the rule (duplicate or malformed id, unknown
   *     dependency, {@code workflow steps form a cycle: a -> b -> a}, a missing input, a placeholder naming a step that
   *     is not a dependency, any spawn_run error prefixed {@code step <id>: })
   */
  public WorkflowStarted runWorkflow(WorkflowRequest request) {
    return engine.runWorkflow(request);
  }

  /**
   * @param cwd a directory whose {@code .nanobot-orchestrator/workflows/*.json} are listed too, or null
   * @return the built-in workflow templates and the cwd's (a file named like a built-in replaces it; a file that
   *     cannot be used is listed with its error)
   * @throws OrchException INVALID_ARGUMENT when cwd is not absolute or not a directory
   */
  public List<WorkflowTemplate> workflowTemplates(java.nio.file.Path cwd) {
    return engine.reads().workflowTemplates(cwd);
  }

  /**
   * @param name a template name
   * @param cwd the directory whose templates are looked at too, or null
   * @return the template
   * @throws OrchException NOT_FOUND {@code Unknown workflow template: <name>. Known templates: ...};
   *     INVALID_ARGUMENT for a template file that cannot be used (naming why)
   */
  public WorkflowTemplate workflowTemplate(String name, java.nio.file.Path cwd) {
    return engine.reads().workflowTemplate(name, cwd);
  }

  /**
   * Continues a run (SPEC §2 continue_run): a waiting run gets the message live; a completed or failed run with
   * a resumable session gets a new run on the same session ("resume").
   *
   * @throws OrchException CONFLICT {@code run is already terminal: <status>} (cancelled/rejected) or
   *     {@code run is not awaiting additional input: <status>}; NOT_FOUND
   */
  public ContinueResult continueRun(RunRef ref, AgentMessage message) {
    return engine.continueRun(ref, message);
  }

  /**
   * @param status filter or null
   * @param backend filter or null
   * @param cwd filter (absolute path text) or null
   * @return runs newest first across all known cwds (SPEC §2 list_runs)
   */
  public List<RunSummary> listRuns(RunStatus status, String backend, String cwd) {
    return engine.reads().listRuns(status, backend, cwd, 0, Integer.MAX_VALUE).runs();
  }

  /**
   * One page of {@link #listRuns(RunStatus, String, String)}: served from the store's index, so a page costs about
   * {@code limit} run reads however many runs exist (issue 8 item 4).
   *
   * @param offset matching runs to skip, ≥ 0
   * @param limit most runs to return, ≥ 1
   * @return the page and the number of matching runs
   * @throws OrchException INVALID_ARGUMENT for a negative offset or a limit below 1
   */
  public RunListing listRuns(RunStatus status, String backend, String cwd, int offset, int limit) {
    return engine.reads().listRuns(status, backend, cwd, offset, limit);
  }

  /**
   * Reads a slice of an extracted event field (SPEC §2 get_event_artifact).
   *
   * @param seq event seq ≥ 1
   * @param fieldPath JSON Pointer, a key of the event's manifest
   * @param offset bytes ≥ 0
   * @param limit bytes 1..262144
   * @throws OrchException NOT_FOUND {@code No artifacts found for seq <n>} or
   *     {@code No artifact for field_path <fp>. Available field paths: <list>}
   */
  public ArtifactSlice readArtifact(RunRef ref, long seq, String fieldPath, long offset, int limit) {
    return engine.reads().readArtifact(ref, seq, fieldPath, offset, limit);
  }

  /**
   * @param cwd filter or null
   * @param backend filter or null
   * @param status a RunStatus wire name or {@code idle}, or null
   * @return one entry per session, newest first (SPEC §2 list_agents)
   */
  public List<AgentInfo> listAgents(String cwd, String backend, String status) {
    return engine.reads().listAgents(cwd, backend, status);
  }

  /**
   * Appends a message to an agent's inbox (SPEC §2 send_agent_message). Cross-cwd messaging is refused.
   *
   * @throws OrchException NOT_FOUND {@code Unknown agent_name: <n>}; INVALID_ARGUMENT for cross-cwd messages
   */
  public InboxReceipt sendAgentMessage(String toAgentName, String fromAgentName, String cwd, AgentMessage message,
      com.fasterxml.jackson.databind.node.ObjectNode metadata) {
    return engine.reads().sendAgentMessage(toAgentName, fromAgentName, cwd, message, metadata);
  }

  /**
   * @param afterSeq ≥ 0
   * @param limit 1..1000
   * @return inbox messages of the agent (SPEC §2 fetch_agent_messages)
   */
  public InboxPage fetchAgentMessages(String agentName, String cwd, long afterSeq, int limit) {
    return engine.reads().fetchAgentMessages(agentName, cwd, afterSeq, limit);
  }

  /** @return descriptors of the available backends, by id order */
  public List<BackendDescriptor> backends() {
    return engine.reads().backends();
  }

  /**
   * Lists the backends with their availability (SPEC §12.1 list_backends): every registered backend, then those whose
   * provider failed ({@code unavailable}) and those named in {@code ORCH_BACKENDS} but not on the class path
   * ({@code declared_not_installed}). Probes (CLI {@code --version}, the default remote agent's card) run in
   * parallel; the call waits at most 5 s for them (a probe still running then is {@code unknown} and its result is
   * cached for the next call); results are cached for about 30 s.
   *
   * @param probe false to answer at once without probing: every registered backend is then {@code unknown}
   * @return one entry per backend, registered ones by id first; never null
   * @throws OrchException CONFLICT when the Orchestrator is closed
   */
  public List<BackendInfo> listBackends(boolean probe) {
    return engine.listBackends(probe);
  }

  /**
   * Adds up the token usage and cost of runs (SPEC §12.4 get_usage), live and stored, across all known cwds unless
   * the query narrows it; see {@link UsageTotal} for the cost rule.
   *
   * @param query filters and grouping
   * @return totals and groups
   * @throws OrchException NOT_FOUND {@code Unknown run_id: <id>} for a run id in the query that no cwd knows
   */
  public UsageSummary usage(UsageQuery query) {
    return engine.reads().usage(Objects.requireNonNull(query, "query"));
  }

  /**
   * @return the profiles (SPEC §7) that runs known to this server used, resolved against their cwd, most recently used
   *     first (the {@code orch://profiles} resource)
   */
  public List<ProfileInfo> listProfiles() {
    return engine.reads().listProfiles();
  }

  /**
   * Registers a listener for run changes of this process (events published, status changes); see
   * {@link RunListener} for the threading.
   *
   * @param listener the listener
   * @return closes the subscription (idempotent)
   */
  public Subscription listen(RunListener listener) {
    Runnable remove = engine.listen(Objects.requireNonNull(listener, "listener"));
    return remove::run;
  }

  /** A registration that can be ended; {@link #close()} does not throw. */
  @FunctionalInterface
  public interface Subscription extends AutoCloseable {
    /** Ends the registration. Idempotent. */
    @Override
    void close();
  }

  /** @return diagnostics of providers that could not be loaded (never fatal), empty when all loaded */
  public List<String> diagnostics() {
    return engine.reads().diagnostics();
  }

  /**
   * Cancels live runs (their children are killed and {@code status_changed {status:"cancelled",
   * reason:"shutdown"}} is recorded) and closes backends and the store (SPEC §10). Bounded by about 1 s.
   */
  @Override
  public void close() {
    engine.close();
  }

  /** Builds an {@link Orchestrator}. Explicit registrations come first; discovery fills in the rest. */
  public static final class Builder {
    private final List<BackendProvider> backends = new ArrayList<>();
    private RunStore store;
    private RunStoreProvider storeProvider;
    private boolean discovery = true;
    private Map<String, String> environment = System.getenv();
    private Clock clock = Clock.systemUTC();
    private ClassLoader classLoader = Orchestrator.class.getClassLoader();
    private boolean reconcileOnStart = true;

    private Builder() {
    }

    /** Registers a backend explicitly (wins over discovery; duplicates fail the build). @return this */
    public Builder backend(BackendProvider provider) {
      backends.add(Objects.requireNonNull(provider, "provider"));
      return this;
    }

    /** Uses this store instead of a discovered one; the Orchestrator closes it. @return this */
    public Builder store(RunStore runStore) {
      this.store = Objects.requireNonNull(runStore, "runStore");
      return this;
    }

    /** Uses this store provider instead of a discovered one. @return this */
    public Builder storeProvider(RunStoreProvider provider) {
      this.storeProvider = Objects.requireNonNull(provider, "provider");
      return this;
    }

    /** Turns ServiceLoader discovery of backends and stores on or off (default on). @return this */
    public Builder discovery(boolean enabled) {
      this.discovery = enabled;
      return this;
    }

    /** Environment for server-wide settings ({@code ORCH_*}, {@code NANOBOT_ORCHESTRATOR_HOME}). @return this */
    public Builder environment(Map<String, String> env) {
      this.environment = Map.copyOf(env);
      return this;
    }

    /** Clock for timestamps (tests). @return this */
    public Builder clock(Clock c) {
      this.clock = Objects.requireNonNull(c, "clock");
      return this;
    }

    /** Class loader for discovery. @return this */
    public Builder classLoader(ClassLoader loader) {
      this.classLoader = Objects.requireNonNull(loader, "loader");
      return this;
    }

    /** Whether to reconcile runs left active by dead processes at build time (default true). @return this */
    public Builder reconcileOnStart(boolean enabled) {
      this.reconcileOnStart = enabled;
      return this;
    }

    /**
     * @return a started Orchestrator
     * @throws OrchException UNSUPPORTED when two providers claim one backend id (both classes and jars named)
     *     or no store is available
     */
    public Orchestrator build() {
      EngineConfig config = new EngineConfig(List.copyOf(backends), store, storeProvider, discovery, environment,
          clock, classLoader, reconcileOnStart);
      return new Orchestrator(Engine.start(config));
    }
  }
}
