package dev.orch.backend.codex.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.backend.codex.CodexConfig;
import dev.orch.core.OrchException;
import dev.orch.core.RemoteRef;
import dev.orch.core.RunEvent;
import dev.orch.core.spi.AgentProcess;
import dev.orch.core.spi.EventSink;
import dev.orch.core.spi.LogEntry;
import dev.orch.core.spi.RunHandle;
import dev.orch.core.spi.RunSpec;
import dev.orch.core.spi.UsageReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One codex run: the {@link AgentProcess} running {@code codex exec --json}, its event mapping, the watchdog, cancel
 * and re-attachment (SPEC §4, §8, §10, §12.8). Codex runs in its own process group, reads its prompt from a file and
 * writes its JSONL to {@code stdout.jsonl} in the run's private directory; every event parsed from a line is
 * reported with that line's byte offset as its source position, and the terminal event with the end of the file, so
 * that a re-attached run (which re-reads the file from the start with a fresh parser) records nothing twice.
 *
 * <p>Exactly one terminal event reaches the sink, from whichever comes first: the agent's end (mapped by
 * {@link CodexEventParser#finish}) or the watchdog ({@code run_failed "codex timed out after N ms"}). A cancel, a
 * backend close or a detach claims the run silently. Thread-safe; all sink calls for the run happen under one lock, in
 * order. Not API.
 */
public final class CodexRun implements RunHandle {
  private static final Logger LOG = LoggerFactory.getLogger(CodexRun.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Name of the prompt file in the run's directory (codex's stdin). */
  static final String PROMPT_FILE = "prompt.txt";
  /** Name of the output schema file in the run's directory. */
  static final String SCHEMA_FILE = "output-schema.json";
  /** Key of the remote reference's metadata holding the thread's usage so far (the next resume's baseline). */
  static final String THREAD_USAGE = "thread_usage";

  private final RunSpec spec;
  private final EventSink sink;
  private final ThreadFactory threads;
  private final CodexEventParser parser;
  private final Consumer<CodexRun> onDone;
  private final String resumeThreadId;
  private final long timeoutMs;
  private final long cancelGraceMs;
  private final long startedAtMs;
  /** The model the run uses (for pricing, SPEC §12.4), or null when the configuration does not say. */
  private final String model;
  /** The thread's usage before this run (resumed threads report running totals), or null. */
  private final JsonNode usageBaseline;
  private final Object lock = new Object();
  private final AgentProcess.Listener listener = new AgentProcess.Listener() {
    @Override
    public void onLine(String line, long offset, long next) {
      onStdoutLine(line, offset);
    }

    @Override
    public void onEnd(Integer exitCode, long endOffset) {
      onAgentEnd(exitCode, endOffset);
    }
  };
  private volatile AgentProcess process;
  private volatile Thread watchdog;
  private volatile boolean done;
  private Path schemaFile;
  /** Guarded by lock: set once the terminal event was emitted or the run was claimed by cancel/close/detach. */
  private boolean ended;
  private String boundThreadId;

  private CodexRun(RunSpec spec, EventSink sink, ThreadFactory threads, Consumer<CodexRun> onDone,
      String resumeThreadId, boolean structuredOutput, long timeoutMs, long cancelGraceMs, long startedAtMs, String model,
      JsonNode usageBaseline) {
    this.model = model;
    this.usageBaseline = usageBaseline;
    this.spec = spec;
    this.sink = sink;
    this.threads = threads;
    this.onDone = onDone;
    this.resumeThreadId = resumeThreadId;
    this.timeoutMs = timeoutMs;
    this.cancelGraceMs = cancelGraceMs;
    this.startedAtMs = startedAtMs;
    this.parser = new CodexEventParser(resumeThreadId, structuredOutput);
  }

  /**
   * Prepares a run; nothing is started until {@link #launch(CodexConfig)}.
   *
   * @param spec the run
   * @param config its configuration (watchdog and cancel grace are taken from it)
   * @param sink where events go
   * @param threads factory for the reader and watchdog threads
   * @param onDone called once when the run no longer needs the backend (ended, or detached)
   * @return the run, not started
   */
  public static CodexRun prepare(RunSpec spec, CodexConfig config, EventSink sink, ThreadFactory threads,
      Consumer<CodexRun> onDone) {
    String resume = spec.resume() == null ? null : spec.resume().backendSessionId();
    ObjectNode meta = spec.resume() == null || spec.resume().remoteRef() == null
        ? null : spec.resume().remoteRef().metadata();
    JsonNode baseline = meta != null && meta.path(THREAD_USAGE).isObject() ? meta.get(THREAD_USAGE) : null;
    return new CodexRun(spec, sink, threads, onDone, resume, spec.outputSchema() != null, config.timeoutMs(),
        config.cancelGraceMs(), System.currentTimeMillis(), modelOf(config), baseline);
  }

  /**
   * @return the model of a run: {@code model} / {@code ORCH_CODEX_MODEL}, else {@code -m}/{@code --model} in
   *     {@code extra_args} (the last one, as codex reads it), else a {@code -c model=...} override, else null
   */
  static String modelOf(CodexConfig config) {
    if (config.model() != null) {
      return config.model();
    }
    String fromArgs = null;
    List<String> args = config.extraArgs();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if ((a.equals("-m") || a.equals("--model")) && i + 1 < args.size()) {
        fromArgs = args.get(++i);
      } else if (a.startsWith("--model=")) {
        fromArgs = a.substring("--model=".length());
      }
    }
    if (fromArgs != null && !fromArgs.isBlank()) {
      return fromArgs;
    }
    JsonNode m = config.config().get("model");
    return m != null && m.isTextual() ? m.asText() : null;
  }

  /** @return the thread reference, with the thread's usage so far (or the baseline) in its metadata */
  private RemoteRef threadRef(String thread, JsonNode threadUsage) {
    if (threadUsage == null) {
      return RemoteRef.conversation("codex", thread);
    }
    ObjectNode meta = JSON.createObjectNode();
    meta.set(THREAD_USAGE, threadUsage.deepCopy());
    return new RemoteRef("codex", thread, null, null, null, null, meta);
  }

  /**
   * Reports the run's usage (SPEC §12.4) and stores the thread's running total with the session (the baseline of
   * the next resume). Caller holds the lock; the terminal event follows directly when {@code last}.
   */
  private void reportUsage(boolean last) {
    String thread = parser.threadId();
    JsonNode baseline = thread != null && thread.equals(resumeThreadId) ? usageBaseline : null;
    UsageReport report = parser.usageReport(model, baseline);
    if (report == null || !last) {
      return;
    }
    if (thread != null) {
      sink.bindSession(thread, threadRef(thread, parser.threadUsage()));
    }
    sink.usage(report);
  }

  /**
   * Starts codex: writes the prompt (and output schema) file into the run's directory, starts the agent behind its
   * gate, reports the process and {@code run_started}, stores the re-attachment record, opens the gate and arms the
   * watchdog. Call once.
   *
   * @param config the run's configuration
   * @throws OrchException BACKEND when the files cannot be written or the process cannot be started (the agent
   *     never ran then; the engine records run_failed); STORE when the re-attachment record cannot be stored
   */
  public void launch(CodexConfig config) {
    AgentProcess.Launch launch;
    try {
      AgentProcess.Directory dir = AgentProcess.directoryFor(sink, "orch-codex-");
      Path schema = null;
      if (spec.outputSchema() != null) {
        schema = Files.writeString(dir.path().resolve(SCHEMA_FILE), JSON.writeValueAsString(spec.outputSchema()));
      }
      Path prompt = Files.writeString(dir.path().resolve(PROMPT_FILE),
          CodexCommand.stdinPrompt(spec.prompt(), spec.systemPrompt()));
      List<String> command = CodexCommand.arguments(config, spec.cwd(), schema, resumeThreadId);
      Map<String, String> env = new LinkedHashMap<>(config.env());
      env.putAll(spec.environment());
      launch = new AgentProcess.Launch(command, spec.cwd(), env, dir.path(), dir.temporary(), prompt);
      synchronized (lock) {
        schemaFile = schema;
      }
    } catch (IOException e) {
      throw new OrchException(OrchException.ErrorCode.BACKEND, "cannot prepare the codex run files: " + e, e);
    }
    synchronized (lock) {
      try {
        process = AgentProcess.start(launch, threads, listener, this::record);
      } catch (IOException e) {
        ended = true;
        deleteQuietly(schemaFile);
        throw new OrchException(OrchException.ErrorCode.BACKEND,
            "cannot start codex (" + config.executable() + "): " + e.getMessage(), e);
      } catch (RuntimeException e) {
        ended = true;
        throw e;
      }
      LOG.debug("run {}: started codex (wrapper pid {}): {}", spec.runId(), process.pid(), launch.command());
    }
    armWatchdog();
  }

  /** Before the gate opens: the process, run_started, the re-attachment record. */
  private boolean record(AgentProcess p) {
    sink.processStarted(p.handle().orElseThrow(() -> new OrchException(OrchException.ErrorCode.BACKEND,
        "the codex wrapper exited before it was recorded")));
    sink.emit(parser.runStarted());
    return AgentProcess.attach(sink, new CodexAttachment(p.describe(), spec.outputSchema() != null, resumeThreadId,
        startedAtMs, timeoutMs, cancelGraceMs, model, usageBaseline).toJson());
  }

  /**
   * Re-attaches a codex run another Orch process started (SPEC §12.8): follows the agent described in the record,
   * re-reading its output from the start (the engine drops what is already in the log), and reports its end — at
   * once when codex ended meanwhile. The watchdog keeps counting from the run's original start.
   *
   * @param spec the stored run
   * @param attachment the record stored by {@link #launch}
   * @param sink where events go
   * @param threads factory for the reader and watchdog threads
   * @param onDone called once when the run no longer needs the backend
   * @return the followed run
   * @throws OrchException BACKEND when the record is unusable or codex's output files are gone
   */
  public static CodexRun follow(RunSpec spec, ObjectNode attachment, EventSink sink, ThreadFactory threads,
      Consumer<CodexRun> onDone) {
    CodexAttachment a = CodexAttachment.from(attachment);
    CodexRun run = new CodexRun(spec, sink, threads, onDone, a.resumeThreadId(), a.structuredOutput(), a.timeoutMs(),
        a.cancelGraceMs(), a.startedAtMs(), a.model(), a.usageBaseline());
    synchronized (run.lock) {
      try {
        run.process = AgentProcess.follow(a.agent(), 0, threads, run.listener);
      } catch (IOException e) {
        throw new OrchException(OrchException.ErrorCode.BACKEND, "cannot follow codex: " + e.getMessage(), e);
      }
      Path schema = run.process.directory().resolve(SCHEMA_FILE);
      run.schemaFile = Files.exists(schema) ? schema : null;
      run.process.handle().ifPresent(sink::processStarted);
    }
    run.armWatchdog();
    return run;
  }

  private void armWatchdog() {
    Thread t = threads.newThread(this::watch);
    t.setName("codex-watchdog-" + process.pid());
    watchdog = t;
    t.start();
  }

  private void onStdoutLine(String line, long offset) {
    synchronized (lock) {
      if (ended) {
        return;
      }
      List<RunEvent> events = parser.onLine(line);
      String thread = parser.threadId();
      if (thread != null && !thread.equals(boundThreadId)) {
        boundThreadId = thread;
        sink.bindSession(thread, threadRef(thread, thread.equals(resumeThreadId) ? usageBaseline : null));
      }
      for (int i = 0; i < events.size(); i++) {
        sink.emit(events.get(i), LogEntry.position(offset, i));
      }
    }
  }

  private void onAgentEnd(Integer code, long endOffset) {
    synchronized (lock) {
      deleteQuietly(schemaFile);
      if (!ended) {
        ended = true;
        RunEvent terminal = parser.finish(code, process.stderrTail());
        LOG.debug("run {}: codex ended with {}", spec.runId(), code);
        reportUsage(terminal != null);
        if (terminal != null) {
          sink.emit(terminal, LogEntry.position(endOffset, 0));
        }
      }
    }
    Thread w = watchdog;
    if (w != null) {
      w.interrupt();
    }
    done = true;
    onDone.accept(this);
  }

  /** @return true once the run no longer needs the backend (codex ended, or the run was detached) */
  boolean isDone() {
    return done;
  }

  private void watch() {
    long left = timeoutMs - (System.currentTimeMillis() - startedAtMs);
    if (process.waitFor(Duration.ofMillis(Math.max(0, left))) || Thread.currentThread().isInterrupted()) {
      return;
    }
    synchronized (lock) {
      if (ended) {
        return;
      }
      ended = true;
    }
    LOG.warn("run {}: codex timed out after {} ms; killing its process tree", spec.runId(), timeoutMs);
    process.stop(null, Duration.ZERO, Duration.ofMillis(Math.max(500, cancelGraceMs)));
    process.waitFor(Duration.ofSeconds(5));
    synchronized (lock) {
      RunEvent terminal = parser.timedOut(timeoutMs, process.stderrTail());
      if (terminal != null) {
        sink.emit(terminal);
      }
    }
  }

  /**
   * Stops the run: claims it (no terminal event is emitted by the backend afterwards), sends SIGINT to codex, waits
   * {@code cancel_grace_ms}, then SIGTERM / SIGKILL of its process group and tree. Returns when the processes are gone
   * (bounded: about {@code 2 × cancel_grace_ms + 2 s}).
   *
   * @param reason {@code user} or {@code shutdown}; logged only
   */
  @Override
  public void cancel(String reason) {
    synchronized (lock) {
      if (ended) {
        return;
      }
      ended = true;
    }
    LOG.debug("run {}: cancel ({})", spec.runId(), reason);
    kill(true);
  }

  /**
   * Leaves codex running for the next Orch process (SPEC §12.8, {@code ORCH_ON_EXIT=detach}): the reader and the
   * watchdog stop; nothing is emitted.
   *
   * @return false when the run has already ended or was never started
   */
  @Override
  public boolean detach() {
    AgentProcess p;
    synchronized (lock) {
      if (ended || process == null) {
        return false;
      }
      ended = true;
      p = process;
    }
    p.detach();
    Thread w = watchdog;
    if (w != null) {
      w.interrupt();
    }
    LOG.debug("run {}: detached from codex (wrapper pid {})", spec.runId(), p.pid());
    done = true;
    onDone.accept(this);
    return true;
  }

  /** Kills the run's process tree without emitting anything (backend close). Idempotent. */
  void killSilently() {
    synchronized (lock) {
      ended = true;
    }
    kill(false);
  }

  private void kill(boolean gracefulFirst) {
    AgentProcess p = process;
    if (p == null) {
      return;
    }
    List<ProcessHandle> left = gracefulFirst
        ? p.stop(p::interrupt, Duration.ofMillis(cancelGraceMs), Duration.ofMillis(Math.max(500, cancelGraceMs)))
        : p.stop(null, Duration.ZERO, Duration.ofMillis(1000));
    if (!left.isEmpty()) {
      LOG.warn("run {}: processes {} survived SIGKILL", spec.runId(), left.stream().map(ProcessHandle::pid).toList());
    }
    p.waitFor(Duration.ofSeconds(3));
  }

  /** @return the output schema file of this run (deleted when codex has ended), or null */
  public Path outputSchemaFile() {
    synchronized (lock) {
      return schemaFile;
    }
  }

  /** @return the pid of the codex wrapper process (its process group), or -1 before it started */
  public long pid() {
    AgentProcess p = process;
    return p == null ? -1 : p.pid();
  }

  private static void deleteQuietly(Path p) {
    if (p == null) {
      return;
    }
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      LOG.debug("could not delete {}: {}", p, e.toString());
    }
  }
}
