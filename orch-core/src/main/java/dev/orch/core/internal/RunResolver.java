package dev.orch.core.internal;

import dev.orch.core.OrchException;
import dev.orch.core.RunId;
import dev.orch.core.RunRef;
import dev.orch.core.RunStatus;
import dev.orch.core.SessionId;
import dev.orch.core.spi.RunFilter;
import dev.orch.core.spi.RunRecord;
import dev.orch.core.spi.RunStore;
import dev.orch.core.spi.SessionRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Collectors;

/**
 * Resolves run references (SPEC §2 "Run reference") against the runs of this process and the store: run_id
 * wins; agent_name resolves within cwd if given, else across all known cwds (ambiguous → error naming the cwds),
 * preferring the session's executing run (newest), else its queued run, else its newest run.
 */
final class RunResolver {
  /** A resolved run: live in this process (live != null) or read from the store. */
  record Resolved(LiveRun live, RunRecord record) {
  }

  private final RunStore store;
  private final ConcurrentMap<RunId, LiveRun> live;
  private final Reconciler reconciler;

  RunResolver(RunStore store, ConcurrentMap<RunId, LiveRun> live, Reconciler reconciler) {
    this.store = store;
    this.live = live;
    this.reconciler = reconciler;
  }

  /** @throws OrchException INVALID_ARGUMENT / NOT_FOUND per SPEC §2 */
  Resolved resolve(RunRef ref) {
    if (ref.runId() != null && !ref.runId().isBlank()) {
      RunId id = new RunId(ref.runId());
      return byId(id).orElseThrow(() -> OrchException.notFound("Unknown run_id: " + ref.runId()));
    }
    if (ref.agentName() == null || ref.agentName().isBlank()) {
      throw OrchException.invalid("Provide run_id or agent_name");
    }
    SessionRecord session = session(ref.agentName(), ref.cwd());
    List<RunRecord> runs = runsOf(session);
    if (runs.isEmpty()) {
      throw OrchException.notFound("Agent " + ref.agentName() + " has no runs yet");
    }
    RunRecord chosen = runs.stream().filter(r -> r.status().isExecuting()).findFirst()
        .or(() -> runs.stream().filter(r -> r.status() == RunStatus.QUEUED).findFirst())
        .orElse(runs.get(0));
    return byId(chosen.runId()).orElseThrow();
  }

  /** @return the run, live first; a stale non-terminal disk run of a dead process is reconciled first */
  Optional<Resolved> byId(RunId id) {
    LiveRun l = live.get(id);
    if (l != null) {
      return Optional.of(new Resolved(l, l.view()));
    }
    return store.findRun(id).map(r -> new Resolved(null, reconciler.reconcileIfOrphaned(r)));
  }

  /**
   * @param agentName the name
   * @param cwd cwd text or null
   * @return the session with that agent name
   * @throws OrchException NOT_FOUND {@code Unknown agent_name in cwd <cwd>: <n>} / {@code Unknown agent_name: <n>};
   *     CONFLICT when the name exists in several cwds and no cwd was given
   */
  SessionRecord session(String agentName, String cwd) {
    Path dir = Cwds.filter(cwd);
    List<SessionRecord> matches = store.listSessions(dir).stream()
        .filter(s -> s.agentName().equals(agentName)).collect(Collectors.toList());
    if (matches.isEmpty()) {
      throw OrchException.notFound(dir == null ? "Unknown agent_name: " + agentName
          : "Unknown agent_name in cwd " + cwd + ": " + agentName);
    }
    if (matches.size() > 1) {
      Map<Path, SessionRecord> byCwd = new LinkedHashMap<>();
      matches.forEach(s -> byCwd.putIfAbsent(s.cwd(), s));
      if (byCwd.size() > 1) {
        throw OrchException.conflict("agent_name " + agentName + " is ambiguous: it exists in cwds "
            + byCwd.keySet().stream().map(Path::toString).collect(Collectors.joining(", ")) + "; pass cwd");
      }
      matches.sort(Comparator.comparing(SessionRecord::createdAt,
          Comparator.nullsFirst(Comparator.naturalOrder())).reversed());
    }
    return matches.get(0);
  }

  /** @return the session's runs, newest first, live records overriding disk ones */
  List<RunRecord> runsOf(SessionRecord session) {
    return merged(store.listRuns(new RunFilter(session.cwd(), null, null, session.sessionId()), 0,
        Integer.MAX_VALUE).runs());
  }

  /** @return records of the store with live records substituted and live-only ones added, newest first */
  List<RunRecord> merged(List<RunRecord> fromStore) {
    Map<RunId, RunRecord> byId = new LinkedHashMap<>();
    fromStore.forEach(r -> byId.put(r.runId(), r));
    for (LiveRun l : live.values()) {
      RunRecord r = l.view();
      if (byId.containsKey(r.runId())) {
        byId.put(r.runId(), r);
      }
    }
    List<RunRecord> out = new ArrayList<>(byId.values());
    out.sort(Comparator.comparing(RunRecord::startedAt, Comparator.nullsLast(Comparator.reverseOrder()))
        .thenComparing(r -> r.runId().value()));
    return out;
  }

  /** @return the current status of any run: this process first, then the store; empty when unknown */
  Optional<RunStatus> statusOf(RunId id) {
    LiveRun l = live.get(id);
    if (l != null) {
      return Optional.of(l.record().status());
    }
    return store.findRun(id).map(RunRecord::status);
  }

  /** @return live run of a session id if any, else null */
  LiveRun liveRun(RunId id) {
    return live.get(id);
  }

  /** @return the session of a run */
  Optional<SessionRecord> sessionOf(RunRecord run) {
    return store.findSession(run.sessionId(), run.cwd());
  }

  /** @return the session with that id (looked up in cwd first) */
  Optional<SessionRecord> session(SessionId id, Path cwd) {
    return store.findSession(id, cwd);
  }
}
