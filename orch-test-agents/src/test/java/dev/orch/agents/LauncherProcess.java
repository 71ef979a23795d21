package dev.orch.agents;

import dev.orch.core.testing.Peers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/start-a2a-agent} as a child process: stdout and stderr are collected line by line; {@link #stop()}
 * sends SIGTERM and waits for the exit.
 */
final class LauncherProcess implements AutoCloseable {
  final Process process;
  final List<String> out = new CopyOnWriteArrayList<>();
  final List<String> err = new CopyOnWriteArrayList<>();
  private final Thread outPump;
  private final Thread errPump;

  private LauncherProcess(Process process) {
    this.process = process;
    outPump = pump(new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)), out);
    errPump = pump(new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)), err);
  }

  static LauncherProcess start(List<String> args, Map<String, String> env, Path dir) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Peers.repoRoot().resolve("bin/start-a2a-agent").toString());
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
    pb.environment().putAll(env);
    return new LauncherProcess(pb.start());
  }

  void write(String text) throws IOException {
    OutputStream in = process.getOutputStream();
    in.write(text.getBytes(StandardCharsets.UTF_8));
    in.flush();
  }

  /** @return the text after the first stdout line starting with label, waiting up to the timeout */
  String awaitLine(String label, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (String line : out) {
        if (line.startsWith(label)) {
          return line.substring(label.length()).trim();
        }
      }
      if (!process.isAlive() && out.stream().noneMatch(l -> l.startsWith(label))) {
        break;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no line '" + label + "' on stdout; stdout: " + out + "; stderr: " + err);
  }

  String stdout() {
    return String.join("\n", out);
  }

  /**
   * Sends SIGTERM and waits for the exit and the end of its output.
   *
   * @return the exit code, or -1 when still alive after the timeout
   */
  int stop(Duration timeout) throws InterruptedException {
    // ProcessHandle.destroy sends SIGTERM only; Process.destroy would also close our ends of its stdout / stderr
    process.toHandle().destroy();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      return -1;
    }
    outPump.join(2000);
    errPump.join(2000);
    return process.exitValue();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static Thread pump(BufferedReader r, List<String> sink) {
    Thread t = new Thread(() -> {
      try (r) {
        String line;
        while ((line = r.readLine()) != null) {
          sink.add(line);
        }
      } catch (IOException e) {
        // the process ended
      }
    }, "launcher-pump");
    t.setDaemon(true);
    t.start();
    return t;
  }
}
