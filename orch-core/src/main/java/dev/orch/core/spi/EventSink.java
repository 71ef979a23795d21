package dev.orch.core.spi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.OrchException;
import dev.orch.core.RemoteRef;
import dev.orch.core.RunEvent;
import java.nio.file.Path;

/**
 * Where a backend reports its run. Thread-safe. Calls return once the event is accepted and numbered, before it
 * is durable (the engine commits in batches and publishes only durable events, SPEC §3); a backend reporting faster
 * than the disk keeps up is slowed down here. The engine drops events after the run's terminal event and anything
 * after a cancel request that would make the run terminal in another way than cancelled, so a backend never needs
 * its own "exactly one terminal event" or "cancel wins" bookkeeping for correctness.
 */
public interface EventSink {

  /**
   * Reports one event. The engine numbers and sanitizes it before returning, then persists, applies and publishes
   * it in order with the run's other events.
   *
   * @param event the event
   */
  void emit(RunEvent event);

  /**
   * Reports one event read from the backend's re-readable output (SPEC §12.8): the engine drops it when the log
   * already holds an event at or after that position (a re-attached backend re-reads its output from the start).
   *
   * @param event the event
   * @param sourcePosition {@link LogEntry#position(long, int)} of the output line and the event's index in it,
   *     or {@link LogEntry#NO_POSITION}
   */
  default void emit(RunEvent event, long sourcePosition) {
    emit(event);
  }

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

  /**
   * A local directory private to this run (created on first call) where the backend keeps the files of processes
   * that may outlive this Orch process: agent output, exit code, a stdin FIFO (SPEC §12.8). It lives as long as the
   * run's other files.
   *
   * @return the directory
   * @throws OrchException STORE when it cannot be created
   */
  default Path privateDirectory() {
    throw new OrchException(OrchException.ErrorCode.UNSUPPORTED,
        "this engine keeps no private run directories");
  }

  /**
   * Records, durably and before returning, what a later Orch process needs to re-attach to this run
   * ({@link Backend#reattach}): e.g. the agent's process and file names, or the remote task and context ids.
   * Record it before the agent can do any work, so that no agent ever runs unrecorded (issue 9 item 3). A later call
   * replaces the earlier record. The engine first makes every event reported before the call durable (it waits for
   * their commit, up to 30 s): a later Orch process re-attaches from the log and only re-reads the agent's output, so
   * an event such as {@code run_started} must not depend on this process living on.
   *
   * @param attachment a small JSON object owned by the backend (never secrets: it is stored in clear)
   * @throws OrchException STORE when it cannot be recorded, or the events before it cannot be made durable (the
   *     backend must then not start the agent)
   */
  default void attach(ObjectNode attachment) {
    throw new OrchException(OrchException.ErrorCode.UNSUPPORTED,
        "this engine does not record re-attachment data");
  }

  /**
   * Reports the run's usage so far (cumulative; SPEC §12.3, §12.4). The engine keeps the latest report as the run's
   * normalized {@code usage} and enforces token, cost and turn limits on it immediately. The default ignores it.
   *
   * @param report the usage
   */
  default void usage(UsageReport report) {
  }
}
