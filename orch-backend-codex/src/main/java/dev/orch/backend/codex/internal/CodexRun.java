package dev.orch.backend.codex.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.backend.codex.CodexConfig;
import dev.orch.core.OrchException;
import dev.orch.core.RemoteRef;
import dev.orch.core.RunEvent;
import dev.orch.core.spi.CliProcess;
import dev.orch.core.spi.EventSink;
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
 * One codex run: the child process, its event mapping, the watchdog and cancel (SPEC §4, §8, §10). Exactly one
 * terminal event reaches the sink, from whichever of these comes first: the process exit (mapped by
 * {@link CodexEventParser#finish}) or the watchdog ({@code run_failed "codex timed out after N ms"}). A cancel
 * or a backend close claims the run silently: the backend then emits no terminal event (the engine records
 * {@code status_changed cancelled}). Thread-safe; all sink calls for the run happen under one lock, in order.
 * Not API.
 */
public final class CodexRun implements RunHandle {
  private static final Logger LOG = LoggerFactory.getLogger(CodexRun.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Key of the remote reference's metadata holding the thread's usage so far (the next resume's baseline). */
  static final String THREAD_USAGE = "thread_usage";

  private final RunSpec spec;
  private final CodexConfig config;
  private final EventSink sink;
  private final ThreadFactory threads;
  private final CodexEventParser parser;
  private final Consumer<CodexRun> onDone;
  private final Object lock = new Object();
  private volatile CliProcess process;
  private Path schemaFile;
  /** The thread's usage before this run (resumed threads report running totals), or null. */
  private final JsonNode usageBaseline;
  /** Guarded by lock: set once the terminal event was emitted or the run was claimed by cancel/close. */
  private boolean ended;
  private String boundThreadId;

  private CodexRun(RunSpec spec, CodexConfig config, EventSink sink, ThreadFactory threads, Consumer<CodexRun> onDone) {
    this.spec = spec;
    this.config = config;
    this.sink = sink;
    this.threads = threads;
    this.onDone = onDone;
    String resume = spec.resume() == null ? null : spec.resume().backendSessionId();
    this.parser = new CodexEventParser(resume, spec.outputSchema() != null);
    ObjectNode meta = spec.resume() == null || spec.resume().remoteRef() == null
        ? null : spec.resume().remoteRef().metadata();
    this.usageBaseline = meta != null && meta.path(THREAD_USAGE).isObject() ? meta.get(THREAD_USAGE) : null;
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
   * @return the model of the run: {@code model} / {@code ORCH_CODEX_MODEL}, else {@code -m}/{@code --model} in
   *     {@code extra_args} (the last one, as codex reads it), else a {@code -c model=...} override, else null
   */
  String model() {
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

  /**
   * Prepares a run; nothing is started until {@link #launch()}.
   *
   * @param spec the run
   * @param config its configuration
   * @param sink where events go
   * @param threads factory for the reader, stdin, exit and watchdog threads
   * @param onDone called once when the process has exited (after the terminal event, if any, was emitted)
   * @return the run, not started
   */
  public static CodexRun prepare(RunSpec spec, CodexConfig config, EventSink sink, ThreadFactory threads,
      Consumer<CodexRun> onDone) {
    return new CodexRun(spec, config, sink, threads, onDone);
  }

  /**
   * Starts codex: writes the output schema file, spawns the process, reports it to the sink, emits
   * {@code run_started}, writes the prompt to stdin and closes it, and arms the watchdog. Call once.
   *
   * @throws OrchException BACKEND when the schema file cannot be written or the process cannot be started;
   *     nothing was emitted then (the engine records run_failed)
   */
  public void launch() {
    Path schema = null;
    try {
      if (spec.outputSchema() != null) {
        schema = Files.createTempFile("orch-codex-schema-", ".json");
        Files.writeString(schema, JSON.writeValueAsString(spec.outputSchema()));
      }
    } catch (IOException e) {
      deleteQuietly(schema);
      throw new OrchException(OrchException.ErrorCode.BACKEND, "cannot write the codex output schema file: " + e, e);
    }
    String resume = spec.resume() == null ? null : spec.resume().backendSessionId();
    List<String> command = CodexCommand.arguments(config, spec.cwd(), schema, resume);
    Map<String, String> env = new LinkedHashMap<>(config.env());
    env.putAll(spec.environment());
    synchronized (lock) {
      schemaFile = schema;
      try {
        process = CliProcess.start(command, spec.cwd(), env, threads, this::onStdoutLine, this::onExit);
      } catch (IOException e) {
        deleteQuietly(schema);
        ended = true;
        throw new OrchException(OrchException.ErrorCode.BACKEND,
            "cannot start codex (" + config.executable() + "): " + e.getMessage(), e);
      }
      LOG.debug("run {}: started codex pid {}: {}", spec.runId(), process.handle().pid(), command);
      sink.processStarted(process.handle());
      sink.emit(parser.runStarted());
    }
    String stdin = CodexCommand.stdinPrompt(spec.prompt(), spec.systemPrompt());
    Thread writer = threads.newThread(() -> {
      try {
        process.write(stdin);
      } catch (IOException e) {
        LOG.debug("run {}: writing the prompt failed (codex already gone?): {}", spec.runId(), e.toString());
      } finally {
        process.closeStdin();
      }
    });
    writer.setName("codex-stdin-" + process.handle().pid());
    writer.start();
    Thread watchdog = threads.newThread(this::watch);
    watchdog.setName("codex-watchdog-" + process.handle().pid());
    watchdog.start();
  }

  private void onStdoutLine(String line) {
    synchronized (lock) {
      if (ended) {
        return;
      }
      List<RunEvent> events = parser.onLine(line);
      String thread = parser.threadId();
      if (thread != null && !thread.equals(boundThreadId)) {
        boundThreadId = thread;
        sink.bindSession(thread, threadRef(thread, thread.equals(resumedThread()) ? usageBaseline : null));
      }
      for (RunEvent e : events) {
        sink.emit(e);
      }
    }
  }

  private void onExit(int code) {
    boolean first;
    synchronized (lock) {
      deleteQuietly(schemaFile);
      first = !ended;
      if (first) {
        ended = true;
        RunEvent terminal = parser.finish(code, process.stderrTail());
        LOG.debug("run {}: codex exited with {}", spec.runId(), code);
        reportUsage(terminal != null);
        if (terminal != null) {
          sink.emit(terminal);
        }
      }
    }
    onDone.accept(this);
  }

  private String resumedThread() {
    return spec.resume() == null ? null : spec.resume().backendSessionId();
  }

  /**
   * Reports the run's usage (SPEC §12.4) and stores the thread's running total with the session (the baseline of
   * the next resume). Caller holds the lock; the terminal event follows directly when {@code last}.
   */
  private void reportUsage(boolean last) {
    String thread = parser.threadId();
    JsonNode baseline = thread != null && thread.equals(resumedThread())
        ? usageBaseline : null;
    UsageReport report = parser.usageReport(model(), baseline);
    if (report == null || !last) {
      return;
    }
    if (thread != null) {
      sink.bindSession(thread, threadRef(thread, parser.threadUsage()));
    }
    sink.usage(report);
  }

  private void watch() {
    if (process.waitFor(Duration.ofMillis(config.timeoutMs())) || Thread.currentThread().isInterrupted()) {
      return;
    }
    synchronized (lock) {
      if (ended) {
        return;
      }
      ended = true;
    }
    LOG.warn("run {}: codex timed out after {} ms; killing its process tree", spec.runId(), config.timeoutMs());
    process.destroyTree(Duration.ofMillis(Math.max(500, config.cancelGraceMs())));
    process.waitFor(Duration.ofSeconds(5));
    synchronized (lock) {
      RunEvent terminal = parser.timedOut(config.timeoutMs(), process.stderrTail());
      if (terminal != null) {
        sink.emit(terminal);
      }
    }
  }

  /**
   * Stops the run: claims it (no terminal event is emitted by the backend afterwards), sends SIGINT, waits
   * {@code cancel_grace_ms}, then SIGTERM / SIGKILL of the whole process tree (including descendants that were
   * re-parented meanwhile). Returns when the processes are gone (bounded: about {@code 2 × cancel_grace_ms + 2 s}).
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

  /** Kills the run's process tree without emitting anything (backend close). Idempotent. */
  void killSilently() {
    synchronized (lock) {
      ended = true;
    }
    kill(false);
  }

  private void kill(boolean gracefulFirst) {
    CliProcess p = process;
    if (p == null) {
      return;
    }
    List<ProcessHandle> left = gracefulFirst
        ? p.stop(p::interrupt, Duration.ofMillis(config.cancelGraceMs()),
            Duration.ofMillis(Math.max(500, config.cancelGraceMs())))
        : p.stop(null, Duration.ZERO, Duration.ofMillis(1000));
    if (!left.isEmpty()) {
      LOG.warn("run {}: processes {} survived SIGKILL", spec.runId(), left.stream().map(ProcessHandle::pid).toList());
    }
    p.waitFor(Duration.ofSeconds(3));
  }

  /** @return the temporary output schema file of this run (deleted when the process has exited), or null */
  public Path outputSchemaFile() {
    synchronized (lock) {
      return schemaFile;
    }
  }

  /** @return the pid of the codex process, or -1 before it started */
  public long pid() {
    CliProcess p = process;
    return p == null ? -1 : p.handle().pid();
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
