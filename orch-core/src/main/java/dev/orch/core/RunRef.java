package dev.orch.core;

/**
 * A reference to a run (SPEC §2): by {@code runId}, or by {@code agentName} (within {@code cwd} if given, else
 * across all known cwds). runId wins when both are given.
 *
 * @param runId run id or null
 * @param agentName agent name or null
 * @param cwd cwd to resolve the agent name in, or null
 */
public record RunRef(String runId, String agentName, String cwd) {
  /** @return a reference by run id */
  public static RunRef of(RunId runId) {
    return new RunRef(runId.value(), null, null);
  }

  /** @return a reference by run id text */
  public static RunRef ofRunId(String runId) {
    return new RunRef(runId, null, null);
  }
}
