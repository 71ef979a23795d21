package dev.orch.soak;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * What clients were told, to hold the disk against it: the runs whose spawn was answered (with their cwd and
 * session), every event a poll returned (seq → type), and the cancels answered {@code cancelled}. Checking it
 * against {@link StoreAudit} counts lost, torn, seq gaps, runs without exactly one end, stranded runs, stale leases
 * and orphaned agents into {@link Figures}. Thread-safe.
 */
final class Ledger {
  /** What a client knows of one run. */
  static final class RunSeen {
    final String runId;
    final Path cwd;
    final String sessionId;
    final Map<Long, String> events = new ConcurrentHashMap<>();
    volatile boolean cancelAnswered;

    RunSeen(String runId, Path cwd, String sessionId) {
      this.runId = runId;
      this.cwd = cwd;
      this.sessionId = sessionId;
    }
  }

  private final Map<String, RunSeen> runs = new ConcurrentHashMap<>();
  private final Set<Path> cwds = ConcurrentHashMap.newKeySet();

  /** Records an answered spawn_run. @return the run's entry */
  RunSeen spawned(JsonNode answer, Path cwd) {
    RunSeen r = new RunSeen(answer.path("run_id").asText(), cwd, answer.path("session_id").asText());
    cwds.add(cwd);
    runs.put(r.runId, r);
    return r;
  }

  /** Records the events of an answered poll_events page. */
  void saw(RunSeen run, JsonNode page) {
    for (JsonNode e : page.path("events")) {
      run.events.put(e.path("seq").asLong(), e.path("type").asText());
    }
  }

  /** Adds a cwd whose runs are audited even when no spawn was answered there. */
  void cwd(Path cwd) {
    cwds.add(cwd);
  }

  Collection<RunSeen> runs() {
    return runs.values();
  }

  /**
   * Holds the disk against what clients saw and counts every broken invariant.
   *
   * @param figures where problems go
   * @param home the server's global home (active-run markers)
   * @param agentScript the fake-codex script (to find agent processes)
   * @param context label for problem descriptions (e.g. {@code cycle 7})
   * @return the disk view of every run of the audited cwds
   */
  Map<String, StoreAudit.RunOnDisk> check(Figures figures, Path home, Path agentScript, String context)
      throws IOException, InterruptedException {
    Map<String, StoreAudit.RunOnDisk> disk = scanAll(home);
    for (RunSeen seen : runs.values()) {
      StoreAudit.RunOnDisk d = disk.get(seen.runId);
      if (d == null) {
        figures.problem(Figures.LOST, context + ": spawn_run answered " + seen.runId + " but it is not on disk");
        continue;
      }
      for (Map.Entry<Long, String> e : seen.events.entrySet()) {
        JsonNode on = d.event(e.getKey());
        if (on == null || !on.path("type").asText().equals(e.getValue())) {
          figures.problem(Figures.LOST, context + ": run " + seen.runId + " event " + e.getKey() + " (" + e.getValue()
              + ") was seen by a client but is " + (on == null ? "not on disk" : on.path("type").asText()));
        }
      }
      if (seen.cancelAnswered && d.terminalEvents() >= 1 && !d.terminalStatus().equals("cancelled")) {
        figures.problem(Figures.LOST, context + ": cancel_run answered cancelled for " + seen.runId
            + " but it ended " + d.terminalStatus());
      }
    }
    Set<String> suspicious = new LinkedHashSet<>();
    for (StoreAudit.RunOnDisk d : disk.values()) {
      if (d.debris()) {
        continue;
      }
      if (d.torn() > 0) {
        figures.problem(Figures.TORN, context + ": run " + d.runId() + " has " + d.torn() + " torn line(s)");
      }
      if (d.seqGaps() > 0) {
        figures.problem(Figures.SEQ_GAPS, context + ": run " + d.runId() + " has " + d.seqGaps() + " seq gap(s)");
      }
      if (d.terminalEvents() > 1) {
        figures.problem(Figures.NOT_ONE_END, context + ": run " + d.runId() + " has " + d.terminalEvents()
            + " terminal events");
      }
      if (!statusOk(d)) {
        suspicious.add(d.runId());
      }
    }
    if (!suspicious.isEmpty()) {
      // a run may end between reading its log and trying its lease: look again before counting
      Thread.sleep(2000);
      Map<String, StoreAudit.RunOnDisk> again = scanAll(home);
      for (String id : suspicious) {
        StoreAudit.RunOnDisk d = again.get(id);
        if (d == null || d.debris() || statusOk(d)) {
          continue;
        }
        if (d.terminalEvents() == 1 && !d.status().equals(d.terminalStatus())) {
          figures.problem(Figures.NOT_ONE_END, context + ": run " + id + " ended " + d.terminalStatus()
              + " in its log but run.json says " + d.status());
        } else if (d.terminalEvents() >= 1) {
          figures.problem(Figures.STALE_LEASES, context + ": run " + id + " is " + d.terminalStatus() + " but "
              + (d.leaseHeld() ? "its lease is held" : "") + (d.leaseHeld() && d.marker() ? " and " : "")
              + (d.marker() ? "its active-run marker is there" : ""));
        } else {
          figures.problem(Figures.STRANDED, context + ": run " + id + " is " + d.status()
              + " on disk and no process holds its lease");
        }
      }
      disk = again;
    }
    checkAgents(figures, disk, agentScript, context);
    return disk;
  }

  /** Orphaned agents: alive, but their run is over on disk (or unknown) — given 5 s to go. */
  private static void checkAgents(Figures figures, Map<String, StoreAudit.RunOnDisk> disk, Path script,
      String context) throws InterruptedException {
    Map<String, StoreAudit.RunOnDisk> bySession = new HashMap<>();
    disk.values().forEach(d -> bySession.put(d.sessionId(), d));
    Predicate<Agents.Agent> orphaned = a -> {
      StoreAudit.RunOnDisk d = bySession.get(a.sessionId());
      return d == null || d.terminalEvents() > 0 || !d.leaseHeld();
    };
    List<Agents.Agent> left = Agents.awaitNoOrphans(script, orphaned, Duration.ofSeconds(5));
    for (Agents.Agent a : left) {
      StoreAudit.RunOnDisk d = bySession.get(a.sessionId());
      figures.problem(Figures.ORPHANED, context + ": agent pid " + a.handle().pid() + " of session "
          + a.sessionId() + " lives but its run " + (d == null ? "is unknown" : d.runId() + " is "
          + (d.terminalEvents() > 0 ? d.terminalStatus() : "owned by nobody")));
      a.handle().destroyForcibly();
    }
  }

  private static boolean statusOk(StoreAudit.RunOnDisk d) {
    if (d.terminalEvents() >= 1) {
      return d.status().equals(d.terminalStatus()) && !d.leaseHeld() && !d.marker();
    }
    return d.leaseHeld();
  }

  private Map<String, StoreAudit.RunOnDisk> scanAll(Path home) throws IOException {
    Map<String, StoreAudit.RunOnDisk> all = new HashMap<>();
    for (Path cwd : cwds) {
      all.putAll(StoreAudit.scan(cwd, home));
    }
    return all;
  }
}
