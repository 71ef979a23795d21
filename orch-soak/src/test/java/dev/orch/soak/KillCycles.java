package dev.orch.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Issue 9 item 6 (a): kill -9 cycles of a real {@code bin/orch-mcp} while runs of the scripted fake codex are live.
 * Each cycle starts a server, checks every run so far against what clients saw (see {@link Ledger#check}: nothing
 * lost, no torn line, no seq gap, every settled run with exactly one terminal event and run.json agreeing, no stale
 * lease or marker, no run left non-terminal without an owner, no agent alive without a live run), asks the server
 * for every run (each get_run must be answered), spawns a few runs in two cwds, follows them with poll_events (and
 * cancels one now and then), and kills the server with SIGKILL at a random moment — sometimes while spawns are in
 * flight. After the last cycle a final server checks once more and is stopped with stdin EOF; then every run must be
 * settled.
 *
 * <p>Agents whose run is gone count as orphaned. On a server whose agents die with it (their stdout pipe is gone)
 * that means "killed or dead within 5 s"; a server that re-attaches agents after a restart keeps them running with
 * a live run, which the same check accepts.
 */
final class KillCycles {
  /**
   * @param cycles kill -9 cycles
   * @param runsPerCycle runs spawned per cycle
   * @param seed random seed (kill moments, run lengths, cwds)
   * @param onExit value of ORCH_ON_EXIT for the servers, or null for the default
   */
  record Options(int cycles, int runsPerCycle, long seed, String onExit) {
  }

  private static final Duration ANSWER = Duration.ofSeconds(30);

  private KillCycles() {
  }

  /** Runs the cycles in that place; @return the figures */
  static Figures run(SoakEnv env, Options o) throws Exception {
    Figures f = new Figures("kill -9 cycles (" + o.cycles() + ")");
    Random random = new Random(o.seed());
    Ledger ledger = new Ledger();
    List<Path> cwds = List.of(env.cwd("a"), env.cwd("b"));
    cwds.forEach(ledger::cwd);
    Map<String, String> serverEnv = env.serverEnv();
    if (o.onExit() != null) {
      serverEnv.put("ORCH_ON_EXIT", o.onExit());
    }
    f.note("seed " + o.seed());
    for (int cycle = 1; cycle <= o.cycles(); cycle++) {
      String ctx = "cycle " + cycle;
      ServerProcess server = start(env, serverEnv, "cycle-" + cycle);
      try {
        checkAll(server, ledger, f, env, ctx);
        live(server, ledger, f, cwds, random, o.runsPerCycle());
      } finally {
        server.kill9();
      }
      f.count("kill -9", 1);
    }
    ServerProcess last = start(env, serverEnv, "final");
    checkAll(last, ledger, f, env, "after the last kill");
    long exitMs = last.closeStdinAndAwaitExit(Duration.ofSeconds(10));
    if (exitMs < 0) {
      f.problem(Figures.UNANSWERED, "the final server did not exit within 10 s of stdin EOF");
      last.kill9();
    }
    Map<String, StoreAudit.RunOnDisk> disk = ledger.check(f, env.home, env.fakeCodex, "after the final EOF");
    f.count("run dirs left before run.json (spawn unanswered)",
        disk.values().stream().filter(StoreAudit.RunOnDisk::debris).count());
    for (StoreAudit.RunOnDisk d : disk.values()) {
      if (!d.settled() && !d.debris()) {
        f.problem(Figures.STRANDED, "after the final EOF: run " + d.runId() + " is " + d.status() + " with "
            + d.terminalEvents() + " terminal event(s)");
      }
    }
    f.count("runs", disk.size());
    f.count("events on disk", disk.values().stream().mapToLong(d -> d.events().size()).sum());
    f.count("events seen by clients", ledger.runs().stream().mapToLong(r -> r.events.size()).sum());
    f.count("runs ended by host_lost", disk.values().stream().filter(d -> d.events().stream()
        .anyMatch(e -> "host_lost".equals(e.path("data").path("reason").asText()))).count());
    return f;
  }

  private static ServerProcess start(SoakEnv env, Map<String, String> serverEnv, String name) throws Exception {
    ServerProcess s = ServerProcess.start(env.serverCommand(), serverEnv, env.logFile(name), false);
    try {
      s.initialize(Duration.ofSeconds(60));
      // the kill moment is drawn from when tools are served, not from the early initialize answer: on a slow
      // machine building the engine took longer than the whole 0.3-2.5 s window and no cycle had a live run
      s.awaitServing(Duration.ofSeconds(60));
    } catch (TimeoutException | IOException e) {
      s.kill9();
      throw new IllegalStateException("the server did not start: " + e.getMessage() + "\n" + s.stderrTail(), e);
    }
    return s;
  }

  /** After a restart: the disk is checked, and every run known so far must be answered by the new server. */
  private static void checkAll(ServerProcess server, Ledger ledger, Figures f, SoakEnv env, String ctx)
      throws Exception {
    ledger.check(f, env.home, env.fakeCodex, ctx);
    for (Ledger.RunSeen r : ledger.runs()) {
      try {
        ToolAnswer a = server.call("get_run", ServerProcess.JSON.createObjectNode().put("run_id", r.runId), ANSWER);
        f.count("calls", 1);
        f.latency(a.nanos());
        if (a.error()) {
          f.problem(Figures.LOST, ctx + ": get_run " + r.runId + " answered " + a.text());
        }
      } catch (TimeoutException e) {
        f.problem(Figures.UNANSWERED, ctx + ": get_run " + r.runId + " was not answered within " + ANSWER);
      }
    }
  }

  /** Spawns runs, follows them and returns at a random moment (the caller kills the server). */
  private static void live(ServerProcess server, Ledger ledger, Figures f, List<Path> cwds, Random random,
      int runs) throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    // a third of the cycles end while spawns are still being answered (the window between starting an agent and
    // recording it), the rest after 0.3-2.5 s of live runs
    boolean early = random.nextInt(3) == 0;
    long killAfterMs = early ? random.nextInt(150) : 300 + random.nextInt(2200);
    int cancelAt = random.nextInt(4) == 0 ? random.nextInt(runs) : -1;
    long cycleStart = System.nanoTime();
    Thread spawner = new Thread(() -> {
      for (int i = 0; i < runs && !stop.get(); i++) {
        Path cwd = cwds.get(random.nextInt(cwds.size()));
        int steps = 5 + random.nextInt(40);
        String delay = "0.0" + (2 + random.nextInt(7));
        ObjectNode args = ServerProcess.JSON.createObjectNode().put("backend", "codex").put("role", "worker")
            .put("cwd", cwd.toString()).put("session_mode", "new")
            .put("prompt", "steps=" + steps + " delay=" + delay);
        try {
          ToolAnswer a = server.call("spawn_run", args, ANSWER);
          f.count("calls", 1);
          f.latency(a.nanos());
          Ledger.RunSeen seen = ledger.spawned(a.ok(), cwd);
          f.count("spawns answered", 1);
          boolean cancel = i == cancelAt;
          Thread follower = new Thread(() -> follow(server, ledger, seen, f, stop, cancel), "follow-" + seen.runId);
          follower.setDaemon(true);
          follower.start();
          synchronized (threads) {
            threads.add(follower);
          }
        } catch (IOException | TimeoutException | InterruptedException e) {
          return; // the server was killed
        }
      }
    }, "spawner");
    spawner.setDaemon(true);
    spawner.start();
    long left = killAfterMs - (System.nanoTime() - cycleStart) / 1_000_000;
    if (left > 0) {
      Thread.sleep(left);
    }
    stop.set(true);
    spawner.join(100);
    synchronized (threads) {
      threads.forEach(t -> {
        try {
          t.join(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
    }
  }

  /**
   * Polls one run (limit 20, no server-side wait: 50 ms pauses when nothing is new, so latencies are service times)
   * until it is terminal and drained, or the server goes away.
   */
  private static void follow(ServerProcess server, Ledger ledger, Ledger.RunSeen run, Figures f, AtomicBoolean stop,
      boolean cancel) {
    long after = 0;
    int polls = 0;
    try {
      while (!stop.get()) {
        ToolAnswer a = server.call("poll_events", ServerProcess.JSON.createObjectNode().put("run_id", run.runId)
            .put("after_seq", after).put("limit", 20).put("wait_ms", 0), ANSWER);
        f.count("calls", 1);
        f.latency(a.nanos());
        if (a.error()) {
          f.problem(Figures.LOST, "poll_events of the live run " + run.runId + " answered " + a.text());
          return;
        }
        JsonNode page = a.payload();
        ledger.saw(run, page);
        after = page.path("next_after_seq").asLong();
        if (page.path("events").isEmpty()) {
          if (StoreAudit.TERMINAL.contains(page.path("status").asText())) {
            return;
          }
          Thread.sleep(50);
        }
        if (cancel && ++polls == 2) {
          ToolAnswer c = server.call("cancel_run", ServerProcess.JSON.createObjectNode().put("run_id", run.runId),
              ANSWER);
          f.count("calls", 1);
          f.count("cancels", 1);
          if (!c.error() && "cancelled".equals(c.payload().path("status").asText())) {
            run.cancelAnswered = true;
          }
        }
      }
    } catch (TimeoutException e) {
      if (!stop.get()) {
        f.problem(Figures.UNANSWERED, "poll_events " + run.runId + ": " + e.getMessage());
      }
    } catch (IOException | InterruptedException e) {
      // the server was killed under this call: the answer is lost with it, which is not a server fault
    }
  }
}
