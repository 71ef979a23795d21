package dev.orch.backend.claude.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.spi.AgentProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One live Claude Code CLI process in bidirectional stream-json mode, run as an {@link AgentProcess} (own process
 * group, stdout to {@code stdout.jsonl}, stdin from a FIFO) so that it can outlive Orch (SPEC §12.8). It outlives a
 * run when it is parked in the {@link SessionPool}: stdout lines go to whichever run is attached, with their byte
 * offsets; lines that arrive while no run is attached (between turns) are dropped. Everything Orch writes to the
 * FIFO is first appended to {@code stdin.jsonl} in the process's directory, so that a re-attached run knows which
 * control requests were answered.
 *
 * <p>{@link #close()} is the official Agent SDK close sequence (REAL-PEERS) adapted to the FIFO: end the input
 * ({@link AgentProcess#closeInput()}), wait 2 s, SIGTERM the group and tree, wait 5 s, SIGKILL. Thread-safe.
 */
public final class ClaudeProcess {
  private static final Logger LOG = LoggerFactory.getLogger(ClaudeProcess.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Wait after ending stdin before SIGTERM. */
  static final Duration STDIN_GRACE = Duration.ofSeconds(2);
  /** Wait after SIGTERM before SIGKILL. */
  static final Duration TERM_GRACE = Duration.ofSeconds(5);
  /** The log of what Orch wrote to the process's stdin, one JSON line per message. */
  public static final String INPUT_LOG = "stdin.jsonl";

  /** Receives what the process reports; called on the process's reader thread. */
  public interface Listener {
    /**
     * @param line one stdout line
     * @param offset its byte offset in the process's {@code stdout.jsonl}
     */
    void onLine(String line, long offset);

    /**
     * The process ended and its output is drained.
     *
     * @param exitCode its exit code, or null when unknown
     * @param stderrTail the last stderr output, trimmed
     * @param endOffset the size of {@code stdout.jsonl}
     */
    void onExit(Integer exitCode, String stderrTail, long endOffset);
  }

  /** The step before the gate opens (see {@link AgentProcess.BeforeStart}). */
  @FunctionalInterface
  public interface Recorder {
    /**
     * @param process the waiting process: {@link #send} works and is the CLI's first input
     * @return true when it is recorded for re-attachment
     * @throws IOException when recording failed
     */
    boolean record(ClaudeProcess process) throws IOException;
  }

  private final String fingerprint;
  private final Path cwd;
  private final Object dispatch = new Object();
  private final Object inputLock = new Object();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private final CompletableFuture<AgentProcess> ready = new CompletableFuture<>();
  private volatile AgentProcess agent;
  private Listener listener;
  private long consumed;
  /** The {@code total_cost_usd} of the last result of this process (its running total), USD. */
  private volatile double reportedCost;

  private ClaudeProcess(String fingerprint, Path cwd, Listener first, long from) {
    this.fingerprint = fingerprint;
    this.cwd = cwd;
    this.listener = first;
    this.consumed = from;
  }

  private final AgentProcess.Listener output = new AgentProcess.Listener() {
    @Override
    public void onLine(String line, long offset, long next) {
      Listener l;
      synchronized (dispatch) {
        l = listener;
        consumed = next;
      }
      if (l != null) {
        l.onLine(line, offset);
      } else {
        LOG.trace("claude {} idle, dropping line: {}", pid(), line);
      }
    }

    @Override
    public void onEnd(Integer exitCode, long endOffset) {
      Listener l;
      synchronized (dispatch) {
        l = listener;
      }
      if (l != null) {
        l.onExit(exitCode, ready.join().stderrTail(), endOffset); // the reader may start before start() returns
      }
    }
  };

  /**
   * Starts the CLI behind its gate with {@code first} attached; {@code recorder} records it and writes its first
   * input before the CLI runs.
   *
   * @param launch what to start
   * @param dir where the process's files go
   * @param threads factory for the reader thread
   * @param first the run that receives the first lines
   * @param recorder records the process and writes the initialize request and the first user message
   * @return the process
   * @throws IOException when the process cannot be started or recorded (the CLI never ran then)
   */
  public static ClaudeProcess start(ClaudeLaunch launch, AgentProcess.Directory dir, ThreadFactory threads,
      Listener first, Recorder recorder) throws IOException {
    ClaudeProcess p = new ClaudeProcess(launch.fingerprint(), launch.cwd(), first, 0);
    Files.createDirectories(dir.path());
    Files.deleteIfExists(dir.path().resolve(INPUT_LOG));
    AgentProcess.Launch l = new AgentProcess.Launch(launch.command(), launch.cwd(), launch.env(), dir.path(),
        dir.temporary(), null);
    try {
      AgentProcess.start(l, threads, p.output, ap -> {
        p.agent = ap;
        p.ready.complete(ap);
        return recorder.record(p);
      });
    } finally {
      p.ready.complete(p.agent);
    }
    return p;
  }

  /**
   * Follows a process another Orch process started (re-attachment), from a byte offset of its output.
   *
   * @param description the {@link AgentProcess#describe()} of the process
   * @param fromOffset where the re-attached run's turn starts in {@code stdout.jsonl}
   * @param cwd the process's working directory
   * @param threads factory for the reader thread
   * @param run the run that receives the lines
   * @return the followed process (it is never parked again: no lifeline ties it to this Orch process)
   * @throws IOException when its files are gone
   */
  public static ClaudeProcess follow(JsonNode description, long fromOffset, Path cwd, ThreadFactory threads,
      Listener run) throws IOException {
    ClaudeProcess p = new ClaudeProcess(null, cwd, run, fromOffset);
    try {
      p.agent = AgentProcess.follow(description, fromOffset, threads, p.output);
    } finally {
      p.ready.complete(p.agent);
    }
    return p;
  }

  /**
   * @return the {@code total_cost_usd} of this process's last result (0 before the first): Claude Code reports the
   *     cost of the whole process, so a run on a pooled process subtracts what earlier runs spent
   */
  public double reportedCost() {
    return reportedCost;
  }

  /** @param totalCostUsd the {@code total_cost_usd} of the latest result */
  public void reportedCost(double totalCostUsd) {
    this.reportedCost = totalCostUsd;
  }

  /** @return the fingerprint of the launch (see {@link ClaudeLaunch#fingerprint()}), or null when followed */
  public String fingerprint() {
    return fingerprint;
  }

  /** @return the process's working directory */
  public Path cwd() {
    return cwd;
  }

  /**
   * Attaches the run that receives the next lines.
   *
   * @param l the run
   * @return the byte offset where the lines delivered to {@code l} start
   */
  public long attach(Listener l) {
    synchronized (dispatch) {
      listener = l;
      return consumed;
    }
  }

  /** Detaches {@code l} if it is the attached run. */
  public void detach(Listener l) {
    synchronized (dispatch) {
      if (listener == l) {
        listener = null;
      }
    }
  }

  /**
   * Writes one JSON line to stdin, after appending it to {@value #INPUT_LOG}.
   *
   * @param message the message
   * @throws IOException when the input is closed, the process is gone, or the log cannot be written
   */
  public void send(JsonNode message) throws IOException {
    String line = message.toString() + "\n";
    synchronized (inputLock) {
      if (!agent.isRunning()) {
        throw new IOException("Claude Code has exited");
      }
      Files.writeString(agent.directory().resolve(INPUT_LOG), line, StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      agent.write(line);
    }
  }

  /** @return the size of {@value #INPUT_LOG} in bytes (0 when missing) */
  public long inputLogSize() {
    try {
      return Files.size(agent.directory().resolve(INPUT_LOG));
    } catch (IOException e) {
      return 0;
    }
  }

  /** @return the request ids of the control responses in {@value #INPUT_LOG} (what Orch already answered) */
  public Set<String> answeredRequestIds() {
    Set<String> ids = new HashSet<>();
    Path log = agent.directory().resolve(INPUT_LOG);
    if (!Files.exists(log)) {
      return ids;
    }
    try (BufferedReader r = Files.newBufferedReader(log, StandardCharsets.UTF_8)) {
      String line;
      while ((line = r.readLine()) != null) {
        try {
          JsonNode n = JSON.readTree(line);
          if (n != null && "control_response".equals(n.path("type").asText())) {
            ids.add(n.path("response").path("request_id").asText());
          }
        } catch (IOException e) {
          LOG.debug("ignoring a torn line of {}", log);
        }
      }
    } catch (IOException e) {
      LOG.warn("cannot read {}: {}", log, e.toString());
    }
    return ids;
  }

  /** @return the wrapper process while it runs, else null */
  public ProcessHandle handle() {
    return agent.handle().orElse(null);
  }

  /** @return the wrapper's pid (its process group) */
  public long pid() {
    AgentProcess a = agent;
    return a == null ? -1 : a.pid();
  }

  /** @return the process's description for a re-attachment record */
  public ObjectNode describe() {
    return agent.describe();
  }

  /** @return true while the process runs and has not been closed */
  public boolean isAlive() {
    return agent.isRunning() && !closed.isDone();
  }

  /** @return true when it may be parked in the pool: this Orch process started it and holds its lifeline */
  public boolean poolable() {
    return agent.startedHere();
  }

  /** Marks it as recorded for re-attachment (busy in a run) or not (idle: it dies with this Orch process). */
  public void outlive(boolean keep) {
    agent.outlive(keep);
  }

  /** @return completes once the process ended and its output was drained */
  public CompletableFuture<Integer> onExit() {
    return agent.onEnd();
  }

  /** Stops following the process and leaves it running (detach, SPEC §12.8). */
  public void leave() {
    agent.detach();
  }

  /**
   * The close sequence: end the input, wait {@link #STDIN_GRACE}, SIGTERM the group and tree, wait
   * {@link #TERM_GRACE}, SIGKILL what is left. Blocks for at most about 8 s. Idempotent.
   */
  public void close() {
    if (!closed.complete(null)) {
      return;
    }
    AgentProcess a = agent;
    List<ProcessHandle> left = a.stop(a::closeInput, STDIN_GRACE, TERM_GRACE);
    if (!left.isEmpty()) {
      LOG.warn("claude {}: processes {} survived SIGKILL", pid(), left.stream().map(ProcessHandle::pid).toList());
    }
  }
}
