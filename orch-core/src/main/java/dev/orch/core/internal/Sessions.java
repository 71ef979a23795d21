package dev.orch.core.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.RemoteRef;
import dev.orch.core.Role;
import dev.orch.core.RunId;
import dev.orch.core.SessionId;
import dev.orch.core.Timestamps;
import dev.orch.core.spi.RunRecord;
import dev.orch.core.spi.RunStore;
import dev.orch.core.spi.SessionRecord;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Session bookkeeping of this process: creation with agent names (SPEC §2), the latest run, the backend
 * conversation binding, and the in-memory backend_config with secrets (never on disk) for resumes.
 * Session files are changed under this object's lock (per run, never per event).
 */
final class Sessions {
  private final RunStore store;
  private final Clock clock;
  private final Map<SessionId, ObjectNode> configs = new ConcurrentHashMap<>();

  Sessions(RunStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** Creates the session of a new-mode spawn (agent name chosen by the store, atomically). */
  SessionRecord create(SpawnPlan plan) {
    var now = Timestamps.now(clock);
    return store.createSession(plan.cwd(), plan.nickname(), name -> new SessionRecord(SessionId.random(),
        plan.backend(), plan.cwd(), name, null, null, now, now, plan.metadata(), plan.role(), null));
  }

  /** Records the session's latest run and remembers its clear backend_config. */
  synchronized void recordRun(SessionRecord session, RunId runId, Role role) {
    SessionRecord current = store.findSession(session.sessionId(), session.cwd()).orElse(session);
    store.saveSession(current.withLastRun(runId, role, Timestamps.now(clock)));
  }

  /** Remembers the backend_config of the session's latest run (secrets in clear, memory only). */
  void rememberConfig(SessionId session, ObjectNode config) {
    configs.put(session, config.deepCopy());
  }

  /** @return the clear config of this process, else the run's stored config without redacted entries */
  ObjectNode configOf(SessionRecord session, RunRecord previous) {
    ObjectNode c = configs.get(session.sessionId());
    return c != null ? c.deepCopy() : Secrets.withoutRedacted(previous.backendConfig());
  }

  /** Binds the session to its backend conversation. */
  synchronized void bind(RunRecord run, String backendSessionId, RemoteRef ref) {
    store.findSession(run.sessionId(), run.cwd()).ifPresent(s ->
        store.saveSession(s.withBackendSession(backendSessionId, ref, Timestamps.now(clock))));
  }
}
