package dev.orch.core.spi;

import dev.orch.core.RemoteRef;
import dev.orch.core.RunEvent;

/**
 * Where a backend reports its run. Thread-safe; calls may block while the event is made durable (persist before
 * publish, SPEC §3). The engine drops events after the run's terminal event and anything after a cancel
 * request that would make the run terminal in another way than cancelled.
 */
public interface EventSink {

  /**
   * Reports one event. The engine sanitizes, persists, applies and publishes it before returning.
   *
   * @param event the event
   */
  void emit(RunEvent event);

  /**
   * Binds the Orch session to the backend conversation (codex thread id, Claude session id, A2A context id),
   * so that a later resume continues it. May be called more than once; the last call wins.
   *
   * @param backendSessionId the id, never null
   * @param remoteRef the reference stored in run.json and the session, may be null
   */
  void bindSession(String backendSessionId, RemoteRef remoteRef);

  /**
   * Records a child process so that it can be killed if this Orch process dies (SPEC §10 reconcile).
   *
   * @param process the child (its descendants are found at kill time)
   */
  void processStarted(ProcessHandle process);
}
