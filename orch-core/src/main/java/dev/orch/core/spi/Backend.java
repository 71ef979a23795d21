package dev.orch.core.spi;

/**
 * A backend instance created by its {@link BackendProvider} for one Orchestrator. Thread-safe.
 */
public interface Backend extends AutoCloseable {

  /**
   * Checks a run before anything is persisted (SPEC §2: if the backend refuses to start, nothing is persisted
   * and the error is returned): the per-run {@code backend_config} merged with server-wide settings, the
   * executable, required keys. Validates every key at once and names each bad one.
   *
   * @param spec the run to be started
   * @throws dev.orch.core.OrchException INVALID_ARGUMENT or BACKEND with a precise message
   */
  void validate(RunSpec spec);

  /**
   * Starts the run and returns at once; progress goes to the sink from the backend's own threads. Must end
   * with exactly one terminal event (run_completed, run_failed, rejected or status_changed to a terminal
   * status), also when the CLI crashes or the remote is unreachable.
   *
   * @param spec the run
   * @param sink where events go
   * @return the handle for cancel and live input
   * @throws dev.orch.core.OrchException BACKEND when it cannot even start (the engine then records run_failed)
   */
  RunHandle start(RunSpec spec, EventSink sink);

  /** Stops everything the backend keeps alive (pooled processes, HTTP clients). Idempotent. */
  @Override
  void close();
}
