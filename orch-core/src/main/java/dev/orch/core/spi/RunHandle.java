package dev.orch.core.spi;

import dev.orch.core.AgentMessage;
import dev.orch.core.OrchException;

/**
 * Control of one started run. The run ends when the backend emits its one terminal event.
 */
public interface RunHandle {

  /**
   * Stops the run and waits (bounded, a few seconds at most) until its processes are gone or its remote task
   * was asked to cancel. Called at most once, from any thread. After it returns the engine records
   * {@code status_changed {status:"cancelled"}} itself if the backend did not end the run; terminal events the
   * backend emits afterwards are ignored.
   *
   * @param reason {@code user} for cancel_run, {@code shutdown} when the server stops
   */
  void cancel(String reason);

  /**
   * Delivers {@code continue_run} input to a run that waits (input_required / auth_required) (SPEC §2 tool 5,
   * "live" mode). The default refuses.
   *
   * @param message the input
   * @throws OrchException UNSUPPORTED when the backend cannot take input; CONFLICT when not waiting
   */
  default void sendInput(AgentMessage message) {
    throw new OrchException(OrchException.ErrorCode.UNSUPPORTED, "this backend does not accept input while a run is active");
  }

  /**
   * Stops following the run while leaving it running, because this Orch process exits with
   * {@code ORCH_ON_EXIT=detach} (SPEC §12.8): reader threads stop, files and pipes this process holds are closed,
   * the agent keeps working and writing its output where {@link Backend#reattach} will find it. Emits nothing.
   * Called at most once, instead of {@link #cancel}.
   *
   * @return true when the run was detached; false when it cannot outlive this process (the engine then cancels it)
   */
  default boolean detach() {
    return false;
  }
}
