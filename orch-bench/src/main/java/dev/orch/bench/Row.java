package dev.orch.bench;

/**
 * The rows {@code bin/orch-bench} prints, in order: one per figure of issue 8's table and of its item 4, each with
 * the target. The smoke test checks that every row is printed (never its speed).
 */
public enum Row {
  /** {@code initialize} answered after spawn with the default launcher, median. */
  STARTUP("startup", "`initialize` answered after spawn, bin/orch-mcp (default launcher)", "≤ 200 ms"),
  /**
   * When the server can serve: the answer to a {@code tools/list} sent right after the {@code initialize} answer
   * (the server answers {@code initialize} before the rest of it has started).
   */
  STARTUP_READY("startup-ready", "`tools/list` answered after spawn (sent right after the `initialize` answer)", "—"),
  /** The same without the start-up archive, for comparison. */
  STARTUP_PLAIN("startup-plain", "`initialize` answered after spawn, bin/orch-mcp with ORCH_APPCDS=0", "—"),
  /** Events per second of one flood run, spawn → terminal status seen by the client. */
  EVENTS("events", "events/s, spawn → terminal status seen by the client (poll limit 1000), warm server",
      "≥ 15 000"),
  /** The same for the first run of a fresh server (the JIT compiles the event path during it). */
  EVENTS_COLD("events-cold", "events/s of the first run on a fresh server (JIT not warm yet)", "—"),
  /** Server RSS right after start. */
  RSS_IDLE("rss-idle", "server RSS idle", "—"),
  /** Server RSS after half the memory runs. */
  RSS_HALF("rss-5", "server RSS after half the flood runs", "—"),
  /** Server RSS after all memory runs. */
  RSS_FULL("rss-10", "server RSS after all flood runs (issue: 10 of 5 000 items)", "≤ 200 MB"),
  /** RSS growth between the two. */
  RSS_GROWTH("rss-growth", "RSS after all runs / after half", "≤ 1.1×"),
  /** Server CPU while it owns live runs that print nothing. */
  IDLE_CPU("idle-cpu", "server CPU per second of wall time while it owns live runs that print nothing", "—"),
  /** list_runs over many runs of one cwd. */
  LIST_RUNS("list-runs", "list_runs over the runs of one cwd", "≤ 100 ms"),
  /** poll_events deep into a long run. */
  POLL_DEEP("poll-deep", "poll_events after the last seq of a long run", "≤ 10 ms"),
  /** get_event_artifact slices of a big artifact, throughput. */
  ARTIFACT("artifact", "get_event_artifact, 256 KiB slices of one big artifact", "disk speed"),
  /**
   * The same slices through the Java API ({@code Orchestrator.readArtifact}, what get_event_artifact calls), in the
   * benchmark JVM: the engine and the store without the MCP wire.
   */
  ARTIFACT_API("artifact-api", "Orchestrator.readArtifact, the same 256 KiB slices through the Java API, same JVM",
      "disk speed"),
  /**
   * The same through the Java API from the disk: the chunk files are evicted from the page cache before the pass.
   */
  ARTIFACT_COLD("artifact-cold", "Orchestrator.readArtifact, the same slices from the disk (chunk files evicted from"
      + " the page cache first)", "disk speed"),
  /** Server RSS before and after streaming that artifact. */
  ARTIFACT_RSS("artifact-rss", "server RSS before → at each quarter → after reading the whole artifact",
      "constant"),
  /** Long-poll wake-up, the run's own process. */
  WAKE_LOCAL("wake-local", "long-poll wake-up (CLI prints the event → poll answer read), same process",
      "p99 ≤ 5 ms"),
  /** Long-poll wake-up through the Java API, the run's own JVM (no MCP, no stdio). */
  WAKE_API("wake-api",
      "long-poll wake-up (CLI prints the event → poll returns) through the Java API, same JVM as the run",
      "p99 ≤ 5 ms"),
  /** Long-poll wake-up through another server process on the same cwd. */
  WAKE_CROSS("wake-cross",
      "long-poll wake-up (CLI prints the event → poll answer read), another server process on the same cwd",
      "p99 ≤ 20 ms");

  private final String id;
  private final String measure;
  private final String target;

  Row(String id, String measure, String target) {
    this.id = id;
    this.measure = measure;
    this.target = target;
  }

  /** @return the stable short name printed in the first column */
  public String id() {
    return id;
  }

  /** @return what is measured (the sizes used are added by the benchmark) */
  public String measure() {
    return measure;
  }

  /** @return the "must reach" figure, or "—" */
  public String target() {
    return target;
  }
}
