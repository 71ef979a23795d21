package dev.orch.backend.a2a.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.backend.a2a.A2aConfig;
import dev.orch.core.AgentMessage;
import dev.orch.core.MessagePart;
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
import io.a2a.client.config.ClientConfig;
import io.a2a.client.http.A2ACardResolver;
import io.a2a.client.transport.jsonrpc.JSONRPCTransport;
import io.a2a.client.transport.jsonrpc.JSONRPCTransportConfig;
import io.a2a.spec.AgentCard;
import io.a2a.spec.Message;
import io.a2a.spec.Task;
import io.a2a.spec.TaskArtifactUpdateEvent;
import io.a2a.spec.TaskIdParams;
import io.a2a.spec.TaskQueryParams;
import io.a2a.spec.TaskStatus;
import io.a2a.spec.TaskStatusUpdateEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
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
 * order.
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
      resolved = new A2ACardResolver(httpClient(cfg.readTimeoutMs(), inflight), cardUrl, cardUrl, Map.of())
          .getAgentCard();
      Objects.requireNonNull(resolved, "empty agent card");
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
        first = firstMessage(resumed);
      } catch (Throwable t) {
        fail("cannot talk to the A2A agent at " + cfg.agentUrl() + ": " + Errors.describe(t), t);
        return;
      }
    }
    sendTurn(first);
  }

  private Client buildClient(OrchHttpClient http) throws Exception {
    ClientConfig.Builder cc = new ClientConfig.Builder().setStreaming(true).setPolling(!cfg.blocking())
        .setAcceptedOutputModes(cfg.acceptedOutputModes());
    if (cfg.historyLength() != null) {
      cc.setHistoryLength(cfg.historyLength());
    }
    AgentCard c = card;
    if (c.capabilities() == null) {
      c = new AgentCard.Builder(c).capabilities(new io.a2a.spec.AgentCapabilities(false, false, false, List.of()))
          .build();
    }
    return Client.builder(c).clientConfig(cc.build())
        .withTransport(JSONRPCTransport.class, new JSONRPCTransportConfig(http)).build();
  }

  private Message firstMessage(String contextId) {
    List<MessagePart> parts = new ArrayList<>();
    if (spec.systemPrompt() != null && !spec.systemPrompt().isBlank()) {
      parts.add(new MessagePart.Text(spec.systemPrompt()));
    }
    AgentMessage input = spec.inputMessage();
    if (input != null) {
      parts.addAll(input.parts());
    } else {
      parts.add(new MessagePart.Text(spec.prompt()));
    }
    return message(parts, null, contextId, input == null ? null : input.metadata());
  }

  /** Message metadata: the caller's, then {@code nanobot_orchestrator {cwd, run_id, session_id}} and the schema. */
  private Message message(List<MessagePart> parts, String taskId, String contextId, ObjectNode callerMetadata) {
    Map<String, Object> meta = Parts.toMap(callerMetadata);
    ObjectNode orch = JsonNodeFactory.instance.objectNode();
    orch.put("cwd", spec.cwd().toString());
    orch.put("run_id", spec.runId().value());
    orch.put("session_id", spec.sessionId().value());
    meta.put("nanobot_orchestrator", Parts.toMap(orch));
    if (spec.outputSchema() != null) {
      meta.put("output_schema", Parts.toMap(spec.outputSchema()));
    }
    Message.Builder b = new Message.Builder().role(Message.Role.USER).parts(Parts.toA2a(parts))
        .messageId(UUID.randomUUID().toString()).metadata(meta);
    if (taskId != null) {
      b.taskId(taskId);
    }
    if (contextId != null) {
      b.contextId(contextId);
    }
    return b.build();
  }

  /** Sends one message and follows the turn until it ends, waits, or fails. */
  private void sendTurn(Message m) {
    int myTurn;
    synchronized (this) {
      if (cancelRequested || ended) {
        return;
      }
      myTurn = ++turn;
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
        if (event instanceof TaskEvent te) {
          events = tracker.onTask(te.getTask());
        } else if (event instanceof TaskUpdateEvent tu && tu.getUpdateEvent() instanceof TaskStatusUpdateEvent s) {
          events = tracker.onStatusUpdate(s);
        } else if (event instanceof TaskUpdateEvent tu
            && tu.getUpdateEvent() instanceof TaskArtifactUpdateEvent a) {
          events = tracker.onArtifactUpdate(a);
        } else if (event instanceof MessageEvent me) {
          events = tracker.onMessage(me.getMessage());
        } else {
          events = List.of();
        }
        bindIfChanged();
        boolean terminal = tracker.outcome() == TaskTracker.Outcome.TERMINAL;
        if (terminal) {
          ended = true;
        }
        UsageReport usage = UsageMetadata.of(event, terminal);
        if (usage != null) {
          sink.usage(usage);
        }
        events.forEach(sink::emit);
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

  /** The SDK's stream error handler: null = the stream ended normally. */
  private void onStreamEnd(int myTurn, Throwable error) {
    synchronized (this) {
      if (cancelRequested || ended || myTurn != turn || tracker.outcome() != TaskTracker.Outcome.ACTIVE) {
        if (error != null) {
          LOG.debug("run {}: stream error after the turn ended: {}", spec.runId(), error.toString());
        }
        return;
      }
      if (error != null) {
        fail("the event stream from the A2A agent at " + card.url() + " failed: " + Errors.describe(error), error);
        return;
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
      m = message(input.parts(), tracker.taskId(), tracker.contextId(), input.metadata());
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

  /** Aborts open exchanges without any event (backend shutdown). */
  void abort() {
    synchronized (this) {
      cancelRequested = true;
    }
    cleanup();
  }
}
