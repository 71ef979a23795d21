package dev.orch.core.internal;

import dev.orch.core.OrchException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the {@code git} command line (SPEC §12.7 worktrees). Hand-written on {@link ProcessBuilder} rather than a
 * library: JGit's worktree support is partial (no {@code git worktree add/remove}), and the user's own git is what
 * created the repository, its hooks and its config. Every call has a timeout; both output streams are drained on
 * their own threads (a full stderr pipe would stall git); a failure becomes an {@link OrchException} carrying git's
 * stderr. Output is bounded ({@value #MAX_OUTPUT} bytes per stream). Locale {@code C}, no terminal prompts, no
 * optional locks (reads never take the index lock of the user's checkout). Thread-safe; stateless.
 */
final class GitCli {
  /** Most bytes kept of one output stream. */
  static final int MAX_OUTPUT = 8 * 1024 * 1024;

  /** The outcome of one git call. */
  record Result(int exitCode, byte[] stdout, String stderr) {
    /** @return stdout as UTF-8 text, trailing newlines removed */
    String text() {
      return new String(stdout, StandardCharsets.UTF_8).stripTrailing();
    }
  }

  private final String executable;

  /** @param executable the git executable (a path, or {@code git} looked up on PATH) */
  GitCli(String executable) {
    this.executable = executable;
  }

  /**
   * Runs git and requires exit code 0.
   *
   * @param dir the directory git runs in ({@code -C dir})
   * @param env extra environment (may be empty)
   * @param timeout longest run time
   * @param args git arguments
   * @return the result (exit code 0)
   * @throws OrchException BACKEND naming the git command and its stderr on a non-zero exit, a timeout, or when git
   *     cannot be started
   */
  Result run(Path dir, Map<String, String> env, Duration timeout, String... args) {
    Result r = call(dir, env, timeout, args);
    if (r.exitCode() != 0) {
      throw new OrchException(OrchException.ErrorCode.BACKEND, "git " + args[0] + " failed (exit " + r.exitCode()
          + "): " + firstLines(r.stderr()));
    }
    return r;
  }

  /**
   * Runs git and returns whatever exit code it had.
   *
   * @throws OrchException BACKEND on a timeout or when git cannot be started
   */
  Result call(Path dir, Map<String, String> env, Duration timeout, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(executable);
    cmd.add("-C");
    cmd.add(dir.toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    Map<String, String> e = pb.environment();
    e.put("LC_ALL", "C");
    e.put("GIT_TERMINAL_PROMPT", "0");
    e.put("GIT_OPTIONAL_LOCKS", "0");
    e.putAll(env);
    Process p;
    try {
      p = pb.start();
    } catch (IOException ex) {
      throw new OrchException(OrchException.ErrorCode.BACKEND,
          "workspace.mode worktree needs the git command line on PATH (" + ex.getMessage() + ")", ex);
    }
    try {
      p.getOutputStream().close();
    } catch (IOException ignored) {
      // git reads no input
    }
    Drain out = new Drain(p.getInputStream());
    Drain err = new Drain(p.getErrorStream());
    out.start();
    err.start();
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        throw new OrchException(OrchException.ErrorCode.BACKEND, "git " + args[0] + " did not finish within "
            + timeout.toSeconds() + " s");
      }
      out.join(timeout.toMillis());
      err.join(timeout.toMillis());
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new OrchException(OrchException.ErrorCode.BACKEND, "interrupted while git " + args[0] + " ran", ex);
    }
    return new Result(p.exitValue(), out.bytes(), new String(err.bytes(), StandardCharsets.UTF_8).strip());
  }

  /** @return at most the first three lines of git's stderr, or a placeholder when it said nothing */
  static String firstLines(String stderr) {
    if (stderr == null || stderr.isBlank()) {
      return "(no message)";
    }
    String[] lines = stderr.strip().split("\n");
    return String.join(" / ", java.util.Arrays.asList(lines).subList(0, Math.min(3, lines.length)));
  }

  /** Reads one stream to its end on a daemon thread, keeping at most {@link #MAX_OUTPUT} bytes. */
  private static final class Drain extends Thread {
    private final InputStream in;
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

    Drain(InputStream in) {
      super("orch-git-drain");
      setDaemon(true);
      this.in = in;
    }

    @Override
    public void run() {
      byte[] chunk = new byte[8192];
      try (in) {
        int n;
        while ((n = in.read(chunk)) >= 0) {
          synchronized (buf) {
            if (buf.size() + n <= MAX_OUTPUT) {
              buf.write(chunk, 0, n);
            }
          }
        }
      } catch (IOException e) {
        // the process went away: keep what was read
      }
    }

    byte[] bytes() {
      synchronized (buf) {
        return buf.toByteArray();
      }
    }
  }
}
