package dev.orch.core.spi;

/**
 * Entry point of a backend plugin (SPEC §1). Register it in
 * {@code META-INF/services/dev.orch.core.spi.BackendProvider} or pass it to
 * {@code Orchestrator.builder().backend(...)}. Providers must have a public no-arg constructor and do no work
 * in it; {@link #create} is called once per {@code Orchestrator}.
 */
public interface BackendProvider {

  /** @return the descriptor; its id is the backend id of {@code spawn_run} */
  BackendDescriptor descriptor();

  /**
   * @param context environment and threads for the backend
   * @return a backend, closed with the Orchestrator
   */
  Backend create(BackendContext context);
}
