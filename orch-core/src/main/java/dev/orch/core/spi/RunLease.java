package dev.orch.core.spi;

/**
 * Proof that this process owns a run (an OS file lock in the file store). While held, other Orch processes
 * see the run as live; when the owner dies the OS releases it and the run can be reconciled (SPEC §10).
 */
public interface RunLease extends AutoCloseable {
  /** Releases the lease. Idempotent. */
  @Override
  void close();
}
