package dev.orch.tck;

import dev.orch.core.EventPage;
import dev.orch.core.EventType;
import dev.orch.core.NormalizedEvent;
import dev.orch.core.Orchestrator;
import dev.orch.core.Role;
import dev.orch.core.RunId;
import dev.orch.core.RunRef;
import dev.orch.core.SessionId;
import dev.orch.core.SessionMode;
import dev.orch.core.SpawnRequest;
import dev.orch.core.SpawnResult;
import dev.orch.core.Timestamps;
import dev.orch.core.spi.EventLog;
import dev.orch.core.spi.RunRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Prints the engine's speed figures with ratios against baselines measured in the same run (not a test):
 * <ol>
 *   <li>event throughput: N events through the whole pipeline (sanitize → persist with fsync → apply → publish)
 *       vs. the baseline of N raw appends to the same store's event log (the fsync floor);</li>
 *   <li>long-poll wake latency: time from an event's timestamp to the waiting poll's return, for a run of this
 *       process (monitor wake-up) vs. a run owned by another Orchestrator (event log watched on disk).</li>
 * </ol>
 * Run with {@code bin/orch-bench}.
 */
public final class EngineBenchmark {
  private EngineBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    Path cwd = Files.createTempDirectory("orch-bench-cwd");
    Path home = Files.createTempDirectory("orch-bench-home");
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("NANOBOT_ORCHESTRATOR_HOME", home.toString());
    ScriptedBackend backend = new ScriptedBackend();
    try (Orchestrator orch = Orchestrator.builder().backend(backend).environment(env).build()) {
      // warm-up
      runEvents(orch, cwd, 200);
      // alternate pipeline and baseline rounds so disk noise hits both alike; report medians
      List<Double> pipeline = new ArrayList<>();
      List<Double> raw = new ArrayList<>();
      for (int round = 0; round < 5; round++) {
        pipeline.add(runEvents(orch, cwd, events));
        raw.add(rawAppends(env, cwd, events));
      }
      Collections.sort(pipeline);
      Collections.sort(raw);
      double p = pipeline.get(2);
      double b = raw.get(2);
      System.out.printf("event throughput, %d events x 5 rounds (medians): pipeline %.0f events/s, raw fsync'd"
          + " append %.0f events/s, pipeline/raw = %.2f (per event: pipeline %.2f ms, raw %.2f ms)%n", events, p, b,
          p / b, 1000 / p, 1000 / b);

      List<Long> live = wakeLatencies(orch, orch, cwd, 40);
      try (Orchestrator other = Orchestrator.builder().backend(new ScriptedBackend()).environment(env).build()) {
        List<Long> disk = wakeLatencies(orch, other, cwd, 40);
        System.out.printf("poll wake latency (event ts → poll return), 40 events: same process median %d ms"
            + " p90 %d ms; other process (disk watch) median %d ms p90 %d ms; disk/live median ratio %.1f%n",
            pct(live, 50), pct(live, 90), pct(disk, 50), pct(disk, 90),
            (double) Math.max(1, pct(disk, 50)) / Math.max(1, pct(live, 50)));
      }
    }
  }

  private static double runEvents(Orchestrator orch, Path cwd, int n) {
    long t0 = System.nanoTime();
    SpawnResult r = orch.spawn(SpawnRequest.builder("scripted", Role.WORKER, cwd.toString(), SessionMode.NEW)
        .prompt("events:" + n).build());
    long after = 0;
    while (true) {
      EventPage page = orch.poll(RunRef.of(r.runId()), after, 1000, Duration.ofSeconds(10));
      after = page.nextAfterSeq();
      if (page.status().isTerminal() && page.events().isEmpty()) {
        break;
      }
    }
    return (n + 2) / ((System.nanoTime() - t0) / 1e9);
  }

  @SuppressWarnings("try") // the lease is held (not used) while appending, as the engine does
  private static double rawAppends(Map<String, String> env, Path cwd, int n) {
    var store = java.util.ServiceLoader.load(dev.orch.core.spi.RunStoreProvider.class).findFirst().orElseThrow()
        .open(env);
    var now = Timestamps.now(Clock.systemUTC());
    RunRecord rec = new RunRecord(RunId.random(), "bench", Role.WORKER, SessionId.random(), "raw",
        dev.orch.core.RunStatus.RUNNING, cwd, "raw", null, null, null, now, now, null, 0, "", null, null, null,
        null, null, null, null);
    try (var lease = store.createRun(rec); EventLog log = store.openEventLog(rec)) {
      var data = dev.orch.core.RunEvent.Activity.agentMessage("x").toData();
      long t0 = System.nanoTime();
      for (int i = 1; i <= n; i++) {
        log.append(new NormalizedEvent(i, now, rec.runId(), rec.sessionId(), "bench", EventType.AGENT_MESSAGE,
            data));
      }
      return n / ((System.nanoTime() - t0) / 1e9);
    } finally {
      store.close();
    }
  }

  private static List<Long> wakeLatencies(Orchestrator owner, Orchestrator reader, Path cwd, int ticks) {
    SpawnResult r = owner.spawn(SpawnRequest.builder("scripted", Role.WORKER, cwd.toString(), SessionMode.NEW)
        .prompt("tick:" + ticks).build());
    List<Long> out = new ArrayList<>();
    long after = 0;
    while (true) {
      EventPage page = reader.poll(RunRef.of(r.runId()), after, 1, Duration.ofSeconds(10));
      long now = System.currentTimeMillis();
      if (!page.events().isEmpty()) {
        NormalizedEvent e = page.events().get(0);
        if (e.type() == EventType.AGENT_MESSAGE) {
          out.add(now - e.ts().toEpochMilli());
        }
        after = page.nextAfterSeq();
      } else if (page.status().isTerminal()) {
        break;
      }
    }
    return out;
  }

  private static long pct(List<Long> values, int p) {
    List<Long> s = new ArrayList<>(values);
    Collections.sort(s);
    return s.isEmpty() ? -1 : s.get(Math.min(s.size() - 1, s.size() * p / 100));
  }
}
