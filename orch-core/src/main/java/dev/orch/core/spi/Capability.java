package dev.orch.core.spi;

/** What a backend can do; declared in its {@link BackendDescriptor} and checked by the engine. */
public enum Capability {
  /** Reports events while the run progresses. */
  STREAMING,
  /** Can resume a session's backend conversation in a new run. */
  RESUME,
  /** Can stop a run in progress. */
  CANCEL,
  /** Accepts {@code continue_run} input while the run waits (input_required / auth_required). */
  CONTINUE,
  /** Honours {@code output_schema} and reports {@code structured_output}. */
  STRUCTURED_OUTPUT,
  /** Applies profiles (system prompts). */
  PROFILES,
  /**
   * Runs can outlive the Orch process (SPEC §12.8): the backend records what it needs through
   * {@link EventSink#attach}, can {@link RunHandle#detach()} and {@link Backend#reattach} a run another process
   * started.
   */
  REATTACH
}
