package dev.orch.backend.claude.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.backend.claude.ClaudeBackendProvider;
import dev.orch.backend.claude.ClaudeConfig;
import dev.orch.core.AgentMessage;
import dev.orch.core.EventType;
import dev.orch.core.OrchException;
import dev.orch.core.RemoteRef;
import dev.orch.core.RunEvent;
import dev.orch.core.RunStatus;
import dev.orch.core.spi.EventSink;
import dev.orch.core.spi.RunHandle;
import dev.orch.core.spi.UsageReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code claude_code} run: one user turn in a (new or pooled) Claude Code process (SPEC §4, §8; issue items
 * 1, 3, 4, 5). Emits {@code run_started} first and exactly one terminal event: {@code run_completed} /
 * {@code run_failed} from the CLI's {@code result}, {@code run_failed} when the CLI dies or the watchdog fires,
 * {@code status_changed {status:"cancelled"}} after {@link #cancel}.
 *
 * <p>Permission prompts become {@code input_required {text, tool, input, tool_use_id}} one at a time;
 * {@link #sendInput} answers the oldest; an unanswered one is denied after {@code permission_timeout_ms} (fail
 * closed, with a {@code message_added} note). After the answer the run reports {@code status_changed
 * {status:"running"}} and goes on in the same process. After a result the process is parked in the
 * {@link SessionPool} for {@code idle_keepalive_ms}.
 *
 * <p>Thread-safe: stdout lines, timers, sendInput and cancel all go through this object's lock, so events are
 * emitted in order.
 */
public final class ClaudeRun implements RunHandle, ClaudeProcess.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(ClaudeRun.class);
  /** How long cancel waits for the interrupted turn's result before closing the process, ms. */
  static final long INTERRUPT_WAIT_MS = 3000;
  private static final String INIT_ID = "orch_init_1";

  private record Prompt(String requestId, String tool, JsonNode input, String toolUseId, String description) {
  }

  private final ClaudeLaunch launch;
  private final ClaudeConfig config;
  private final String prompt;
  private final String resumeId;
  private final EventSink sink;
  private final SessionPool pool;
  private final ScheduledExecutorService scheduler;
  private final ThreadFactory threads;
  private final ClaudeStreamParser parser;
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private final Deque<Prompt> prompts = new ArrayDeque<>();
  private ClaudeProcess process;
  private boolean terminal;
  private String stopReason;
  private boolean timedOut;
  private ScheduledFuture<?> permissionTimer;
  private ScheduledFuture<?> watchdog;
  private int controlSeq;

  /**
   * @param launch how to start the CLI (used unless a pooled process matches)
   * @param config the run's configuration
   * @param prompt the user message text
   * @param resumeId the Claude session to resume, or null
   * @param structuredOutput whether an output schema was given
   * @param sink where events go
   * @param pool idle processes
   * @param scheduler timers (permission timeout, watchdog)
   * @param threads makes threads for stop sequences
   */
  public ClaudeRun(ClaudeLaunch launch, ClaudeConfig config, String prompt, String resumeId,
      boolean structuredOutput, EventSink sink, SessionPool pool, ScheduledExecutorService scheduler,
      ThreadFactory threads) {
    this.launch = launch;
    this.config = config;
    this.prompt = prompt;
    this.resumeId = resumeId;
    this.sink = sink;
    this.pool = pool;
    this.scheduler = scheduler;
    this.threads = threads;
    this.parser = new ClaudeStreamParser(structuredOutput);
  }

  /**
   * Takes the session's pooled process or starts the CLI, reports {@code run_started} and the process, and
   * writes the initialize request (new process only) and the user message.
   *
   * @throws OrchException BACKEND when the executable cannot be started (nothing was emitted then)
   */
  public synchronized void begin() {
    ClaudeProcess reused = resumeId == null ? null
        : pool.take(new SessionPool.Key(resumeId, launch.cwd()), launch.fingerprint());
    if (reused == null) {
      try {
        process = ClaudeProcess.start(launch, threads, this);
      } catch (IOException e) {
        throw new OrchException(OrchException.ErrorCode.BACKEND,
            "Cannot start Claude Code (" + launch.command().get(0) + "): " + e.getMessage(), e);
      }
    } else {
      process = reused;
      process.attach(this);
    }
    ObjectNode d = JsonNodeFactory.instance.objectNode();
    d.put("backend_session_id", resumeId);
    d.put("reused_process", reused != null);
    d.put("pid", process.pid());
    emit(new RunEvent.RunStarted(d));
    sink.processStarted(process.handle());
    watchdog = scheduler.schedule(this::onWatchdog, config.timeoutMs(), TimeUnit.MILLISECONDS);
    try {
      if (reused == null) {
        process.send(launch.initialize());
      }
      process.send(ClaudeLaunch.userMessage(prompt));
    } catch (IOException e) {
      finish(new RunEvent.RunFailed("Cannot write to Claude Code: " + e.getMessage(), null));
    }
  }

  @Override
  public synchronized void onLine(String line) {
    if (terminal) {
      return;
    }
    for (ClaudeStreamParser.Output o : parser.accept(line)) {
      if (terminal) {
        return;
      }
      handle(o);
    }
  }

  private void handle(ClaudeStreamParser.Output o) {
    if (o instanceof ClaudeStreamParser.Output.Event e) {
      emit(e.event());
    } else if (o instanceof ClaudeStreamParser.Output.SessionBound s) {
      ObjectNode meta = JsonNodeFactory.instance.objectNode();
      meta.put("cwd", launch.cwd().toString());
      sink.bindSession(s.sessionId(),
          new RemoteRef(ClaudeBackendProvider.ID, s.sessionId(), null, null, null, null, meta));
    } else if (o instanceof ClaudeStreamParser.Output.PermissionRequest p) {
      Prompt pr = new Prompt(p.requestId(), p.tool(), p.input(), p.toolUseId(), p.description());
      if (stopReason != null || timedOut) {
        answer(pr, new PermissionAnswer(false, "The run is stopping", null));
        return;
      }
      prompts.add(pr);
      if (prompts.size() == 1) {
        surface();
      }
    } else if (o instanceof ClaudeStreamParser.Output.ControlCancelled c) {
      withdraw(c.requestId());
    } else if (o instanceof ClaudeStreamParser.Output.ControlResponse r) {
      if (INIT_ID.equals(r.requestId()) && r.error() != null) {
        finish(new RunEvent.RunFailed("Claude Code refused the initialize request: " + r.error(), null));
      }
    } else if (o instanceof ClaudeStreamParser.Output.UnsupportedRequest u) {
      sendQuiet(ClaudeLaunch.controlError(u.requestId(), "Orch does not handle control request " + u.subtype()));
    } else if (o instanceof ClaudeStreamParser.Output.UsageUpdate u) {
      reportUsage(u.report());
    } else if (o instanceof ClaudeStreamParser.Output.Result r) {
      finish(r.terminal());
    }
  }

  /**
   * Reports usage to the engine (SPEC §12.3, §12.4). A result's {@code total_cost_usd} is the running total of the
   * CLI process, which a pooled process carries over from earlier runs: the run reports its own share. The result's
   * report is the last one (its terminal event follows) unless the run is being stopped.
   */
  private void reportUsage(UsageReport r) {
    UsageReport report = r;
    if (r.last()) {
      Double total = r.reportedCostUsd();
      Double own = null;
      if (total != null) {
        own = Math.round(Math.max(0, total - process.reportedCost()) * 1e10) / 1e10;
        process.reportedCost(total);
      }
      boolean stopping = stopReason != null || timedOut;
      report = new UsageReport(r.inputTokens(), r.cachedInputTokens(), r.outputTokens(), r.reasoningOutputTokens(),
          r.totalTokens(), own, r.model(), r.turns(), !stopping);
    }
    try {
      sink.usage(report);
    } catch (RuntimeException e) {
      LOG.warn("could not report the usage of claude {}: {}", process.pid(), e.toString());
    }
  }

  /** Reports the oldest pending prompt as input_required and starts its timeout. */
  private void surface() {
    Prompt p = prompts.peek();
    ObjectNode d = JsonNodeFactory.instance.objectNode();
    d.put("tool", p.tool());
    d.set("input", p.input().deepCopy());
    d.put("tool_use_id", p.toolUseId());
    if (p.description() != null) {
      d.put("description", p.description());
    }
    String text = "Claude Code asks permission to use " + p.tool()
        + (p.description() != null ? " (" + p.description() + ")" : "")
        + ". Answer with continue_run: \"allow\" or \"deny [reason]\".";
    emit(new RunEvent.InputRequired(text, d));
    permissionTimer = scheduler.schedule(() -> onPermissionTimeout(p), config.permissionTimeoutMs(),
        TimeUnit.MILLISECONDS);
  }

  private synchronized void onPermissionTimeout(Prompt p) {
    if (terminal || prompts.peek() != p) {
      return;
    }
    prompts.poll();
    String text = "Permission request for " + p.tool() + " was not answered within " + config.permissionTimeoutMs()
        + " ms: denied (fail closed).";
    answer(p, new PermissionAnswer(false, text, null));
    ObjectNode note = JsonNodeFactory.instance.objectNode();
    note.put("role", "system");
    note.put("text", text);
    note.put("reason", "permission_timeout");
    note.put("tool", p.tool());
    note.put("tool_use_id", p.toolUseId());
    emit(new RunEvent.Activity(EventType.MESSAGE_ADDED, note));
    resumeAfter(p, "deny", "permission_timeout");
  }

  private void withdraw(String requestId) {
    Prompt head = prompts.peek();
    if (!prompts.removeIf(p -> p.requestId().equals(requestId)) || head == null
        || !head.requestId().equals(requestId)) {
      return;
    }
    cancelPermissionTimer();
    resumeAfter(head, null, "withdrawn_by_claude");
  }

  private void resumeAfter(Prompt p, String behavior, String reason) {
    cancelPermissionTimer();
    ObjectNode d = JsonNodeFactory.instance.objectNode();
    d.put("tool", p.tool());
    d.put("tool_use_id", p.toolUseId());
    if (behavior != null) {
      d.put("behavior", behavior);
    }
    if (reason != null) {
      d.put("reason", reason);
    }
    emit(new RunEvent.StatusChanged(RunStatus.RUNNING, d));
    if (!prompts.isEmpty()) {
      surface();
    }
  }

  /**
   * Answers the pending permission prompt (the oldest one) with {@code continue_run} input; see
   * {@link PermissionAnswer} for the accepted shapes. The run then goes on in the same process.
   *
   * @throws OrchException CONFLICT when no prompt is pending or the run has ended; INVALID_ARGUMENT when the
   *     message is not a valid answer; BACKEND when the CLI is gone
   */
  @Override
  public synchronized void sendInput(AgentMessage message) {
    if (terminal) {
      throw OrchException.conflict("run is not awaiting additional input: the Claude Code turn has ended");
    }
    Prompt p = prompts.peek();
    if (p == null) {
      throw OrchException.conflict("run is not awaiting additional input: no permission prompt is pending");
    }
    PermissionAnswer a = PermissionAnswer.from(message);
    prompts.poll();
    try {
      process.send(ClaudeLaunch.controlSuccess(p.requestId(), a.toResponse(p.input(), p.toolUseId())));
    } catch (IOException e) {
      throw new OrchException(OrchException.ErrorCode.BACKEND, "Claude Code is gone: " + e.getMessage(), e);
    }
    resumeAfter(p, a.allow() ? "allow" : "deny", null);
  }

  private void answer(Prompt p, PermissionAnswer a) {
    sendQuiet(ClaudeLaunch.controlSuccess(p.requestId(), a.toResponse(p.input(), p.toolUseId())));
  }

  /**
   * Stops the run: pending prompts are denied, an {@code interrupt} control request ends the turn (its result is
   * recorded in the cancelled event), then the official close sequence stops the process tree. Returns when the
   * process is gone, at most about 11 s.
   *
   * @param reason {@code user} or {@code shutdown}
   */
  @Override
  public void cancel(String reason) {
    stop(reason == null ? "user" : reason, false);
  }

  private void onWatchdog() {
    Thread t = threads.newThread(() -> stop(null, true));
    t.setName("claude-watchdog-" + process.pid());
    t.start();
  }

  private void stop(String reason, boolean timeout) {
    synchronized (this) {
      if (terminal || stopReason != null || timedOut) {
        return;
      }
      stopReason = reason;
      timedOut = timeout;
      cancelPermissionTimer();
      for (Prompt p : prompts) {
        answer(p, new PermissionAnswer(false, "The run is stopping", null));
      }
      prompts.clear();
      sendQuiet(ClaudeLaunch.controlRequest("orch_interrupt_" + (++controlSeq), "interrupt"));
    }
    try {
      done.get(INTERRUPT_WAIT_MS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.debug("claude {} gave no result {} ms after the interrupt", process.pid(), INTERRUPT_WAIT_MS);
    }
    process.close();
    synchronized (this) {
      finish(new RunEvent.RunFailed("Claude Code gave no result after the interrupt", null));
    }
  }

  @Override
  public synchronized void onExit(int exitCode, String stderrTail) {
    if (terminal) {
      return;
    }
    ObjectNode d = JsonNodeFactory.instance.objectNode();
    d.put("exit_code", exitCode);
    finish(new RunEvent.RunFailed("Claude Code exited with code " + exitCode + " before reporting a result"
        + (stderrTail.isEmpty() ? "" : ": " + stderrTail), d));
  }

  /**
   * Parks or closes the process, then emits the one terminal event (converted when stopping). Parking first means
   * that a resume started as soon as the terminal event is seen finds the session's process in the pool.
   */
  private void finish(RunEvent event) {
    if (terminal) {
      return;
    }
    terminal = true;
    cancelPermissionTimer();
    if (watchdog != null) {
      watchdog.cancel(false);
    }
    prompts.clear();
    boolean stopping = stopReason != null || timedOut;
    process.detach(this);
    if (!stopping) { // else the stopping thread closes the process
      String sid = parser.sessionId();
      if (sid != null && process.isAlive()) {
        pool.park(new SessionPool.Key(sid, launch.cwd()), process, config.idleKeepaliveMs());
      } else {
        Thread t = threads.newThread(process::close);
        t.setName("claude-close-" + process.pid());
        t.start();
      }
    }
    emit(stopping ? stopped(event) : event);
    done.complete(null);
  }

  private RunEvent stopped(RunEvent from) {
    ObjectNode d = JsonNodeFactory.instance.objectNode();
    ObjectNode src = from.toData();
    if (src.has("usage")) {
      d.set("usage", src.get("usage"));
    }
    if (src.has("message")) {
      d.put("result_message", src.get("message").asText());
    }
    if (timedOut) {
      return new RunEvent.RunFailed("Claude Code run timed out after " + config.timeoutMs() + " ms", d);
    }
    d.put("reason", stopReason);
    return new RunEvent.StatusChanged(RunStatus.CANCELLED, d);
  }

  private void cancelPermissionTimer() {
    if (permissionTimer != null) {
      permissionTimer.cancel(false);
      permissionTimer = null;
    }
  }

  private void sendQuiet(JsonNode message) {
    try {
      process.send(message);
    } catch (IOException e) {
      LOG.debug("could not write to claude {}: {}", process.pid(), e.toString());
    }
  }

  private void emit(RunEvent event) {
    try {
      sink.emit(event);
    } catch (RuntimeException e) {
      LOG.error("event sink failed on {}", event.type(), e);
    }
  }

  /** @return completes when the run has emitted its terminal event */
  public CompletableFuture<Void> done() {
    return done;
  }

  /** @return the pid of the CLI process serving this run */
  public long pid() {
    return process.pid();
  }

  /** @return the working directory of the CLI process */
  public Path cwd() {
    return launch.cwd();
  }
}
