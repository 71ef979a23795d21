package dev.orch.backend.a2a.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.backend.a2a.A2aConfig;
import dev.orch.core.AgentMessage;
import dev.orch.core.OrchException;
import dev.orch.core.RemoteRef;
import dev.orch.core.RunEvent;
import dev.orch.core.RunStatus;
import dev.orch.core.spi.EventSink;
import dev.orch.core.spi.RunHandle;
import dev.orch.core.spi.RunSpec;
import dev.orch.core.spi.UsageReport;
import io.a2a.client.Client;
import io.a2a.client.ClientEvent;
import io.a2a.client.MessageEvent;
import io.a2a.client.TaskEvent;
import io.a2a.client.TaskUpdateEvent;
import io.a2a.client.http.A2ACardResolver;
import io.a2a.spec.AgentCard;
import io.a2a.spec.Message;
import io.a2a.spec.Task;
import io.a2a.spec.TaskArtifactUpdateEvent;
import io.a2a.spec.TaskIdParams;
import io.a2a.spec.TaskQueryParams;
import io.a2a.spec.TaskStatus;
import io.a2a.spec.TaskStatusUpdateEvent;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code remote_a2a} run (SPEC §4, §8): resolves the agent card, sends the first message (streaming when the
 * card says so, {@code message/send} otherwise), maps the task's events through a {@link TaskTracker}, waits on
 * input-required / auth-required for {@link #sendInput}, and ends with exactly one terminal event — or none after
 * {@link #cancel} (the engine then records {@code status_changed cancelled}).
 *
 * <p>Threads: the start and each continue run on a thread of the backend's factory; stream events arrive on SSE
 * reader threads. All state is guarded by {@code this}; events are emitted while holding it, so they keep their
 * order. (Long because start, turns, streams, polling, continue, cancel and re-attachment share that one lock and
 * state; messages and clients are built by {@link A2aMessages}.)
 */
final class A2aRun implements RunHandle {
  private static final Logger LOG = LoggerFactory.getLogger(A2aRun.class);
  /** Interval of {@code tasks/get} polling (non-blocking sends, streams that ended early), ms. */
  static final long POLL_MS = 500;
  /** Upper bound for the {@code tasks/cancel} call of {@link #cancel}, ms. */
  static final long CANCEL_TIMEOUT_MS = 5_000;

  private final RunSpec spec;
  private final A2aConfig cfg;
  private final EventSink sink;
  private final A2aBackend backend;
  private final Inflight inflight = new Inflight();

  private AgentCard card;
  private Client client;
  private Client control;
  private boolean streaming;
  private TaskTracker tracker;
  private boolean cancelRequested;
  private boolean ended;
  private int turn;
  private ScheduledFuture<?> turnTimer;
  private RemoteRef bound;
  /** The task id stored in the re-attachment record (null before the agent named the task). */
  private String attachedTaskId;
  /** No re-attachment record can be stored (the engine keeps none, or storing failed). */
  private boolean unattachable;
  /** The next task snapshot starts a re-attachment: what it holds was reported by the earlier Orch process. */
  private boolean prime;
  /** Following through tasks/resubscribe: a stream error falls back to tasks/get instead of failing the run. */
  private boolean resubscribed;

  A2aRun(RunSpec spec, A2aConfig cfg, EventSink sink, A2aBackend backend) {
    this.spec = spec;
    this.cfg = cfg;
    this.sink = sink;
    this.backend = backend;
  }

  void start() {
    thread(this::open, "start").start();
  }

  private Thread thread(Runnable r, String what) {
    Thread t = backend.threads().newThread(r);
    t.setName("orch-a2a-" + what + "-" + spec.runId().value());
    return t;
  }

  private OrchHttpClient httpClient(long requestTimeoutMs, Inflight registry) {
    return new OrchHttpClient(backend.http(cfg.connectTimeoutMs()), cfg.httpHeaders(), requestTimeoutMs,
        cfg.idleTimeoutMs(), registry, backend.threads(), backend.timer());
  }

  private AgentCard resolveCard(String cardUrl) throws Exception {
    AgentCard c = new A2ACardResolver(httpClient(cfg.readTimeoutMs(), inflight), cardUrl, cardUrl, Map.of())
        .getAgentCard();
    return Objects.requireNonNull(c, "empty agent card");
  }

  private void open() {
    String cardUrl;
    try {
      cardUrl = cfg.cardUrl();
    } catch (IllegalArgumentException e) {
      fail("invalid agent_card_path \"" + cfg.agentCardPath() + "\": " + e.getMessage(), null);
      return;
    }
    AgentCard resolved;
    try {
      resolved = resolveCard(cardUrl);
    } catch (Throwable t) {
      fail("could not load the agent card from " + cardUrl + ": " + Errors.describe(t), t);
      return;
    }
    Message first;
    synchronized (this) {
      if (cancelRequested || ended) {
        return;
      }
      try {
        card = resolved;
        String resumed = spec.resume() == null ? null : spec.resume().backendSessionId();
        tracker = new TaskTracker(cfg.agentUrl(), card.name(), resumed);
        ObjectNode started = JsonNodeFactory.instance.objectNode();
        started.set("remote_ref", tracker.remoteRef().toJson());
        started.put("agent_name", card.name());
        started.put("agent_url", cfg.agentUrl());
        started.put("card_url", cardUrl);
        started.put("endpoint_url", card.url());
        sink.emit(new RunEvent.RunStarted(started));
        ObjectNode running = JsonNodeFactory.instance.objectNode();
        running.put("agent_url", cfg.agentUrl());
        running.set("remote_ref", tracker.remoteRef().toJson());
        sink.emit(new RunEvent.StatusChanged(RunStatus.RUNNING, running));
        if (card.url() == null || card.url().isBlank()) {
          fail("the agent card at " + cardUrl + " has no url to send messages to", null);
          return;
        }
        streaming = card.capabilities() != null && card.capabilities().streaming();
        client = buildClient(httpClient(cfg.idleTimeoutMs(), inflight));
        control = buildClient(httpClient(cfg.readTimeoutMs(), inflight));
        first = A2aMessages.first(spec, resumed);
      } catch (Throwable t) {
        fail("cannot talk to the A2A agent at " + cfg.agentUrl() + ": " + Errors.describe(t), t);
        return;
      }
    }
    sendTurn(first);
  }

  private Client buildClient(OrchHttpClient http) throws Exception {
    return A2aMessages.client(card, cfg, http);
  }

  /** Sends one message and follows the turn until it ends, waits, or fails. */
  private void sendTurn(Message m) {
    int myTurn;
    synchronized (this) {
      if (cancelRequested || ended) {
        return;
      }
      myTurn = ++turn;
      resubscribed = false;
      armTurnTimer(myTurn);
    }
    BiConsumer<ClientEvent, AgentCard> consumer = (event, c) -> onEvent(myTurn, event);
    try {
      if (streaming) {
        client.sendMessage(m, List.of(consumer), t -> onStreamEnd(myTurn, t), null);
      } else {
        client.sendMessage(m, List.of(consumer), t -> { }, null);
        poll(myTurn);
      }
    } catch (Throwable t) {
      fail("the A2A agent at " + card.url() + " failed: " + Errors.describe(t), t);
    }
  }

  private void onEvent(int myTurn, ClientEvent event) {
    synchronized (this) {
      if (cancelRequested || ended || myTurn != turn) {
        return;
      }
      try {
        List<RunEvent> events;
        TaskStatus status = null;
        if (event instanceof TaskEvent te) {
          if (prime) {
            tracker.prime(te.getTask());
          }
          events = tracker.onTask(te.getTask());
          status = te.getTask().getStatus();
        } else if (event instanceof TaskUpdateEvent tu && tu.getUpdateEvent() instanceof TaskStatusUpdateEvent s) {
          events = tracker.onStatusUpdate(s);
          status = s.getStatus();
        } else if (event instanceof TaskUpdateEvent tu
            && tu.getUpdateEvent() instanceof TaskArtifactUpdateEvent a) {
          events = tracker.onArtifactUpdate(a);
        } else if (event instanceof MessageEvent me) {
          events = tracker.onMessage(me.getMessage());
        } else {
          events = List.of();
        }
        prime = false;
        bindIfChanged();
        attachIfChanged();
        boolean terminal = tracker.outcome() == TaskTracker.Outcome.TERMINAL;
        if (terminal) {
          ended = true;
        }
        UsageReport usage = UsageMetadata.of(event, terminal);
        if (usage != null) {
          sink.usage(usage);
        }
        long[] positions = StatusPositions.of(events, status);
        for (int i = 0; i < events.size(); i++) {
          sink.emit(events.get(i), positions[i]);
        }
        if (terminal) {
          cleanup();
        } else if (tracker.outcome() == TaskTracker.Outcome.WAITING) {
          stopTurnTimer();
        }
      } catch (RuntimeException e) {
        fail("cannot process an event from the A2A agent: " + Errors.describe(e), e);
      }
    }
  }

  private void bindIfChanged() {
    if (tracker.contextId() == null) {
      return;
    }
    RemoteRef ref = tracker.remoteRef();
    if (!ref.equals(bound)) {
      bound = ref;
      sink.bindSession(tracker.contextId(), ref);
    }
  }

  /**
   * Stores the re-attachment record once the agent has named the task (SPEC §12.8). A store failure is logged: the
   * run goes on but cannot be re-attached (a later Orch process then marks it {@code host_lost}).
   */
  private void attachIfChanged() {
    String taskId = tracker.taskId();
    if (taskId == null || unattachable || taskId.equals(attachedTaskId)) {
      return;
    }
    try {
      sink.attach(new A2aAttachment(taskId, tracker.contextId(), cfg.agentUrl(), cfg.agentCardPath()).toJson());
      attachedTaskId = taskId;
    } catch (OrchException e) {
      unattachable = true;
      if (e.code() != OrchException.ErrorCode.UNSUPPORTED) {
        LOG.warn("run {}: the re-attachment record could not be stored: {}", spec.runId(), e.getMessage());
      }
    }
  }

  /** The SDK's stream error handler: null = the stream ended normally. */
  private void onStreamEnd(int myTurn, Throwable error) {
    synchronized (this) {
      if (cancelRequested || ended || myTurn != turn || tracker.outcome() != TaskTracker.Outcome.ACTIVE) {
        if (error != null) {
          LOG.debug("run {}: stream error after the turn ended: {}", spec.runId(), error.toString());
        }
        return;
      }
      if (error != null && !resubscribed) {
        fail("the event stream from the A2A agent at " + card.url() + " failed: " + Errors.describe(error), error);
        return;
      }
      if (error != null) {
        LOG.debug("run {}: tasks/resubscribe ended with {}; following with tasks/get", spec.runId(), error.toString());
      }
    }
    // the agent closed the stream while the task is still active: follow it with tasks/get
    try {
      poll(myTurn);
    } catch (Throwable t) {
      fail("the A2A agent at " + card.url() + " closed the event stream early and tasks/get failed: "
          + Errors.describe(t), t);
    }
  }

  /** Follows an active turn with {@code tasks/get} every {@link #POLL_MS} ms until it ends, waits or is cancelled. */
  private void poll(int myTurn) throws Exception {
    while (true) {
      String taskId;
      synchronized (this) {
        if (cancelRequested || ended || myTurn != turn || tracker.outcome() != TaskTracker.Outcome.ACTIVE) {
          return;
        }
        taskId = tracker.taskId();
      }
      if (taskId == null) {
        fail("the A2A agent at " + card.url() + " answered without a task or message", null);
        return;
      }
      Thread.sleep(POLL_MS);
      Task task = cfg.historyLength() == null ? control.getTask(new TaskQueryParams(taskId), null)
          : control.getTask(new TaskQueryParams(taskId, cfg.historyLength()), null);
      if (task == null) {
        fail("tasks/get of " + taskId + " returned nothing", null);
        return;
      }
      onEvent(myTurn, new TaskEvent(task));
    }
  }

  private void armTurnTimer(int myTurn) {
    stopTurnTimer();
    if (cfg.timeoutMs() > 0) {
      turnTimer = backend.timer().schedule(() -> onTurnTimeout(myTurn), cfg.timeoutMs(), TimeUnit.MILLISECONDS);
    }
  }

  private void stopTurnTimer() {
    if (turnTimer != null) {
      turnTimer.cancel(false);
      turnTimer = null;
    }
  }

  private void onTurnTimeout(int myTurn) {
    String taskId;
    synchronized (this) {
      if (cancelRequested || ended || myTurn != turn || tracker.outcome() != TaskTracker.Outcome.ACTIVE) {
        return;
      }
      taskId = tracker.taskId();
      fail("the A2A agent did not finish within timeout_ms=" + cfg.timeoutMs() + " ms", null);
    }
    if (taskId != null) {
      thread(() -> cancelRemote(taskId), "timeout-cancel").start();
    }
  }

  /**
   * Ends the run with one {@code run_failed} unless it already ended or a cancel was requested.
   *
   * @param reason the user-facing reason
   * @param cause logged at debug level, may be null
   */
  private synchronized void fail(String reason, Throwable cause) {
    if (ended || cancelRequested) {
      return;
    }
    ended = true;
    LOG.debug("run {} failed: {}", spec.runId(), reason, cause);
    ObjectNode d = JsonNodeFactory.instance.objectNode();
    d.put("agent_url", cfg.agentUrl());
    if (tracker != null) {
      d.set("remote_ref", tracker.remoteRef().toJson());
    }
    try {
      sink.emit(new RunEvent.RunFailed(reason, d));
    } finally {
      cleanup();
    }
  }

  private synchronized void cleanup() {
    stopTurnTimer();
    inflight.abortAll();
    backend.forget(this);
  }

  @Override
  public void sendInput(AgentMessage input) {
    Objects.requireNonNull(input, "input");
    Message m;
    synchronized (this) {
      if (ended || cancelRequested) {
        throw OrchException.conflict("run is already terminal");
      }
      if (tracker == null || tracker.outcome() != TaskTracker.Outcome.WAITING) {
        throw OrchException.conflict("run is not awaiting additional input: running");
      }
      TaskStatus waiting = tracker.lastWaitingStatus();
      tracker.beginTurn(waiting);
      m = A2aMessages.of(spec, input.parts(), tracker.taskId(), tracker.contextId(), input.metadata());
      ObjectNode d = JsonNodeFactory.instance.objectNode();
      d.put("reason", "input_sent");
      d.put("task_id", tracker.taskId());
      d.put("context_id", tracker.contextId());
      d.set("remote_ref", tracker.remoteRef().toJson());
      sink.emit(new RunEvent.StatusChanged(RunStatus.RUNNING, d));
    }
    thread(() -> sendTurn(m), "continue").start();
  }

  /**
   * Best-effort {@code tasks/cancel} (bounded by {@link #CANCEL_TIMEOUT_MS}), then aborts every open exchange. No
   * event is emitted afterwards; the engine records the cancellation.
   */
  @Override
  public void cancel(String reason) {
    String taskId;
    boolean live;
    synchronized (this) {
      if (cancelRequested) {
        return;
      }
      cancelRequested = true;
      live = !ended && card != null;
      taskId = tracker == null ? null : tracker.taskId();
    }
    LOG.debug("run {}: cancel ({}), task {}", spec.runId(), reason, taskId);
    if (live && taskId != null) {
      cancelRemote(taskId);
    }
    cleanup();
  }

  private void cancelRemote(String taskId) {
    try {
      Client c = buildClient(httpClient(Math.min(cfg.readTimeoutMs(), CANCEL_TIMEOUT_MS), new Inflight()));
      c.cancelTask(new TaskIdParams(taskId), null);
    } catch (Throwable t) {
      LOG.info("run {}: tasks/cancel of {} failed: {}", spec.runId(), taskId, Errors.describe(t));
    }
  }

  /**
   * Re-attaches a run another Orch process started (SPEC §12.8): resolves the card, then follows the stored task
   * with {@code tasks/resubscribe} when the agent streams (falling back to {@code tasks/get} when the agent refuses,
   * e.g. because the task already ended), else with {@code tasks/get} polling. The first snapshot is taken in
   * without repeating what it holds (see {@link TaskTracker#prime}); its status is reported with a position derived
   * from the status timestamp, so a status already in the log is not recorded twice, and a task that ended meanwhile
   * reports its end at once.
   *
   * @param a the stored record
   */
  void reattach(A2aAttachment a) {
    thread(() -> follow(a), "reattach").start();
  }

  private void follow(A2aAttachment a) {
    AgentCard resolved;
    try {
      resolved = resolveCard(cfg.cardUrl());
    } catch (Throwable t) {
      failLost("could not load the agent card again to re-attach task " + a.taskId() + ": " + Errors.describe(t), t);
      return;
    }
    int myTurn;
    boolean stream;
    synchronized (this) {
      if (cancelRequested || ended) {
        return;
      }
      try {
        card = resolved;
        tracker = new TaskTracker(cfg.agentUrl(), card.name(), a.contextId());
        tracker.adoptTask(a.taskId());
        attachedTaskId = a.taskId();
        bound = tracker.remoteRef();
        streaming = card.capabilities() != null && card.capabilities().streaming();
        client = buildClient(httpClient(cfg.idleTimeoutMs(), inflight));
        control = buildClient(httpClient(cfg.readTimeoutMs(), inflight));
      } catch (Throwable t) {
        failLost("cannot talk to the A2A agent at " + cfg.agentUrl() + " to re-attach: " + Errors.describe(t), t);
        return;
      }
      prime = true;
      resubscribed = streaming;
      myTurn = ++turn;
      armTurnTimer(myTurn);
      stream = streaming;
    }
    BiConsumer<ClientEvent, AgentCard> consumer = (event, c) -> onEvent(myTurn, event);
    try {
      if (stream) {
        client.resubscribe(new TaskIdParams(a.taskId()), List.of(consumer), t -> onStreamEnd(myTurn, t), null);
        return;
      }
    } catch (Throwable t) {
      LOG.debug("run {}: tasks/resubscribe refused ({}); following with tasks/get", spec.runId(), t.toString());
    }
    try {
      Task task = control.getTask(new TaskQueryParams(a.taskId()), null);
      if (task == null) {
        failLost("tasks/get of " + a.taskId() + " returned nothing", null);
        return;
      }
      onEvent(myTurn, new TaskEvent(task));
      poll(myTurn);
    } catch (Throwable t) {
      failLost("the A2A agent at " + card.url() + " could not report task " + a.taskId() + " again: "
          + Errors.describe(t), t);
    }
  }

  /** Ends a re-attached run that cannot be followed with {@code run_failed {reason:"host_lost"}}. */
  private synchronized void failLost(String reason, Throwable cause) {
    if (ended || cancelRequested) {
      return;
    }
    ended = true;
    LOG.debug("run {} lost: {}", spec.runId(), reason, cause);
    ObjectNode d = JsonNodeFactory.instance.objectNode();
    d.put("agent_url", cfg.agentUrl());
    d.put("reason", "host_lost");
    try {
      sink.emit(new RunEvent.RunFailed(reason, d));
    } finally {
      cleanup();
    }
  }

  /**
   * Stops following the task and leaves it to the agent (SPEC §12.8 detach): open exchanges are closed, nothing is
   * emitted, the next Orch process re-attaches through the stored record.
   *
   * @return false when the run has ended, is being cancelled, or the agent has not named its task yet (nothing to
   *     re-attach to)
   */
  @Override
  public boolean detach() {
    synchronized (this) {
      if (ended || cancelRequested || attachedTaskId == null) {
        return false;
      }
      cancelRequested = true; // silences every late callback
    }
    LOG.debug("run {}: detached from task {}", spec.runId(), attachedTaskId);
    cleanup();
    return true;
  }

  /** Aborts open exchanges without any event (backend shutdown). */
  void abort() {
    synchronized (this) {
      cancelRequested = true;
    }
    cleanup();
  }
}
