package dev.orch.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a quiet server costs (issue 8, "a lean server"): the server's CPU time per second of wall time while it owns
 * {@link Sizes#quietRuns()} live runs that print nothing (the fake codex started with {@code tick 1 600000}: its
 * thread and turn start, then ten silent minutes), beside the same server with no live run, read over
 * {@link Sizes#idleWindowMs()} each from {@code /proc/<pid>/stat} (10 ms ticks). A live run costs the server what
 * it does while waiting: following the agent's output file, scanning for control requests of other processes. The
 * server runs with {@code ORCH_MAX_RUNNING} set to that many runs (its default, 8, would queue the others).
 */
final class IdleCpu {
  private static final String QUIET = "tick 1 600000";
  private final BenchEnv env;
  private final Sizes sizes;
  private final Report report;

  IdleCpu(BenchEnv env, Sizes sizes, Report report) {
    this.env = env;
    this.sizes = sizes;
    this.report = report;
  }

  void measure() throws IOException {
    Path cwd = env.dir("idle-cpu-cwd");
    Map<String, String> serverEnv = new HashMap<>(Server.env(env.dir("idle-cpu-home"), env.fakeCodex()));
    serverEnv.put("ORCH_MAX_RUNNING", Integer.toString(sizes.quietRuns())); // the default cap, 8, would queue some
    try (Server server = Server.start(env.launcher(), serverEnv, env.workDir().resolve("idle-cpu-server.log"))) {
      Flood.sleep(2000); // the start's background work (archive check, first compilations) is done
      double none = cpuPerSecond(server);
      List<String> runs = new ArrayList<>();
      for (int i = 0; i < sizes.quietRuns(); i++) {
        runs.add(server.spawnCodex(cwd, QUIET));
      }
      for (String run : runs) {
        awaitRunning(server, run);
      }
      Flood.sleep(2000); // the runs' start-up work is done
      double quiet = cpuPerSecond(server);
      for (String run : runs) {
        server.call("cancel_run", Server.args().put("run_id", run));
      }
      report.put(Row.IDLE_CPU, new Report.Result(perSecond(quiet), "no live run " + perSecond(none),
          Report.ratio(quiet, none), String.format(Locale.ROOT, "%d live runs printing nothing; %s per run above"
              + " the idle server; CPU time (user + system) of the server over %s each, /proc/<pid>/stat",
              runs.size(), perSecond((quiet - none) / runs.size()), Report.ms(sizes.idleWindowMs()))));
    }
  }

  /** @return the server's CPU time per second of wall time over the window, ms/s */
  private double cpuPerSecond(Server server) {
    long c0 = server.cpuMillis();
    long t0 = System.nanoTime();
    Flood.sleep(sizes.idleWindowMs());
    long c1 = server.cpuMillis();
    return (c1 - c0) / ((System.nanoTime() - t0) / 1e9);
  }

  /** @throws IllegalStateException when the run is not running within 30 s */
  private static void awaitRunning(Server server, String run) {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (true) {
      String status = server.call("get_run", Server.args().put("run_id", run)).path("status").asText();
      if (status.equals("running")) {
        return;
      }
      if (Server.TERMINAL.contains(status) || System.nanoTime() > deadline) {
        throw new IllegalStateException("quiet run " + run + " is " + status + ", not running");
      }
      Flood.sleep(20);
    }
  }

  private static String perSecond(double ms) {
    return String.format(Locale.ROOT, "%.1f ms/s", ms);
  }
}
