package dev.orch.backend.claude.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.backend.claude.ClaudeBackendProvider;
import dev.orch.backend.claude.ClaudeConfig;
import dev.orch.core.AgentMessage;
import dev.orch.core.OrchException;
import dev.orch.core.RemoteRef;
import dev.orch.core.RunEvent;
import dev.orch.core.RunStatus;
import dev.orch.core.spi.AgentProcess;
import dev.orch.core.spi.EventSink;
import dev.orch.core.spi.LogEntry;
import dev.orch.core.spi.RunHandle;
import dev.orch.core.spi.RunSpec;
import dev.orch.core.spi.UsageReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code claude_code} run: one user turn in a (new or pooled) Claude Code process (SPEC §4, §8, §12.8). Emits
 * {@code run_started} first and exactly one terminal event: {@code run_completed} / {@code run_failed} from the CLI's
 * {@code result}, {@code run_failed} when the CLI dies or the watchdog fires, {@code status_changed
 * {status:"cancelled"}} after {@link #cancel}.
 *
 * <p>Permission prompts are handled by {@link PermissionPrompts} ({@code input_required} one at a time,
 * {@link #sendInput} answers the oldest, fail-closed timeout). After a result the process is parked in the
 * {@link SessionPool} for {@code idle_keepalive_ms} (only a process this Orch process started: a re-attached one is
 * closed).
 *
 * <p>Re-attachment: every event read from an output line carries that line's byte offset as its source position
 * (the terminal event after the CLI's death: the end of the file), never going back; events caused by timers or
 * input carry none. A re-attached run ({@link #follow}) re-reads its turn from the recorded offset with a fresh parser:
 * the engine drops what the log already holds, and control requests Orch already answered (found in the process's
 * {@code stdin.jsonl}) are neither surfaced nor answered again.
 *
 * <p>Thread-safe: stdout lines, timers, sendInput, cancel and detach all go through this object's lock, so events are
 * emitted in order. (Long because start, reuse, re-attachment, stop and detach share that one lock and state.)
 */
public final class ClaudeRun implements RunHandle, ClaudeProcess.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(ClaudeRun.class);
  /** How long cancel waits for the interrupted turn's result before closing the process, ms. */
  static final long INTERRUPT_WAIT_MS = 3000;
  private static final String INIT_ID = "orch_init_1";

  /**
   * The run's time limits.
   *
   * @param timeoutMs watchdog of the whole run, ms
   * @param permissionTimeoutMs wait for a permission answer, ms
   * @param idleKeepaliveMs how long the process idles in the pool after the run, ms
   */
  record Limits(long timeoutMs, long permissionTimeoutMs, long idleKeepaliveMs) {
    static Limits of(ClaudeConfig c) {
      return new Limits(c.timeoutMs(), c.permissionTimeoutMs(), c.idleKeepaliveMs());
    }
  }

  private final ClaudeLaunch launch;
  private final Path cwd;
  private final Limits limits;
  private final String prompt;
  private final String resumeId;
  private final boolean structuredOutput;
  private final EventSink sink;
  private final SessionPool pool;
  private final ScheduledExecutorService scheduler;
  private final ThreadFactory threads;
  private final ClaudeStreamParser parser;
  private final long startedAtMs;
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private final PermissionPrompts prompts;
  private ClaudeProcess process;
  private boolean terminal;
  private boolean detached;
  private String stopReason;
  private boolean timedOut;
  private ScheduledFuture<?> watchdog;
  private int controlSeq;
  /** Source position of the events being emitted: the current line's offset (-1 outside a line) and index. */
  private long lineOffset = -1;
  private int lineIndex;
  private long lastPosition = -1;

  /**
   * @param launch how to start the CLI (used unless a pooled process matches)
   * @param config the run's configuration
   * @param prompt the user message text
   * @param resumeId the Claude session to resume, or null
   * @param structuredOutput whether an output schema was given
   * @param sink where events go
   * @param pool idle processes
   * @param scheduler timers (permission timeout, watchdog)
   * @param threads makes threads for stop sequences and the reader
   */
  public ClaudeRun(ClaudeLaunch launch, ClaudeConfig config, String prompt, String resumeId,
      boolean structuredOutput, EventSink sink, SessionPool pool, ScheduledExecutorService scheduler,
      ThreadFactory threads) {
    this(launch, launch.cwd(), Limits.of(config), prompt, resumeId, structuredOutput, sink, pool, scheduler, threads,
        System.currentTimeMillis());
  }

  private ClaudeRun(ClaudeLaunch launch, Path cwd, Limits limits, String prompt, String resumeId,
      boolean structuredOutput, EventSink sink, SessionPool pool, ScheduledExecutorService scheduler,
      ThreadFactory threads, long startedAtMs) {
    this.launch = launch;
    this.cwd = cwd;
    this.limits = limits;
    this.prompt = prompt;
    this.resumeId = resumeId;
    this.structuredOutput = structuredOutput;
    this.sink = sink;
    this.pool = pool;
    this.scheduler = scheduler;
    this.threads = threads;
    this.startedAtMs = startedAtMs;
    this.parser = new ClaudeStreamParser(structuredOutput);
    this.prompts = new PermissionPrompts(new PermissionPrompts.Port() {
      @Override
      public void emit(RunEvent event) {
        ClaudeRun.this.emit(event);
      }

      @Override
      public void sendQuiet(JsonNode message) {
        ClaudeRun.this.sendQuiet(message);
      }

      @Override
      public void send(JsonNode message) throws IOException {
        process.send(message);
      }

      @Override
      public boolean ended() {
        return terminal;
      }
    }, this, scheduler, limits.permissionTimeoutMs());
  }

  /**
   * Takes the session's pooled process or starts the CLI (behind its gate), reports {@code run_started} and the
   * process, stores the re-attachment record, and writes the initialize request (new process only) and the user
   * message.
   *
   * @throws OrchException BACKEND when the CLI cannot be started (nothing was emitted then); STORE when the
   *     re-attachment record cannot be stored (the turn is not started then)
   */
  public synchronized void begin() {
    ClaudeProcess reused = resumeId == null ? null
        : pool.take(new SessionPool.Key(resumeId, launch.cwd()), launch.fingerprint());
    if (reused == null) {
      try {
        AgentProcess.Directory dir = AgentProcess.directoryFor(sink, "orch-claude-");
        process = ClaudeProcess.start(launch, dir, threads, this, p -> {
          process = p;
          announce(false);
          boolean attached = AgentProcess.attach(sink, attachment(0, 0));
          p.send(launch.initialize());
          p.send(ClaudeLaunch.userMessage(prompt));
          return attached;
        });
      } catch (IOException e) {
        throw new OrchException(OrchException.ErrorCode.BACKEND,
            "Cannot start Claude Code (" + launch.command().get(0) + "): " + e.getMessage(), e);
      }
    } else {
      process = reused;
      long start = process.attach(this);
      try {
        announce(true);
        process.outlive(AgentProcess.attach(sink, attachment(start, process.inputLogSize())));
      } catch (RuntimeException e) {
        process.detach(this);
        Thread t = threads.newThread(process::close);
        t.start();
        throw e;
      }
      sendUserMessage();
    }
    armWatchdog();
  }

  private void announce(boolean reusedProcess) {
    ObjectNode d = JsonNodeFactory.instance.objectNode();
    d.put("backend_session_id", resumeId);
    d.put("reused_process", reusedProcess);
    d.put("pid", process.pid());
    emit(new RunEvent.RunStarted(d));
    ProcessHandle h = process.handle();
    if (h != null) {
      sink.processStarted(h);
    }
  }

  private ObjectNode attachment(long startOffset, long stdinOffset) {
    return new ClaudeAttachment(process.describe(), startOffset, stdinOffset, structuredOutput, resumeId, cwd,
        startedAtMs, limits.timeoutMs(), limits.permissionTimeoutMs()).toJson();
  }

  private void sendUserMessage() {
    try {
      process.send(ClaudeLaunch.userMessage(prompt));
    } catch (IOException e) {
      finish(new RunEvent.RunFailed("Cannot write to Claude Code: " + e.getMessage(), null));
    }
  }

  private void armWatchdog() {
    long left = Math.max(0, limits.timeoutMs() - (System.currentTimeMillis() - startedAtMs));
    watchdog = scheduler.schedule(this::onWatchdog, left, TimeUnit.MILLISECONDS);
  }

  /**
   * Re-attaches a run another Orch process started (SPEC §12.8): follows its CLI process from the offset where the
   * run's turn starts, re-reading what was already reported (the engine drops it), and goes on live. A user message
   * the earlier process recorded but never wrote is written now. The process is closed, not parked, when the run ends.
   *
   * @param spec the stored run (its prompt)
   * @param attachment the stored record
   * @param sink where events go
   * @param pool the backend's pool (not used for re-attached processes)
   * @param scheduler timers
   * @param threads reader and stop threads
   * @return the run
   * @throws OrchException BACKEND when the record is unusable or the process's files are gone
   */
  public static ClaudeRun follow(RunSpec spec, JsonNode attachment, EventSink sink, SessionPool pool,
      ScheduledExecutorService scheduler, ThreadFactory threads) {
    ClaudeAttachment a = ClaudeAttachment.from(attachment);
    ClaudeRun run = new ClaudeRun(null, a.cwd(), new Limits(a.timeoutMs(), a.permissionTimeoutMs(), 0),
        spec.prompt(), a.resumeId(), a.structuredOutput(), sink, pool, scheduler, threads, a.startedAtMs());
    synchronized (run) {
      try {
        run.process = ClaudeProcess.follow(a.agent(), a.startOffset(), a.cwd(), threads, run);
      } catch (IOException e) {
        throw new OrchException(OrchException.ErrorCode.BACKEND, "cannot follow Claude Code: " + e.getMessage(), e);
      }
      run.prompts.alreadyAnswered(run.process.answeredRequestIds());
      ProcessHandle h = run.process.handle();
      if (h != null) {
        run.sink.processStarted(h);
        if (run.process.inputLogSize() <= a.stdinOffset()) {
          LOG.info("re-attached claude run: its user message never reached the CLI; sending it now");
          run.sendUserMessage();
        }
      }
      run.armWatchdog();
    }
    return run;
  }

  @Override
  public synchronized void onLine(String line, long offset) {
    if (terminal) {
      return;
    }
    lineOffset = offset;
    lineIndex = 0;
    try {
      for (ClaudeStreamParser.Output o : parser.accept(line)) {
        if (terminal) {
          return;
        }
        handle(o);
      }
    } finally {
      lineOffset = -1;
    }
  }

  private void handle(ClaudeStreamParser.Output o) {
    if (o instanceof ClaudeStreamParser.Output.Event e) {
      emit(e.event());
    } else if (o instanceof ClaudeStreamParser.Output.SessionBound s) {
      ObjectNode meta = JsonNodeFactory.instance.objectNode();
      meta.put("cwd", cwd.toString());
      sink.bindSession(s.sessionId(),
          new RemoteRef(ClaudeBackendProvider.ID, s.sessionId(), null, null, null, null, meta));
    } else if (o instanceof ClaudeStreamParser.Output.PermissionRequest p) {
      prompts.offer(p, stopReason != null || timedOut);
    } else if (o instanceof ClaudeStreamParser.Output.ControlCancelled c) {
      prompts.withdraw(c.requestId());
    } else if (o instanceof ClaudeStreamParser.Output.ControlResponse r) {
      if (INIT_ID.equals(r.requestId()) && r.error() != null) {
        finish(new RunEvent.RunFailed("Claude Code refused the initialize request: " + r.error(), null));
      }
    } else if (o instanceof ClaudeStreamParser.Output.UnsupportedRequest u) {
      if (!prompts.wasAnswered(u.requestId())) {
        sendQuiet(ClaudeLaunch.controlError(u.requestId(), "Orch does not handle control request " + u.subtype()));
      }
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
    prompts.answer(message);
  }

  /**
   * Stops the run: pending prompts are denied, an {@code interrupt} control request ends the turn (its result is
   * recorded in the cancelled event), then the close sequence stops the process tree. Returns when the process is
   * gone, at most about 11 s.
   *
   * @param reason {@code user} or {@code shutdown}
   */
  @Override
  public void cancel(String reason) {
    stop(reason == null ? "user" : reason, false);
  }

  /**
   * Leaves the CLI running for the next Orch process (SPEC §12.8, {@code ORCH_ON_EXIT=detach}): timers stop, the
   * process is no longer read; nothing is emitted. A pending permission prompt stays pending in the CLI.
   *
   * @return false when the run has already ended or is being stopped
   */
  @Override
  public synchronized boolean detach() {
    if (terminal || stopReason != null || timedOut || process == null) {
      return false;
    }
    terminal = true;
    detached = true;
    prompts.clear();
    if (watchdog != null) {
      watchdog.cancel(false);
    }
    process.detach(this);
    process.leave();
    done.complete(null);
    return true;
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
      prompts.denyAll("The run is stopping");
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
  public synchronized void onExit(Integer exitCode, String stderrTail, long endOffset) {
    if (terminal) {
      return;
    }
    lineOffset = endOffset;
    lineIndex = 0;
    try {
      ObjectNode d = JsonNodeFactory.instance.objectNode();
      if (exitCode == null) {
        d.putNull("exit_code");
        d.put("reason", "host_lost");
        finish(new RunEvent.RunFailed("Claude Code ended while no Orch process was following it, before reporting a"
            + " result; its exit code was not recorded" + (stderrTail.isEmpty() ? "" : ": " + stderrTail), d));
      } else {
        d.put("exit_code", exitCode);
        finish(new RunEvent.RunFailed("Claude Code exited with code " + exitCode + " before reporting a result"
            + (stderrTail.isEmpty() ? "" : ": " + stderrTail), d));
      }
    } finally {
      lineOffset = -1;
    }
  }

  /**
   * Parks or closes the process, then emits the one terminal event (converted when stopping). Parking first means
   * that a resume started as soon as the terminal event is seen finds the session's process in the pool. Only a
   * process this Orch process started is parked (a re-attached one has no lifeline and is closed).
   */
  private void finish(RunEvent event) {
    if (terminal) {
      return;
    }
    terminal = true;
    prompts.clear();
    if (watchdog != null) {
      watchdog.cancel(false);
    }
    boolean stopping = stopReason != null || timedOut;
    process.detach(this);
    if (!stopping) { // else the stopping thread closes the process
      String sid = parser.sessionId();
      if (sid != null && launch != null && process.isAlive() && process.poolable()) {
        process.outlive(false);
        pool.park(new SessionPool.Key(sid, launch.cwd()), process, limits.idleKeepaliveMs());
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
      return new RunEvent.RunFailed("Claude Code run timed out after " + limits.timeoutMs() + " ms", d);
    }
    d.put("reason", stopReason);
    return new RunEvent.StatusChanged(RunStatus.CANCELLED, d);
  }

  private void sendQuiet(JsonNode message) {
    try {
      process.send(message);
    } catch (IOException e) {
      LOG.debug("could not write to claude {}: {}", process.pid(), e.toString());
    }
  }

  /**
   * Emits with the current line's position (an event caused by a timer or by input has none); a position is never
   * lower than one emitted before (a prompt surfaced after a later line was read gets none), so that the log's
   * greatest position is a true replay floor.
   */
  private void emit(RunEvent event) {
    long position = LogEntry.NO_POSITION;
    if (lineOffset >= 0) {
      long p = LogEntry.position(lineOffset, Math.min(lineIndex++, 255));
      if (p >= lastPosition) {
        position = p;
        lastPosition = p;
      }
    }
    try {
      sink.emit(event, position);
    } catch (RuntimeException e) {
      LOG.error("event sink failed on {}", event.type(), e);
    }
  }

  /** @return completes when the run has emitted its terminal event or was detached */
  public CompletableFuture<Void> done() {
    return done;
  }

  /** @return true once the run was detached (it then emits nothing more) */
  public synchronized boolean isDetached() {
    return detached;
  }

  /** @return the pid of the CLI process's wrapper (its process group) serving this run */
  public long pid() {
    return process.pid();
  }

  /** @return the working directory of the CLI process */
  public Path cwd() {
    return cwd;
  }
}
