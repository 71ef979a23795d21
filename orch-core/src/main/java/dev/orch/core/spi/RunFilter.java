package dev.orch.core.spi;

import dev.orch.core.RunStatus;
import dev.orch.core.SessionId;
import java.nio.file.Path;

/**
 * Which runs a listing returns (SPEC §2 list_runs filters, plus the session for agent-name resolution). Null fields
 * do not filter.
 *
 * @param cwd only runs of this (canonical) cwd, or null for every known cwd
 * @param status only runs with this status
 * @param backend only runs of this backend id
 * @param sessionId only runs of this session
 */
public record RunFilter(Path cwd, RunStatus status, String backend, SessionId sessionId) {
  /** Every run. */
  public static final RunFilter ALL = new RunFilter(null, null, null, null);

  /** @return true when the record passes the filter (cwd is the store's concern and is not checked here) */
  public boolean accepts(RunRecord r) {
    return (status == null || r.status() == status) && (backend == null || r.backend().equals(backend))
        && (sessionId == null || r.sessionId().equals(sessionId));
  }
}
