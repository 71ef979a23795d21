package dev.orch.core.spi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local agent CLI that can outlive the Orch process (SPEC §12.8; issue 9 item 3), for backend authors. It runs in
 * its own session and process group ({@code setsid}) under a small {@code /bin/sh} wrapper ({@link AgentWrapper})
 * that writes everything to files in a directory, so that Orch reads the agent by offset rather than by pipe and a
 * later Orch process can follow the same agent ({@link #follow}):
 *
 * <pre>
 * stdout.jsonl  the agent's stdout      stderr.log  its stderr          exit  its exit code (written atomically)
 * stdin.fifo    its stdin (FIFO mode)   agent.pid   its pid             keep  present: it may outlive Orch
 * holder.pid    the FIFO holder         wrapper.log the wrapper's own messages
 * </pre>
 *
 * <p><b>No unrecorded window.</b> {@link #start} starts the wrapper, which first waits on a gate (one line on its
 * stdin); {@link BeforeStart#record} then records the process (pid + start time, e.g. {@link EventSink#processStarted})
 * and the re-attachment data ({@link EventSink#attach}); only then is the gate opened. If Orch dies before that, the
 * wrapper reads EOF and exits without ever starting the agent.
 *
 * <p><b>Stdin.</b> Either a file (e.g. a prompt, then EOF) or a FIFO that Orch writes with {@link #write}: a holder
 * process keeps a writer open so that the agent does not see EOF when Orch dies; {@link #closeInput()} stops the
 * holder and closes Orch's writer, which gives the agent EOF.
 *
 * <p><b>Lifeline.</b> The wrapper's stdin stays open as long as this Orch process lives. When it ends (Orch died,
 * exited, or {@link #detach detached}) and no {@code keep} file is present ({@link #outlive}), the wrapper stops
 * the agent's group: an agent that nobody can re-attach never outlives its Orch.
 *
 * <p><b>Output.</b> One reader thread tails {@code stdout.jsonl} ({@link OutputTail}: complete lines with their byte
 * offsets, read as soon as the directory reports a change, else after 2–20 ms pauses when idle) and reports the end
 * once the exit file exists, or the wrapper and the agent's group are gone, and the file is drained. Exit code: the
 * exit file; else the wrapper's own status when this process is its parent and it exited normally; else
 * {@code null} (unknown: the wrapper was killed).
 *
 * <p>Signals go to the agent ({@link #interrupt()}), the group and the process tree ({@link #stop}). Linux only (it
 * relies on {@code /proc}, {@code setsid}, {@code mkfifo}); without {@code setsid} the agent shares Orch's group and
 * the process tree alone is signalled. Thread-safe. (This class is the whole public surface for backend authors; the
 * wrapper script, the tail reader, the end detection and {@code /proc} live in package-private classes.)
 */
public final class AgentProcess {
  private static final Logger LOG = LoggerFactory.getLogger(AgentProcess.class);
  /** The agent's stdout, one file per process. */
  public static final String STDOUT = "stdout.jsonl";
  /** The agent's stderr. */
  public static final String STDERR = "stderr.log";
  /** The agent's exit code as decimal text, written by the wrapper through {@code exit.tmp} + rename. */
  public static final String EXIT = "exit";
  /** The agent's stdin in FIFO mode. */
  public static final String FIFO = "stdin.fifo";
  /** Marker: the agent is recorded for re-attachment and may outlive Orch. */
  public static final String KEEP = "keep";
  /** Bytes of stderr kept for error messages. */
  public static final int STDERR_TAIL_BYTES = CliProcess.STDERR_TAIL_BYTES;

  /**
   * What to start.
   *
   * @param command the agent's executable and arguments, passed verbatim
   * @param cwd the agent's working directory
   * @param env variables added to (or replacing in) the inherited environment
   * @param directory where the agent's files go (created if needed; earlier files of the same names are replaced)
   * @param temporaryDirectory true to delete {@code directory} once the agent has ended (when the engine keeps no
   *     private run directory)
   * @param stdinFile the file the agent reads as stdin, or null for a FIFO written with {@link #write}
   */
  public record Launch(List<String> command, Path cwd, Map<String, String> env, Path directory,
      boolean temporaryDirectory, Path stdinFile) {
    /** Copies the collections; @throws NullPointerException when command, cwd or directory is null */
    public Launch {
      command = List.copyOf(command);
      Objects.requireNonNull(cwd, "cwd");
      env = env == null ? Map.of() : Map.copyOf(env);
      Objects.requireNonNull(directory, "directory");
    }
  }

  /** Receives the agent's output; called on the reader thread, in order. */
  public interface Listener {
    /**
     * @param line one stdout line without its newline
     * @param offset byte offset of the line's first byte in {@code stdout.jsonl}
     * @param next byte offset where the next line starts
     */
    void onLine(String line, long offset, long next);

    /**
     * The agent has ended and its output is drained. Called once, not after {@link #detach()}.
     *
     * @param exitCode its exit code, or null when it is unknown (the wrapper was killed before recording it)
     * @param endOffset the size of {@code stdout.jsonl}
     */
    void onEnd(Integer exitCode, long endOffset);
  }

  /** The step between starting the wrapper and opening the gate. */
  @FunctionalInterface
  public interface BeforeStart {
    /**
     * Records the process before the agent can run. Throwing aborts the start: the wrapper is killed and the agent
     * never runs.
     *
     * @param process the waiting process ({@link #handle()}, {@link #describe()} are ready; {@link #write} works in
     *     FIFO mode: what is written now is the agent's first input)
     * @return true when the process is recorded for re-attachment and may outlive Orch ({@code keep}); false when
     *     nobody could re-attach it, so it must die with this Orch process
     * @throws IOException when recording failed
     */
    boolean record(AgentProcess process) throws IOException;
  }

  /**
   * Where an agent's files go.
   *
   * @param path the directory
   * @param temporary true when it is a temporary directory to delete once the agent has ended
   */
  public record Directory(Path path, boolean temporary) {
  }

  /**
   * The directory for a run's agent files: the run's private directory ({@link EventSink#privateDirectory()}), or a
   * new temporary directory when the engine keeps none (an agent there cannot be re-attached).
   *
   * @param sink the run's sink
   * @param prefix prefix of a temporary directory's name
   * @return the directory
   * @throws IOException when a temporary directory cannot be created
   * @throws dev.orch.core.OrchException STORE when the run's private directory cannot be created
   */
  public static Directory directoryFor(EventSink sink, String prefix) throws IOException {
    try {
      return new Directory(sink.privateDirectory(), false);
    } catch (dev.orch.core.OrchException e) {
      if (e.code() != dev.orch.core.OrchException.ErrorCode.UNSUPPORTED) {
        throw e;
      }
      return new Directory(Files.createTempDirectory(prefix), true);
    }
  }

  /**
   * Stores a run's re-attachment record through {@link EventSink#attach}.
   *
   * @param sink the run's sink
   * @param attachment the record
   * @return true when it is stored; false when the engine stores none (UNSUPPORTED: the agent then must not outlive
   *     this Orch process)
   * @throws dev.orch.core.OrchException STORE when storing failed (the agent must then not be started)
   */
  public static boolean attach(EventSink sink, ObjectNode attachment) {
    try {
      sink.attach(attachment);
      return true;
    } catch (dev.orch.core.OrchException e) {
      if (e.code() != dev.orch.core.OrchException.ErrorCode.UNSUPPORTED) {
        throw e;
      }
      return false;
    }
  }

  private final Path dir;
  private final Process process;
  private final ProcessRef wrapper;
  private final boolean ownGroup;
  private final boolean temporaryDirectory;
  private final CompletableFuture<Integer> end = new CompletableFuture<>();
  private final Object inputLock = new Object();
  private FileChannel input;
  private volatile OutputStream lifeline;
  private volatile OutputTail tail;
  private final AgentLiveness liveness;

  private AgentProcess(Path dir, Process process, ProcessRef wrapper, boolean ownGroup, boolean temporaryDirectory,
      FileChannel input) {
    this.dir = dir;
    this.process = process;
    this.wrapper = wrapper;
    this.ownGroup = ownGroup;
    this.temporaryDirectory = temporaryDirectory;
    this.input = input;
    this.liveness = new AgentLiveness(dir, process, wrapper, ownGroup);
  }

  /**
   * Starts an agent behind the gate, records it, opens the gate and starts reading its output.
   *
   * @param launch what to start
   * @param threads makes the reader thread
   * @param listener receives the output and the end
   * @param beforeStart records the process before the agent runs
   * @return the running process
   * @throws IOException when the directory or FIFO cannot be prepared, the wrapper cannot be started, or
   *     {@code beforeStart} failed (the agent never ran then)
   */
  public static AgentProcess start(Launch launch, ThreadFactory threads, Listener listener, BeforeStart beforeStart)
      throws IOException {
    Path dir = launch.directory().toAbsolutePath();
    FileChannel input = AgentWrapper.prepare(dir, launch.stdinFile() == null);
    Process p;
    boolean session;
    try {
      p = AgentWrapper.builder(launch, dir).start();
      session = AgentWrapper.awaitSession(p, dir);
    } catch (IOException | RuntimeException e) {
      closeQuietly(input);
      throw e;
    }
    AgentProcess ap = new AgentProcess(dir, p, ProcessRef.of(p.toHandle()), session, launch.temporaryDirectory(),
        input);
    try {
      boolean keep = beforeStart.record(ap);
      ap.outlive(keep);
      OutputStream gate = p.getOutputStream();
      gate.write(AgentWrapper.GO);
      gate.flush();
      ap.lifeline = gate;
    } catch (IOException | RuntimeException | Error e) {
      p.destroyForcibly();
      closeQuietly(input);
      throw e;
    }
    ap.startReading(threads, listener, 0);
    return ap;
  }

  /**
   * Follows an agent another Orch process started (re-attachment): reads its output from {@code fromOffset} and
   * reports its end, as for a started one. Works also when the agent has already ended (the rest of its output and
   * its end are reported at once).
   *
   * @param description what {@link #describe()} returned for it
   * @param fromOffset byte offset in {@code stdout.jsonl} to start at (a line boundary), ≥ 0
   * @param threads makes the reader thread
   * @param listener receives the output and the end
   * @return the followed process
   * @throws IOException when the description is incomplete or the agent's output file is gone
   */
  public static AgentProcess follow(JsonNode description, long fromOffset, ThreadFactory threads, Listener listener)
      throws IOException {
    if (description == null || !description.path("pid").canConvertToLong() || !description.path("dir").isTextual()) {
      throw new IOException("the agent description has no pid or dir");
    }
    Path dir = Path.of(description.get("dir").asText());
    if (!Files.isRegularFile(dir.resolve(STDOUT))) {
      throw new IOException("the agent's output file is gone: " + dir.resolve(STDOUT));
    }
    JsonNode at = description.path("started_at");
    ProcessRef ref = new ProcessRef(description.get("pid").asLong(), at.isTextual() ? Instant.parse(at.asText()) : null);
    FileChannel input = null;
    if (description.path("fifo").asBoolean(false) && Files.exists(dir.resolve(FIFO))) {
      // O_RDWR: never blocks on a FIFO (a write-only open would wait for a reader)
      input = FileChannel.open(dir.resolve(FIFO), StandardOpenOption.READ, StandardOpenOption.WRITE);
    }
    AgentProcess ap = new AgentProcess(dir, null, ref, description.path("group").asBoolean(false), false, input);
    ap.startReading(threads, listener, Math.max(0, fromOffset));
    return ap;
  }

  private void startReading(ThreadFactory threads, Listener listener, long from) {
    OutputTail t = new OutputTail(dir.resolve(STDOUT), from, liveness::hasEnded, new OutputTail.Sink() {
      @Override
      public void line(String line, long offset, long next) {
        listener.onLine(line, offset, next);
      }

      @Override
      public void end(long endOffset) {
        ended(listener, endOffset);
      }
    });
    tail = t;
    Thread reader = threads.newThread(t);
    reader.setName("agent-output-" + wrapper.pid());
    reader.start();
    if (process != null) {
      process.onExit().thenRun(t::changed); // a killed wrapper writes no exit file that the watch would see
    }
  }

  private void ended(Listener listener, long endOffset) {
    Integer code = liveness.exitCode();
    closeQuietly(lifeline);
    synchronized (inputLock) {
      closeQuietly(input);
      input = null;
    }
    end.complete(code);
    try {
      listener.onEnd(code, endOffset);
    } catch (RuntimeException e) {
      LOG.error("the end handler of agent {} failed", wrapper.pid(), e);
    }
    if (temporaryDirectory) {
      AgentWrapper.deleteTree(dir);
    }
  }

  /** @return what a later Orch process needs to {@link #follow} this agent: {pid, started_at, dir, group, fifo} */
  public ObjectNode describe() {
    ObjectNode d = JsonNodeFactory.instance.objectNode();
    d.put("pid", wrapper.pid());
    if (wrapper.startedAt() == null) {
      d.putNull("started_at");
    } else {
      d.put("started_at", wrapper.startedAt().toString());
    }
    d.put("dir", dir.toString());
    d.put("group", ownGroup);
    synchronized (inputLock) {
      d.put("fifo", input != null || Files.exists(dir.resolve(FIFO)));
    }
    return d;
  }

  /** @return the wrapper's pid (= the process group id when it has its own group) */
  public long pid() {
    return wrapper.pid();
  }

  /** @return the wrapper process while it runs */
  public Optional<ProcessHandle> handle() {
    if (process != null) {
      return process.isAlive() ? Optional.of(process.toHandle()) : Optional.empty();
    }
    return wrapper.live();
  }

  /** @return the directory of the agent's files */
  public Path directory() {
    return dir;
  }

  /** @return true when this Orch process started the agent (and is its parent, holding its lifeline) */
  public boolean startedHere() {
    return process != null;
  }

  /** @return true until the agent's end has been reported */
  public boolean isRunning() {
    return !end.isDone();
  }

  /** @return completes with the exit code (null when unknown) after the output is drained */
  public CompletableFuture<Integer> onEnd() {
    return end;
  }

  /** @return true when the end was reported within the timeout */
  public boolean waitFor(Duration timeout) {
    return CliProcess.awaitDone(end, timeout);
  }

  /** @return the last {@value #STDERR_TAIL_BYTES} bytes of the agent's stderr, trimmed */
  public String stderrTail() {
    return AgentWrapper.tail(dir.resolve(STDERR), STDERR_TAIL_BYTES);
  }

  /**
   * Marks the agent as recorded for re-attachment ({@code keep}: it survives the end of this Orch process) or not
   * (it is stopped when this Orch process ends, e.g. an idle pooled process).
   *
   * @param keep the new state
   */
  public void outlive(boolean keep) {
    AgentWrapper.marker(dir.resolve(KEEP), keep);
  }

  /**
   * Writes to the agent's stdin FIFO.
   *
   * @param text the text (UTF-8)
   * @throws IOException in file mode, after {@link #closeInput()}, once the agent has ended, or when the write fails
   */
  public void write(String text) throws IOException {
    synchronized (inputLock) {
      if (input == null) {
        throw new IOException("the agent's input is closed");
      }
      if (end.isDone()) {
        throw new IOException("the agent has ended");
      }
      ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
      while (b.hasRemaining()) {
        input.write(b);
      }
    }
  }

  /** Gives the agent EOF on its stdin FIFO: stops the holder and closes this process's writer. Idempotent. */
  public void closeInput() {
    long holder = liveness.verifiedPid(AgentWrapper.HOLDER_PID);
    if (holder > 0) {
      ProcessHandle.of(holder).ifPresent(ProcessHandle::destroy);
    }
    synchronized (inputLock) {
      closeQuietly(input);
      input = null;
    }
  }

  /** Sends SIGINT to the agent itself (a CLI's graceful stop); does nothing once it has ended. */
  public void interrupt() {
    long agent = liveness.verifiedPid(AgentWrapper.AGENT_PID);
    if (agent > 0) {
      CliProcess.signal(agent, "INT");
    }
  }

  /**
   * Stops the agent gently first, then everything it started, like {@link CliProcess#stop}: {@code gentle} (e.g.
   * {@link #interrupt()} or {@link #closeInput()}), up to {@code gentleWait} for the end, then SIGTERM to the process
   * group ({@code kill -TERM -- -<pgid>}) and to the process tree as listed before and after the gentle step, up to
   * {@code grace}, then SIGKILL to what is left (and to the group). The
   * wrapper ignores SIGTERM until the agent has exited, so the exit code is still recorded. Blocks at most about
   * {@code gentleWait + grace + 1 s}.
   *
   * @param gentle the first step, or null
   * @param gentleWait how long the agent gets after {@code gentle}
   * @param grace time between SIGTERM and SIGKILL
   * @return the processes still running at the end (normally empty)
   */
  public List<ProcessHandle> stop(Runnable gentle, Duration gentleWait, Duration grace) {
    List<ProcessHandle> all = tree();
    if (gentle != null && isRunning()) {
      gentle.run();
      waitFor(gentleWait);
    }
    all.addAll(tree());
    if (ownGroup && !ProcessGroups.members(wrapper.pid()).isEmpty()) {
      ProcessGroups.signal(wrapper.pid(), "TERM"); // also reaches what forks between the listing and the signals
    }
    List<ProcessHandle> left = CliProcess.destroyAll(all, grace);
    if (ownGroup && !ProcessGroups.members(wrapper.pid()).isEmpty()) {
      ProcessGroups.signal(wrapper.pid(), "KILL");
      left = new ArrayList<>(left);
      left.addAll(ProcessGroups.members(wrapper.pid()));
    }
    return left.stream().filter(CliProcess::isRunning).distinct().toList();
  }

  /** @return the wrapper, its descendants and the members of its process group, as they are now */
  public List<ProcessHandle> tree() {
    List<ProcessHandle> t = new ArrayList<>();
    handle().ifPresent(h -> t.addAll(CliProcess.tree(h)));
    if (ownGroup) {
      t.addAll(ProcessGroups.members(wrapper.pid()));
    }
    return t;
  }

  /**
   * Stops following the agent and leaves it running (SPEC §12.8 detach): the reader stops without reporting an end,
   * this process's FIFO writer and lifeline are closed (with {@code keep} present the agent goes on). A line being
   * delivered while this is called may still reach the listener. Idempotent.
   */
  public void detach() {
    OutputTail t = tail;
    if (t != null) {
      t.stop();
    }
    closeQuietly(lifeline);
    synchronized (inputLock) {
      closeQuietly(input);
      input = null;
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      LOG.debug("closing {}: {}", c, e.toString());
    }
  }
}
