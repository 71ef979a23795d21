package dev.orch.core.spi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.OrchException;
import dev.orch.core.RunEvent;

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
   * @throws OrchException INVALID_ARGUMENT or BACKEND with a precise message
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
   * @throws OrchException BACKEND when it cannot even start (the engine then records run_failed)
   */
  RunHandle start(RunSpec spec, EventSink sink);

  /**
   * Takes over a run that an earlier Orch process started and that may have outlived it (SPEC §12.8; declared with
   * {@link Capability#REATTACH}). The backend follows the agent from where it is: it re-reads its output from the
   * start and reports every event with its source position ({@link EventSink#emit(RunEvent, long)});
   * the engine drops those already in the log, so the run continues at its last seq + 1 with nothing lost or twice.
   * When the agent has already ended, the rest of its output and its end are reported at once. The handle then works
   * like one from {@link #start} (cancel, live input).
   *
   * @param spec the run as stored (prompt and config without secrets; no resume information is needed)
   * @param sink where events go (same contract as for {@link #start})
   * @param attachment what the backend recorded through {@link EventSink#attach}
   * @return the handle
   * @throws OrchException BACKEND when the run cannot be followed (e.g. its files are gone): the
   *     engine then ends it with {@code run_failed {reason:"host_lost"}}
   */
  default RunHandle reattach(RunSpec spec, EventSink sink, ObjectNode attachment) {
    throw new OrchException(OrchException.ErrorCode.UNSUPPORTED,
        "this backend cannot re-attach runs");
  }

  /**
   * Checks whether the backend can take runs now (SPEC §12.1 {@code list_backends}): a CLI backend runs
   * {@code <cli> --version} (see {@link CliProbe}), a remote backend fetches the card of its configured default
   * agent. Called on an engine probe thread, in parallel with the other backends' probes; the engine caches the
   * answer for about 30 s and stops waiting after {@code timeout} (the backend should give up by then too).
   * Must not throw: a failure is an {@code unavailable} result with the reason.
   *
   * <p>The default answers {@code available} ("runs in-process"), right for backends that need nothing outside
   * the JVM.
   *
   * @param timeout how long the probe may take, at most
   * @return the result, never null
   */
  default ProbeResult probe(java.time.Duration timeout) {
    return ProbeResult.inProcess();
  }

  /** Stops everything the backend keeps alive (pooled processes, HTTP clients). Idempotent. */
  @Override
  void close();
}
