package dev.orch.core.spi;

import java.util.Comparator;
import java.util.List;

/**
 * One page of a run listing ({@link RunStore#listRuns(RunFilter, int, int)}).
 *
 * @param runs the runs of the page, newest first
 * @param total how many runs matched the filter in all
 */
public record RunPage(List<RunRecord> runs, int total) {
  /** Newest first by start time (unknown last), then by run id. */
  public static final Comparator<RunRecord> NEWEST_FIRST = Comparator
      .comparing(RunRecord::startedAt, Comparator.nullsLast(Comparator.reverseOrder()))
      .thenComparing(r -> r.runId().value());

  /** Copies the list. */
  public RunPage {
    runs = List.copyOf(runs);
  }
}
