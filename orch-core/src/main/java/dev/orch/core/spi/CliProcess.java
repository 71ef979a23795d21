package dev.orch.core.spi;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A child CLI process for backend authors (REAL-PEERS "Spawning from Java"): one reader thread per output
 * stream, stdout delivered line by line, a bounded stderr tail for error messages, signals to the whole
 * process tree, and a close sequence (SIGTERM, grace, SIGKILL of every descendant).
 *
 * <p>Uses the JDK's {@link ProcessBuilder} rather than commons-exec: we need the {@link ProcessHandle} (pid,
 * descendants) and an stdin we close ourselves, which ProcessBuilder gives directly.
 *
 * <p>Thread-safe. Stdout lines are delivered on one thread in order; {@code onExit} runs after both streams are
 * drained.
 */
public final class CliProcess {
  private static final Logger LOG = LoggerFactory.getLogger(CliProcess.class);
  /** Bytes of stderr kept for error messages. */
  public static final int STDERR_TAIL_BYTES = 8192;

  private final Process process;
  private final String name;
  private final OutputStream stdin;
  private final StringBuilder stderrTail = new StringBuilder();
  private final CompletableFuture<Integer> exit = new CompletableFuture<>();
  private volatile boolean stdinClosed;

  private CliProcess(Process process, String name) {
    this.process = process;
    this.name = name;
    this.stdin = process.getOutputStream();
  }

