package dev.orch.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The start-up figure: wall time from spawning a process to reading its answer to an MCP {@code initialize}
 * request written at once to its stdin, for the real launcher (with and without the start-up archive) and for a
 * bare JVM that answers the same line without any library ({@link Echo}). Starts are interleaved (launcher, bare,
 * launcher, bare…) so that a noisy neighbour hits both alike; outside the smoke mode one start of each is a warm-up.
 */
final class Startup {
  static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
      + "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"orch-bench\","
      + "\"version\":\"1\"}}}";

  /** What a client sends after the initialize answer, and then a tools/list (id 2). */
  static final String READY = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n"
      + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}\n";

  /**
   * One start.
   *
   * @param ms time to the initialize answer
   * @param rss the RSS of the process when it answered initialize, bytes
   * @param readyMs time to the answer of a tools/list sent right after the initialize answer (NaN when not asked)
   */
  record Start(double ms, long rss, double readyMs) {
  }

  private final BenchEnv env;

  Startup(BenchEnv env) {
    this.env = env;
  }

  /** @return the command of the bare JVM baseline */
  List<String> bareJvm() {
    return List.of(env.java(), "-Xshare:auto", "-cp", env.benchClasses().toString(), Echo.class.getName());
  }

  /** @return the command of the launcher */
  List<String> launcher() {
    return List.of(env.launcher().toString());
  }

  /**
   * Starts the commands in turn, {@code warmups + runs} times each (the warm-up rounds are not returned).
   *
   * @param commands name → command
   * @param extraEnv name → environment additions
   * @return name → the counted starts, in order
   */
  Map<String, List<Start>> interleaved(Map<String, List<String>> commands, Map<String, Map<String, String>> extraEnv,
      int warmups, int runs, java.util.Set<String> askReady) {
    Map<String, List<Start>> out = new HashMap<>();
    for (int round = 0; round < warmups + runs; round++) {
      for (Map.Entry<String, List<String>> c : commands.entrySet()) {
        Start s = once(c.getValue(), extraEnv.getOrDefault(c.getKey(), Map.of()), askReady.contains(c.getKey()));
        if (round >= warmups) {
          out.computeIfAbsent(c.getKey(), k -> new ArrayList<>()).add(s);
        }
      }
    }
    return out;
  }

  /**
   * Spawns the command, writes {@link #INITIALIZE}, waits for the first stdout line, reads the RSS, optionally
   * sends {@link #READY} and waits for the tools/list answer, then ends stdin and waits for the exit (killing the
   * process after 10 s).
   *
   * @throws IllegalStateException when the first line is not a JSON-RPC answer
   */
  Start once(List<String> command, Map<String, String> extraEnv, boolean askReady) {
    ProcessBuilder pb = new ProcessBuilder(command).directory(env.workDir().toFile())
        .redirectError(ProcessBuilder.Redirect.appendTo(env.workDir().resolve("startup.stderr.log").toFile()));
    pb.environment().put("NANOBOT_ORCHESTRATOR_HOME", env.workDir().resolve("startup-home").toString());
    pb.environment().putAll(extraEnv);
    long t0 = System.nanoTime();
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
    OutputStream in = p.getOutputStream();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      in.write((INITIALIZE + "\n").getBytes(StandardCharsets.UTF_8));
      in.flush();
      String line = out.readLine();
      double ms = (System.nanoTime() - t0) / 1e6;
      if (line == null || !line.startsWith("{") || !line.contains("\"id\":1")) {
        throw new IllegalStateException("no initialize answer from " + command + " (first line: " + line
            + "); see " + env.workDir().resolve("startup.stderr.log"));
      }
      long rss = Procfs.rss(p.pid());
      double readyMs = Double.NaN;
      if (askReady) {
        in.write(READY.getBytes(StandardCharsets.UTF_8));
        in.flush();
        String next;
        do {
          next = out.readLine();
        } while (next != null && !next.contains("\"id\":2"));
        if (next == null) {
          throw new IllegalStateException("no tools/list answer from " + command + "; see "
              + env.workDir().resolve("startup.stderr.log"));
        }
        readyMs = (System.nanoTime() - t0) / 1e6;
      }
      in.close(); // stdin EOF: the server shuts down
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
      }
      return new Start(ms, rss, readyMs);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } finally {
      if (p.isAlive()) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
      }
    }
  }

  /** @return the times of the starts, ms */
  static List<Double> times(List<Start> starts) {
    return starts.stream().map(Start::ms).toList();
  }

  /** @return the times to the tools/list answer, ms */
  static List<Double> readyTimes(List<Start> starts) {
    return starts.stream().map(Start::readyMs).toList();
  }
}
