package dev.orch.backend.claude.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orch.core.spi.CliProcess;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One live Claude Code CLI process in bidirectional stream-json mode. It outlives a run when it is parked in the
 * {@link SessionPool}: stdout lines go to whichever run is attached; lines that arrive while no run is attached
 * (between turns) are dropped.
 *
 * <p>{@link #close()} is the official Agent SDK close sequence (REAL-PEERS): end stdin, wait 2 s, SIGTERM, wait
 * 5 s, SIGKILL — applied to the whole process tree as it was before stdin was closed. Thread-safe.
 */
public final class ClaudeProcess {
  private static final Logger LOG = LoggerFactory.getLogger(ClaudeProcess.class);
  /** Wait after ending stdin before SIGTERM. */
  static final Duration STDIN_GRACE = Duration.ofSeconds(2);
  /** Wait after SIGTERM before SIGKILL. */
  static final Duration TERM_GRACE = Duration.ofSeconds(5);

  /** Receives what the process reports; called on the process's stdout / exit threads. */
  public interface Listener {
    /** @param line one stdout line */
    void onLine(String line);

    /**
     * The process ended.
     *
     * @param exitCode its exit code
     * @param stderrTail the last stderr output, trimmed
     */
    void onExit(int exitCode, String stderrTail);
  }

  private final String fingerprint;
  private volatile Listener listener;
  private volatile CliProcess cli;
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private final CompletableFuture<CliProcess> ready = new CompletableFuture<>();
  /** The {@code total_cost_usd} of the last result of this process (its running total), USD. */
  private volatile double reportedCost;

  private ClaudeProcess(String fingerprint, Listener first) {
    this.fingerprint = fingerprint;
    this.listener = first;
  }

  /**
   * Starts the CLI with {@code first} attached and writes the initialize request.
   *
   * @param launch what to start
   * @param threads factory for the reader and exit threads
   * @param first the run that receives the first lines
   * @return the process
   * @throws IOException when the executable cannot be started
   */
  public static ClaudeProcess start(ClaudeLaunch launch, ThreadFactory threads, Listener first) throws IOException {
    ClaudeProcess p = new ClaudeProcess(launch.fingerprint(), first);
    try {
      p.cli = CliProcess.start(launch.command(), launch.cwd(), launch.env(), threads, p::line, p::exited);
    } finally {
      p.ready.complete(p.cli);
    }
    return p;
  }

  private void line(String line) {
    Listener l = listener;
    if (l != null) {
      l.onLine(line);
    } else {
      LOG.trace("claude {} idle, dropping line: {}", pid(), line);
    }
  }

  private void exited(int code) {
    CliProcess c = ready.join(); // the exit thread may win the race with start() assigning cli
    Listener l = listener;
    if (l != null) {
      l.onExit(code, c.stderrTail());
    }
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

  /** @return the fingerprint of the launch (see {@link ClaudeLaunch#fingerprint()}) */
  public String fingerprint() {
    return fingerprint;
  }

  /** Attaches the run that receives the next lines (replacing none). @param l the run */
  public void attach(Listener l) {
    listener = l;
  }

  /** Detaches {@code l} if it is the attached run. */
  public void detach(Listener l) {
    if (listener == l) {
      listener = null;
    }
  }

  /**
   * Writes one JSON line to stdin.
   *
   * @param message the message
   * @throws IOException when stdin is closed or the process is gone
   */
  public void send(JsonNode message) throws IOException {
    cli.write(message.toString() + "\n");
  }

  /** @return the process handle (pid, descendants) */
  public ProcessHandle handle() {
    return cli.handle();
  }

  /** @return the pid */
  public long pid() {
    return cli == null ? -1 : cli.handle().pid();
  }

  /** @return true while the process runs and has not been closed */
  public boolean isAlive() {
    return cli.isAlive() && !closed.isDone();
  }

  /** @return completes with the exit code once the process ended and its streams were drained */
  public CompletableFuture<Integer> onExit() {
    return cli.onExit();
  }

  /**
   * The close sequence: end stdin, wait {@link #STDIN_GRACE}, SIGTERM the tree, wait {@link #TERM_GRACE}, SIGKILL
   * what is left ({@link CliProcess#stop}); descendants recorded before the first step are stopped too if they
   * outlive the CLI. Blocks for at most about 8 s. Idempotent.
   */
  public void close() {
    if (!closed.complete(null)) {
      return;
    }
    List<ProcessHandle> left = cli.stop(cli::closeStdin, STDIN_GRACE, TERM_GRACE);
    if (!left.isEmpty()) {
      LOG.warn("claude {}: processes {} survived SIGKILL", pid(), left.stream().map(ProcessHandle::pid).toList());
    }
  }
}
