package dev.orch.core.spi;

import dev.orch.core.NormalizedEvent;

/**
 * The append side of one run's event log ({@code events.jsonl}), held by the process that owns the run.
 * Opening it drops a torn last line (SPEC §6). Not thread-safe: the engine appends from one thread at a time
 * per run.
 */
public interface EventLog extends AutoCloseable {

  /** @return the seq of the last complete event in the log, 0 when empty */
  long lastSeq();

  /**
   * Appends one event as one JSON line and makes it durable before returning (persist before publish).
   * Cost is O(1) in the number of earlier events.
   *
   * @param event the event; its seq must be {@link #lastSeq()} + 1
   * @throws dev.orch.core.OrchException STORE when the write fails
   */
  void append(NormalizedEvent event);

  /** Closes the file. Idempotent. */
  @Override
  void close();
}
