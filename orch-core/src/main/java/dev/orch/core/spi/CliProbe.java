package dev.orch.core.spi;

import dev.orch.core.Availability;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Helper for backend authors: checks a CLI by running {@code <executable> --version} (SPEC §12.1 {@code available}:
 * "CLI found and answers {@code --version}"). Not a contract: backends may probe differently.
 *
 * <p>The child gets an empty stdin; stdout (where the version is) and stderr (warnings, errors) are read apart, at most
 * {@value #MAX_OUTPUT} bytes each; a child that does not exit within the timeout is killed with its descendants.
 */
public final class CliProbe {
  /** Most bytes of output kept. */
  static final int MAX_OUTPUT = 4096;
  /** How long the output is still read after the CLI exited, ms. */
  static final long READ_AFTER_EXIT_MS = 200;
  private static final Pattern VERSION = Pattern.compile("(\\d+\\.\\d+(?:\\.\\d+)?(?:[-+][0-9A-Za-z.]+)?)");

  private CliProbe() {
  }

  /**
   * Runs {@code <executable> --version} as a local backend's probe (SPEC §12.1): the child gets the server's
   * {@code PATH} (a CLI that is a script finds its interpreter) plus the backend's configured variables.
   *
   * @param serverEnvironment the server's environment ({@code BackendContext.environment()})
   * @param configEnv the variables the backend's configuration adds to its CLI's environment (win over {@code PATH})
   * @see #version(Path, Map, Duration, ThreadFactory)
   */
  public static ProbeResult versionWithServerPath(Path executable, Map<String, String> serverEnvironment,
      Map<String, String> configEnv, Duration timeout, ThreadFactory threads) {
    Map<String, String> env = new java.util.HashMap<>();
    String path = serverEnvironment.get("PATH");
    if (path != null) {
      env.put("PATH", path);
    }
    env.putAll(configEnv);
    return version(executable, env, timeout, threads);
  }

  /**
   * Runs {@code <executable> --version}.
   *
   * @param executable the resolved executable (absolute path)
   * @param env variables added to the child's environment (e.g. {@code PATH}), may be empty
   * @param timeout longest wait for the child to exit
   * @param threads makes the one thread that reads the child's output
   * @return {@code available} with the version (the first {@code x.y[.z]} token of the first stdout line, else that
   *     line) when the child exits with 0; {@code unavailable} with the exit code and the first stderr (else stdout)
   *     line when it exits otherwise, does not exit in time, or cannot be started. Never throws for a failing CLI.
   */
  public static ProbeResult version(Path executable, Map<String, String> env, Duration timeout,
      ThreadFactory threads) {
    String exe = executable.toString();
    ProcessBuilder pb = new ProcessBuilder(exe, "--version");
    pb.environment().putAll(env);
    long started = System.nanoTime();
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      return ProbeResult.unavailable(exe, "cannot run " + executable.getFileName() + " --version: " + e.getMessage());
    }
    try {
      p.getOutputStream().close();
    } catch (IOException e) {
      // the child may already be gone; its exit code tells
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Thread reader = threads.newThread(() -> drain(p.getInputStream(), out));
    reader.setName("orch-probe-" + executable.getFileName());
    reader.start();
    Thread errReader = threads.newThread(() -> drain(p.getErrorStream(), err));
    errReader.setName("orch-probe-err-" + executable.getFileName());
    errReader.start();
    boolean exited;
    try {
      exited = p.waitFor(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      exited = false;
    }
    if (!exited) {
      kill(p);
      return ProbeResult.unavailable(exe, executable.getFileName() + " --version did not answer within "
          + timeout.toMillis() + " ms");
    }
    try {
      // a child the CLI left behind may hold the pipes open: what was written before the exit is read by now
      reader.join(READ_AFTER_EXIT_MS);
      errReader.join(READ_AFTER_EXIT_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    String stdout = text(out);
    String stderr = text(err);
    long ms = (System.nanoTime() - started) / 1_000_000;
    if (p.exitValue() != 0) {
      String why = firstLine(stderr).isEmpty() ? firstLine(stdout) : firstLine(stderr);
      return ProbeResult.unavailable(exe, executable.getFileName() + " --version exited with " + p.exitValue()
          + (why.isEmpty() ? "" : ": " + why));
    }
    // the version is on stdout; some CLIs print warnings first (codex on stderr about PATH aliases)
    String first = firstLine(stdout).isEmpty() ? firstLine(stderr) : firstLine(stdout);
    Matcher m = VERSION.matcher(first);
    String version = m.find() ? m.group(1) : first.isEmpty() ? null : first;
    return new ProbeResult(Availability.AVAILABLE, version, exe,
        "answers --version in " + ms + " ms" + (first.isEmpty() ? "" : ": " + first));
  }

  private static void drain(InputStream in, ByteArrayOutputStream out) {
    byte[] buf = new byte[1024];
    try (in) {
      int n;
      while ((n = in.read(buf)) >= 0) {
        synchronized (out) {
          if (out.size() < MAX_OUTPUT) {
            out.write(buf, 0, Math.min(n, MAX_OUTPUT - out.size()));
          }
        }
      }
    } catch (IOException e) {
      // the child was killed or closed its output
    }
  }

  private static String text(ByteArrayOutputStream b) {
    synchronized (b) {
      return b.toString(StandardCharsets.UTF_8);
    }
  }

  private static void kill(Process p) {
    List<ProcessHandle> tree = new ArrayList<>();
    p.descendants().forEach(tree::add);
    tree.add(p.toHandle());
    tree.forEach(ProcessHandle::destroyForcibly);
    try {
      p.waitFor(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String firstLine(String text) {
    for (String line : text.split("\n")) {
      String t = line.strip();
      if (!t.isEmpty()) {
        return t.length() > 200 ? t.substring(0, 200) : t;
      }
    }
    return "";
  }
}
