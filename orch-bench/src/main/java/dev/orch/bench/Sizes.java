package dev.orch.bench;

/**
 * How much work each section of {@code bin/orch-bench} does: the sizes, or tiny ones for the smoke mode
 * ({@code --quick}, seconds long, figures not comparable).
 *
 * @param startupRuns counted server starts (median reported)
 * @param floodItems items of one events/s run
 * @param floodWarmups events/s runs on the same server before the counted ones (the JIT compiles the event path
 *     during them; their rates are reported, the first one as the cold-server row)
 * @param floodReps events/s runs after the warm-up runs (median reported)
 * @param memoryRuns flood runs on one server for the RSS figures (RSS read after half and after all)
 * @param memoryItems items of each of those runs
 * @param listRuns runs in the cwd of the list_runs figure
 * @param deepEvents events of the run of the poll_events figure
 * @param artifactBytes size of the artifact of the get_event_artifact figure, bytes
 * @param wakeTicks events of the long-poll wake-up run
 * @param wakeWarmUpTicks events of the warm-up run each wake-up row follows first, 2 ms apart (not counted)
 * @param tickMs pause between those events, ms
 * @param repeats repetitions of the cheap calls (list_runs, deep poll), median reported
 * @param quietRuns live runs that print nothing while the idle-cpu figure is measured
 * @param idleWindowMs how long the server's CPU is read for each idle-cpu figure, ms
 */
public record Sizes(int startupRuns, int floodItems, int floodWarmups, int floodReps, int memoryRuns,
    int memoryItems, int listRuns, int deepEvents, long artifactBytes, int wakeTicks, int wakeWarmUpTicks, int tickMs,
    int repeats,
    int quietRuns, long idleWindowMs) {

  /** The sizes of issue 8. */
  public static final Sizes FULL = new Sizes(5, 10_000, 5, 5, 10, 5_000, 100_000, 1_000_000, 1L << 30, 600, 3000, 50,
      10, 20, 20_000);
  /** The smoke mode: every row, in seconds. */
  public static final Sizes QUICK = new Sizes(1, 300, 1, 1, 2, 100, 500, 5_000, 2L << 20, 4, 20, 250, 2,
      2, 1_000);

  /**
   * @param bytes size of the artifact of the get_event_artifact figure, bytes
   * @return these sizes with that artifact size
   */
  public Sizes withArtifactBytes(long bytes) {
    return new Sizes(startupRuns, floodItems, floodWarmups, floodReps, memoryRuns, memoryItems, listRuns,
        deepEvents, bytes, wakeTicks, wakeWarmUpTicks, tickMs, repeats, quietRuns, idleWindowMs);
  }

  /**
   * @param ticks events of each wake-up figure (one every {@link #tickMs()} ms)
   * @return these sizes with that many wake-up events and the full mode's tick and warm-up
   */
  public Sizes withWakeTicks(int ticks) {
    return new Sizes(startupRuns, floodItems, floodWarmups, floodReps, memoryRuns, memoryItems, listRuns,
        deepEvents, artifactBytes, ticks, FULL.wakeWarmUpTicks(), FULL.tickMs(), repeats, quietRuns, idleWindowMs);
  }
}
