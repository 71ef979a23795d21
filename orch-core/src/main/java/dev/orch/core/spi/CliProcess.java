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
import java.util.Collection;
import java.util.LinkedHashMap;
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
    return awaitDone(exit, timeout);
  }

  /**
   * @return true when the future completed (normally or not) within the timeout; false on timeout or interrupt
   *     (the interrupt flag is kept)
   */
  static boolean awaitDone(java.util.concurrent.Future<?> future, Duration timeout) {
    try {
      future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
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

  /** Sends SIGINT to the process only (the CLI's own graceful stop); does nothing once it has exited. */
  public void interrupt() {
    if (process.isAlive()) {
      signal(process.pid(), "INT");
    }
  }

  /**
   * Stops the whole tree: SIGTERM to the process and every descendant, wait up to {@code grace}, then SIGKILL
   * every process of the tree still running (descendants listed before the first signal, so re-parented ones are
   * not missed). Waits at most about {@code grace + 1 s}; see {@link #destroyAll}.
   *
   * @param grace time between SIGTERM and SIGKILL, not negative
   */
  public void destroyTree(Duration grace) {
    destroyTree(process.toHandle(), grace);
  }

  /**
   * Stops a process tree as {@link #destroyTree(Duration)} does; usable for processes recorded by an earlier
   * Orch process (reconcile, SPEC §10). Survivors of SIGKILL are logged.
   *
   * @param root the process whose tree is stopped (may have exited already)
   * @param grace time between SIGTERM and SIGKILL, not negative
   */
  public static void destroyTree(ProcessHandle root, Duration grace) {
    List<ProcessHandle> left = destroyAll(tree(root), grace);
    if (!left.isEmpty()) {
      LOG.warn("processes {} did not exit after SIGKILL", left.stream().map(ProcessHandle::pid).toList());
    }
  }

  /**
   * Stops the process gently first, then its whole tree (REAL-PEERS "Spawning from Java": kill the whole tree):
   * lists the tree, runs {@code gentle} while the process is alive (e.g. {@link #closeStdin()} for a CLI that
   * ends on EOF, or {@link #interrupt()}), waits up to {@code gentleWait} for the process to exit, then
   * {@link #destroyAll} on the tree as it was before the gentle step together with the descendants it has now —
   * so that children re-parented when their parent exited, and children started meanwhile, are stopped too.
   * Blocks at most about {@code gentleWait + grace + 1 s}.
   *
   * @param gentle the first step, or null for none (then {@code gentleWait} is not waited)
   * @param gentleWait how long the process gets to exit after {@code gentle}, not negative
   * @param grace time between SIGTERM and SIGKILL of what is left, not negative
   * @return the processes still running at the end (normally empty)
   */
  public List<ProcessHandle> stop(Runnable gentle, Duration gentleWait, Duration grace) {
    List<ProcessHandle> all = tree();
    if (gentle != null && process.isAlive()) {
      gentle.run();
      waitFor(gentleWait);
    }
    all.addAll(tree());
    return destroyAll(all, grace);
  }

  /**
   * @return this process and its current descendants, root first (a snapshot: a descendant stays listed after it
   *     was re-parented, so it can still be stopped)
   */
  public List<ProcessHandle> tree() {
    return tree(process.toHandle());
  }

  /**
   * @param root a process
   * @return the process and all its current descendants, root first; a mutable list
   */
  public static List<ProcessHandle> tree(ProcessHandle root) {
    List<ProcessHandle> tree = new ArrayList<>();
    tree.add(root);
    root.descendants().forEach(tree::add);
    return tree;
  }

  /**
   * Kills a set of processes: SIGTERM to every running one, wait up to {@code grace} until all are gone, SIGKILL
   * the rest and wait up to 1 s more. A process that died but is not yet reaped (a zombie re-parented to an init
   * that reaps slowly) counts as gone (see {@link #isRunning}), so zombies do not stretch the waits. Bounded:
   * returns after at most about {@code grace + 1 s}.
   *
   * @param processes the processes (duplicates allowed, order kept for the signals)
   * @param grace time between SIGTERM and SIGKILL, not negative
   * @return the processes still running at the end (normally empty)
   */
  public static List<ProcessHandle> destroyAll(Collection<ProcessHandle> processes, Duration grace) {
    Map<Long, ProcessHandle> live = new LinkedHashMap<>();
    for (ProcessHandle h : processes) {
      if (isRunning(h)) {
        live.putIfAbsent(h.pid(), h);
      }
    }
    live.values().forEach(ProcessHandle::destroy);
    if (!awaitGone(live.values(), grace)) {
      live.values().stream().filter(CliProcess::isRunning).forEach(ProcessHandle::destroyForcibly);
      awaitGone(live.values(), Duration.ofSeconds(1));
    }
    return live.values().stream().filter(CliProcess::isRunning).toList();
  }

  private static boolean awaitGone(Collection<ProcessHandle> handles, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (handles.stream().anyMatch(CliProcess::isRunning)) {
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
   * @param h a process
   * @return true when the process is alive and, on Linux, not a zombie ({@code /proc/<pid>/stat} state Z or X):
   *     a zombie has exited and only waits to be reaped by its parent
   */
  public static boolean isRunning(ProcessHandle h) {
    if (!h.isAlive()) {
      return false;
    }
    Path stat = Path.of("/proc", Long.toString(h.pid()), "stat");
    try {
      String s = Files.readString(stat);
      int close = s.lastIndexOf(')');
      if (close > 0 && close + 2 < s.length()) {
        char state = s.charAt(close + 2);
        return state != 'Z' && state != 'X';
      }
      return true;
    } catch (IOException e) {
      return h.isAlive(); // no procfs (not Linux), or the process went away meanwhile
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
