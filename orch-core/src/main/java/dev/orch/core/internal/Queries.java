package dev.orch.core.internal;

import dev.orch.core.AgentInfo;
import dev.orch.core.ArtifactSlice;
import dev.orch.core.EventPage;
import dev.orch.core.NormalizedEvent;
import dev.orch.core.OrchException;
import dev.orch.core.RunListing;
import dev.orch.core.ProfileInfo;
import dev.orch.core.RunId;
import dev.orch.core.RunRef;
import dev.orch.core.RunStatus;
import dev.orch.core.RunSummary;
import dev.orch.core.UsageQuery;
import dev.orch.core.UsageSummary;
import dev.orch.core.internal.sanitize.Utf8Slices;
import dev.orch.core.spi.ArtifactManifest;
import dev.orch.core.spi.ChangeSignal;
import dev.orch.core.spi.RunFilter;
import dev.orch.core.spi.RunPage;
import dev.orch.core.spi.RunRecord;
import dev.orch.core.spi.RunStore;
import dev.orch.core.spi.SessionRecord;
import dev.orch.core.spi.Subscription;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Read-side operations: poll_events long-poll (live runs wake on the run's monitor within milliseconds; runs
 * owned by another process wake on the store's change notification ({@link RunStore#watchEventLog}) and are checked
 * through their log's size every {@value #DISK_POLL_MS} ms besides), list_runs, get_event_artifact and list_agents
 * (SPEC §2 tools 3, 6, 7, 8).
 */
final class Queries {
  /** How often a run owned by another process is checked for new events while long-polling, ms. */
  static final long DISK_POLL_MS = 5;
  /** How often its run.json is re-read for a status change while long-polling, ms. */
  static final long DISK_STATUS_MS = 250;

  private final RunStore store;
  private final RunResolver resolver;
  private final BackendRegistry registry;

  Queries(RunStore store, RunResolver resolver, BackendRegistry registry) {
    this.store = store;
    this.resolver = resolver;
    this.registry = registry;
  }

  EventPage poll(RunRef ref, long afterSeq, int limit, Duration wait) {
    if (afterSeq < 0) {
      throw OrchException.invalid("after_seq must be >= 0");
    }
    if (limit < 1 || limit > 1000) {
      throw OrchException.invalid("limit must be between 1 and 1000");
    }
    if (wait.isNegative() || wait.toMillis() > 30000) {
      throw OrchException.invalid("wait_ms must be between 0 and 30000");
    }
    RunResolver.Resolved res = resolver.resolve(ref);
    long deadline = System.nanoTime() + wait.toNanos();
    return res.live() != null ? pollLive(res.live(), afterSeq, limit, deadline)
        : pollDisk(res.record(), afterSeq, limit, deadline);
  }

  private EventPage pollLive(LiveRun run, long afterSeq, int limit, long deadline) {
    RunRecord r;
    synchronized (run.lock) {
      while (true) {
        r = run.record();
        if (r.lastSeq() > afterSeq || r.status().isTerminal()) {
          break;
        }
        long leftMs = (deadline - System.nanoTime()) / 1_000_000;
        if (leftMs <= 0) {
          return new EventPage(r.runId(), r.status(), List.of(), afterSeq);
        }
        try {
          run.lock.wait(leftMs);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return new EventPage(r.runId(), r.status(), List.of(), afterSeq);
        }
      }
      List<NormalizedEvent> events = run.recentAfter(afterSeq, limit);
      if (events != null) {
        return page(r, events, afterSeq);
      }
    }
    return page(r, store.readEvents(r, afterSeq, limit), afterSeq);
  }

  private EventPage pollDisk(RunRecord r, long afterSeq, int limit, long deadline) {
    ChangeSignal changes = new ChangeSignal();
    Optional<Subscription> watch = System.nanoTime() - deadline < 0 ? store.watchEventLog(r, changes::raise)
        : Optional.empty();
    try {
      return pollDisk(r, afterSeq, limit, deadline, changes);
    } finally {
      watch.ifPresent(Subscription::close);
    }
  }

  private EventPage pollDisk(RunRecord r, long afterSeq, int limit, long deadline, ChangeSignal changes) {
    long version = -2;
    long lastStatusCheck = System.nanoTime();
    while (true) {
      long v = store.eventLogVersion(r);
      if (v != version) {
        version = v;
        List<NormalizedEvent> events = store.readEvents(r, afterSeq, limit);
        if (!events.isEmpty() || r.status().isTerminal()) {
          return page(r, events, afterSeq);
        }
      }
      if (System.nanoTime() - deadline >= 0) {
        return page(r, List.of(), afterSeq);
      }
      if ((System.nanoTime() - lastStatusCheck) / 1_000_000 >= DISK_STATUS_MS) {
        lastStatusCheck = System.nanoTime();
        r = resolver.byId(r.runId()).map(RunResolver.Resolved::record).orElse(r);
        if (r.status().isTerminal()) {
          version = -2;
          continue;
        }
      }
      try {
        changes.await(DISK_POLL_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return page(r, List.of(), afterSeq);
      }
    }
  }

  private static EventPage page(RunRecord r, List<NormalizedEvent> events, long afterSeq) {
    long next = events.isEmpty() ? afterSeq : events.get(events.size() - 1).seq();
    return new EventPage(r.runId(), r.status(), events, next);
  }

  RunListing listRuns(RunStatus status, String backend, String cwd, int offset, int limit) {
    if (offset < 0) {
      throw OrchException.invalid("offset must be >= 0");
    }
    if (limit < 1) {
      throw OrchException.invalid("limit must be >= 1");
    }
    RunPage page = store.listRuns(new RunFilter(Cwds.filter(cwd), status, backend, null), offset, limit);
    List<RunSummary> runs = resolver.merged(page.runs()).stream()
        .filter(r -> status == null || r.status() == status)
        .map(RunRecord::toSummary).collect(Collectors.toList());
    return new RunListing(runs, page.total());
  }

  ArtifactSlice readArtifact(RunRef ref, long seq, String fieldPath, long offset, int limit) {
    if (seq < 1) {
      throw OrchException.invalid("seq must be >= 1");
    }
    if (limit < 1 || limit > 262144) {
      throw OrchException.invalid("limit must be between 1 and 262144");
    }
    if (offset < 0) {
      throw OrchException.invalid("offset must be >= 0");
    }
    RunRecord r = resolver.resolve(ref).record();
    ArtifactManifest m = store.readManifest(r, seq)
        .orElseThrow(() -> OrchException.notFound("No artifacts found for seq " + seq));
    ArtifactManifest.Entry e = m.fields().get(fieldPath);
    if (e == null) {
      String avail = m.fields().isEmpty() ? "(none)" : String.join(", ", m.fields().keySet());
      throw OrchException.notFound("No artifact for field_path " + fieldPath + ". Available field paths: " + avail);
    }
    long total = e.totalBytes();
    if (offset >= total) {
      return new ArtifactSlice(r.runId(), seq, fieldPath, e.mime(), e.encoding(), e.relpath(), total, offset, 0,
          false, "");
    }
    int want = (int) (Utf8Slices.windowEnd(offset, limit, total) - offset);
    byte[] window = store.readArtifact(r, m, fieldPath, offset, want);
    Utf8Slices.Slice slice = Utf8Slices.slice(window, offset, total, offset, limit);
    return new ArtifactSlice(r.runId(), seq, fieldPath, e.mime(), e.encoding(), e.relpath(), total, slice.offset(),
        slice.returnedBytes(), slice.hasMore(), slice.text());
  }

  List<AgentInfo> listAgents(String cwd, String backend, String status) {
    Path dir = Cwds.filter(cwd);
    List<RunRecord> runs = resolver.merged(store.listRuns(dir));
    Map<String, List<RunRecord>> bySession = runs.stream()
        .collect(Collectors.groupingBy(r -> r.sessionId().value()));
    List<AgentInfo> out = new ArrayList<>();
    for (SessionRecord s : store.listSessions(dir)) {
      if (backend != null && !s.backend().equals(backend)) {
        continue;
      }
      List<RunRecord> mine = bySession.getOrDefault(s.sessionId().value(), List.of());
      RunRecord latest = mine.isEmpty() ? null : mine.get(0);
      String st = latest == null ? "idle" : latest.status().wire();
      if (status != null && !status.equals(st)) {
        continue;
      }
      Instant updated = s.updatedAt();
      if (latest != null && latest.updatedAt() != null && (updated == null || latest.updatedAt().isAfter(updated))) {
        updated = latest.updatedAt();
      }
      out.add(new AgentInfo(s.agentName(), latest != null ? latest.role() : s.role(), s.sessionId(), st, s.cwd(),
          latest != null ? latest.runId() : s.lastRunId(), updated));
    }
    out.sort(Comparator.comparing(AgentInfo::updatedAt, Comparator.nullsLast(Comparator.reverseOrder())));
    return out;
  }

  /**
   * Adds up the usage of the runs the query selects (SPEC §12.4 get_usage).
   *
   * @throws OrchException NOT_FOUND {@code Unknown run_id: <id>} for a run id that no cwd knows
   */
  UsageSummary usage(UsageQuery q) {
    List<RunRecord> runs;
    Path dir = q.cwd() == null ? null : Path.of(q.cwd()).normalize();
    if (!q.runIds().isEmpty()) {
      runs = new ArrayList<>();
      for (RunId id : q.runIds()) {
        runs.add(resolver.byId(id).orElseThrow(() -> OrchException.notFound("Unknown run_id: " + id.value()))
            .record());
      }
    } else {
      runs = resolver.merged(store.listRuns(dir));
    }
    List<RunRecord> selected = runs.stream()
        .filter(r -> dir == null || (r.cwd() != null && r.cwd().normalize().equals(dir)))
        .filter(r -> q.since() == null || (r.startedAt() != null && !r.startedAt().isBefore(q.since())))
        .collect(Collectors.toList());
    return UsageLedger.summarize(selected, q.groupBy());
  }

  /** @return the profiles runs used, by resolved path, most recently used first */
  List<ProfileInfo> profiles() {
    Map<Path, List<RunRecord>> byPath = new java.util.LinkedHashMap<>();
    for (RunRecord r : resolver.merged(store.listRuns(null))) {
      if (r.profile() == null || r.profile().isBlank()) {
        continue;
      }
      Path p = r.cwd().resolve(r.profile()).normalize();
      byPath.computeIfAbsent(p, k -> new ArrayList<>()).add(r);
    }
    List<ProfileInfo> out = new ArrayList<>();
    byPath.forEach((p, runs) -> {
      RunRecord newest = runs.stream().max(Comparator.comparing(RunRecord::startedAt,
          Comparator.nullsFirst(Comparator.naturalOrder()))).orElseThrow();
      out.add(new ProfileInfo(newest.profile(), p, newest.cwd(), java.nio.file.Files.isRegularFile(p), runs.size(),
          newest.startedAt()));
    });
    out.sort(Comparator.comparing(ProfileInfo::lastUsedAt, Comparator.nullsLast(Comparator.reverseOrder())));
    return out;
  }

  /** Registry access for callers that list backends. */
  BackendRegistry registry() {
    return registry;
  }
}