  /**
   * Starts a process.
   *
   * @param command executable and arguments, passed verbatim (no shell, no quoting issues)
   * @param cwd working directory
   * @param extraEnv variables added to (or replacing in) the inherited environment
   * @param threads factory for the two reader threads and the exit watcher
   * @param onStdoutLine called for each stdout line (without the newline), on the stdout reader thread
   * @param onExit called once with the exit code after both streams reached EOF
   * @return the running process
   * @throws IOException when the executable cannot be started (not found, not executable)
   */
  public static CliProcess start(List<String> command, Path cwd, Map<String, String> extraEnv, ThreadFactory threads,
      Consumer<String> onStdoutLine, Consumer<Integer> onExit) throws IOException {
    Objects.requireNonNull(command, "command");
    ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile());
    pb.environment().putAll(extraEnv);
    Process p = pb.start();
    CliProcess cp = new CliProcess(p, Path.of(command.get(0)).getFileName().toString());
    Thread out = threads.newThread(() -> cp.pumpLines(p.getInputStream(), onStdoutLine));
    out.setName(cp.name + "-stdout-" + p.pid());
    Thread err = threads.newThread(() -> cp.pumpStderr(p.getErrorStream()));
    err.setName(cp.name + "-stderr-" + p.pid());
    out.start();
    err.start();
    Thread waiter = threads.newThread(() -> {
      int code;
      try {
        code = p.waitFor();
        out.join();
        err.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        code = -1;
      }
      cp.exit.complete(code);
      try {
        onExit.accept(code);
      } catch (RuntimeException e) {
        LOG.error("exit handler of {} failed", cp.name, e);
      }
    });
    waiter.setName(cp.name + "-exit-" + p.pid());
    waiter.start();
    return cp;
  }

  private void pumpLines(InputStream in, Consumer<String> onLine) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        try {
          onLine.accept(line);
        } catch (RuntimeException e) {
          LOG.error("stdout handler of {} failed on a line; continuing", name, e);
        }
      }
    } catch (IOException e) {
      LOG.debug("stdout of {} closed: {}", name, e.toString());
    }
  }

  private void pumpStderr(InputStream in) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        LOG.debug("[{} stderr] {}", name, line);
        synchronized (stderrTail) {
          stderrTail.append(line).append('\n');
          if (stderrTail.length() > STDERR_TAIL_BYTES) {
            stderrTail.delete(0, stderrTail.length() - STDERR_TAIL_BYTES);
          }
        }
      }
    } catch (IOException e) {
      LOG.debug("stderr of {} closed: {}", name, e.toString());
    }
  }

  /** @return the process handle (pid, descendants) */
  public ProcessHandle handle() {
    return process.toHandle();
  }

  /** @return the last {@value #STDERR_TAIL_BYTES} characters of stderr, trimmed */
  public String stderrTail() {
    synchronized (stderrTail) {
      return stderrTail.toString().trim();
    }
  }

  /**
   * Writes text to stdin and flushes.
   *
   * @throws IOException when stdin is closed or the process is gone
   */
  public void write(String text) throws IOException {
    synchronized (stdin) {
      stdin.write(text.getBytes(StandardCharsets.UTF_8));
      stdin.flush();
    }
  }

  /** Closes stdin (EOF for the child). Idempotent, never throws. */
  public void closeStdin() {
    synchronized (stdin) {
      if (stdinClosed) {
        return;
      }
      stdinClosed = true;
      try {
        stdin.close();
      } catch (IOException e) {
        LOG.debug("closing stdin of {}: {}", name, e.toString());
      }
    }
  }

  /** @return true while the process runs */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** @return completes with the exit code after the streams are drained */
  public CompletableFuture<Integer> onExit() {
    return exit;
  }

  /**
   * Waits for the exit.
   *
   * @return true when it exited within the timeout
   */
  public boolean waitFor(Duration timeout) {
    try {
      exit.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (java.util.concurrent.TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (java.util.concurrent.ExecutionException e) {
      return true;
    }
  }

  /** Sends SIGINT to the process only (the CLI's own graceful stop). */
  public void interrupt() {
    signal(process.pid(), "INT");
  }

  /**
   * Stops the whole tree: SIGTERM to the process and every descendant, wait up to {@code grace}, then SIGKILL
   * every process of the tree still alive (descendants listed before the first signal, so re-parented ones are
   * not missed). Waits at most about {@code grace + 1 s}.
   */
  public void destroyTree(Duration grace) {
    destroyTree(process.toHandle(), grace);
  }

  /**
   * Stops a process tree as {@link #destroyTree(Duration)} does; usable for processes recorded by an earlier
   * Orch process (reconcile). A process that ended but was not reaped yet (a zombie, e.g. a CLI re-parented to
   * an init that reaps slowly after its Orch process died) counts as gone, so zombies never stretch the waits.
   */
  public static void destroyTree(ProcessHandle root, Duration grace) {
    List<ProcessHandle> tree = new ArrayList<>();
    root.descendants().forEach(tree::add);
    tree.add(0, root);
    for (ProcessHandle h : tree) {
      h.destroy();
    }
    awaitGone(tree, grace);
    for (ProcessHandle h : tree) {
      if (running(h)) {
        h.destroyForcibly();
      }
    }
    if (!awaitGone(tree, Duration.ofSeconds(1))) {
      tree.stream().filter(CliProcess::running)
          .forEach(h -> LOG.warn("process {} did not exit after SIGKILL", h.pid()));
    }
  }

  /** @return true when every process has ended (zombies included), waiting up to {@code timeout} */
  private static boolean awaitGone(List<ProcessHandle> tree, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (tree.stream().anyMatch(CliProcess::running)) {
      if (System.nanoTime() >= deadline) {
        return false;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  /**
   * @return true when the process is alive and not a zombie: the JDK reports an ended but unreaped process as
   *     alive; on Linux its {@code /proc/<pid>/stat} state is {@code Z} (or {@code X} while being reaped)
   */
  static boolean running(ProcessHandle h) {
    if (!h.isAlive()) {
      return false;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(h.pid()), "stat"));
      int close = stat.lastIndexOf(')');
      if (close > 0 && close + 2 < stat.length()) {
        char state = stat.charAt(close + 2);
        return state != 'Z' && state != 'X';
      }
      return true;
    } catch (IOException e) {
      // no /proc (not Linux) or the process just went away
      return h.isAlive();
    }
  }

  /** Sends a named signal (e.g. {@code INT}) with {@code kill}; the JDK offers only TERM and KILL. */
  static void signal(long pid, String sig) {
    try {
      new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(2, TimeUnit.SECONDS);
    } catch (IOException e) {
      LOG.warn("could not send SIG{} to {}: {}", sig, pid, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
