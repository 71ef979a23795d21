package dev.orch.core.spi;

import dev.orch.core.NormalizedEvent;
import java.util.List;

/**
 * The append side of one run's event log ({@code events.jsonl}), held by the process that owns the run.
 * Opening it drops a torn last line (SPEC §6). Not thread-safe: the engine appends from one thread at a time
 * per run (its group committer).
 */
public interface EventLog extends AutoCloseable {

  /** @return the seq of the last complete event in the log, 0 when empty */
  long lastSeq();

  /**
   * @return the greatest {@link LogEntry#sourcePosition()} recorded in the log, or {@link LogEntry#NO_POSITION}
   *     when no entry has one (or the store does not keep positions)
   */
  long lastSourcePosition();

  /**
   * Appends a batch of events, one JSON line each, in order, and makes the whole batch durable with one force
   * before returning (group commit; persist before publish, SPEC §3). Cost is O(batch), independent of earlier
   * events. On failure nothing of the batch counts: a partially written batch is cut off again where possible,
   * and in any case it never becomes a torn line followed by later events.
   *
   * @param batch the entries; consecutive seqs starting at {@code lastSeq() + 1} (an empty log may start at any seq:
   *     the engine ends a run whose log was removed with an event at the seq it had reached)
   * @throws dev.orch.core.OrchException STORE when a write or the force fails (disk full, read-only, file removed)
   * @throws IllegalArgumentException when the seqs are not consecutive or do not continue a non-empty log
   */
  void append(List<LogEntry> batch);

  /**
   * Appends one event without a source position (see {@link #append(List)}).
   *
   * @param event the event; its seq must be {@link #lastSeq()} + 1
   */
  default void append(NormalizedEvent event) {
    append(List.of(new LogEntry(event, LogEntry.NO_POSITION)));
  }

  /** Closes the file. Idempotent. */
  @Override
  void close();
}
