package dev.orch.core;

import java.util.List;

/**
 * One page of {@code list_runs} (SPEC §2 tool 6, with optional paging).
 *
 * @param runs the runs, newest first
 * @param total how many runs match the filters in all (the page holds at most the requested limit)
 */
public record RunListing(List<RunSummary> runs, int total) {
  /** Copies the list. */
  public RunListing {
    runs = List.copyOf(runs);
  }
}
