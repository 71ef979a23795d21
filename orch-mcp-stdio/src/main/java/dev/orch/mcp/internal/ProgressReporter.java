package dev.orch.mcp.internal;

/**
 * Sends {@code notifications/progress} for one tool call whose request carried a {@code progressToken} (SPEC §12.9):
 * the hook waiting tools ({@code poll_events}, {@code wait_runs}) report through while they wait. Waiting code should
 * call {@link #report} for every new event it sees and, while nothing happens, at least every
 * {@link #HEARTBEAT_MS} ms (progress = the run's last_seq, message = its summary).
 *
 * <p>Best effort: a notification that cannot be sent is logged and dropped, never failing the call. Thread-safe.
 */
public interface ProgressReporter {
  /** Longest silence between two reports while waiting, ms (below the 5 s of SPEC §12.9, leaving room for jitter). */
  long HEARTBEAT_MS = 4000;

  /** Reports nothing: the request had no progress token. */
  ProgressReporter NONE = new ProgressReporter() {
    @Override
    public boolean active() {
      return false;
    }

    @Override
    public void report(long progress, String message) {
    }
  };

  /** @return true when the request asked for progress (reports are sent); false for {@link #NONE} */
  boolean active();

  /**
   * Sends one progress notification before returning (so that it precedes the call's result), or drops it.
   *
   * @param progress the progress value: the run's last_seq
   * @param message the run's one-line summary, may be null
   */
  void report(long progress, String message);
}
