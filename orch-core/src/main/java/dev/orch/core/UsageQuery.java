package dev.orch.core;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which runs {@code get_usage} adds up and how it groups them (SPEC §12.4). Filters combine (a run must pass all).
 *
 * @param cwd only runs of this absolute working directory, or null for every known cwd
 * @param runIds only these runs (each must exist), or empty for no such filter; never null
 * @param since only runs started at or after this time, or null
 * @param groupBy how to group, or null for totals only (no groups)
 */
public record UsageQuery(String cwd, List<RunId> runIds, Instant since, GroupBy groupBy) {
  /** Everything, totals only. */
  public static final UsageQuery ALL = new UsageQuery(null, List.of(), null, null);

  /** Copies the run ids. */
  public UsageQuery {
    runIds = runIds == null ? List.of() : List.copyOf(runIds);
  }

  /** What a group of {@code get_usage} stands for. */
  public enum GroupBy {
    /** the backend id */
    BACKEND,
    /** the model (null key when a run's backend did not name one) */
    MODEL,
    /** the session's agent name */
    AGENT_NAME,
    /** each run on its own (key = run id) */
    RUN;

    /** @return the wire name, e.g. {@code agent_name} */
    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** @return the value with that wire name */
    public static Optional<GroupBy> fromWire(String w) {
      for (GroupBy g : values()) {
        if (g.wire().equals(w)) {
          return Optional.of(g);
        }
      }
      return Optional.empty();
    }
  }
}
