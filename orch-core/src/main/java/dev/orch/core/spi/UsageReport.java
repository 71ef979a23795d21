package dev.orch.core.spi;

/**
 * A backend's report of its run's usage so far (SPEC §12.3, §12.4), cumulative for the run. The engine normalizes it
 * into the run's {@link dev.orch.core.Usage} (pricing it from its price table when the backend reports no cost) and
 * checks the run's token, cost and turn limits against it at once.
 *
 * @param inputTokens prompt tokens so far, cached ones included
 * @param cachedInputTokens prompt tokens served from cache
 * @param outputTokens completion tokens, reasoning included
 * @param reasoningOutputTokens completion tokens spent on reasoning
 * @param totalTokens total as the backend counts it (0 = input + output)
 * @param reportedCostUsd the cost the backend itself reports (e.g. Claude Code's {@code total_cost_usd}), or null
 * @param model the model that did the work, or null
 * @param turns model turns so far (≥ 0)
 * @param last true when the run's terminal event follows this report directly (codex reports usage only with the
 *     end of its turn): a limit crossed here then turns that terminal event into the limit's failure, keeping its
 *     result (SPEC §12.3), instead of stopping the agent
 */
public record UsageReport(long inputTokens, long cachedInputTokens, long outputTokens, long reasoningOutputTokens,
    long totalTokens, Double reportedCostUsd, String model, int turns, boolean last) {

  /** Fills {@code totalTokens} when 0. @throws IllegalArgumentException for negative counts */
  public UsageReport {
    if (inputTokens < 0 || cachedInputTokens < 0 || outputTokens < 0 || reasoningOutputTokens < 0 || totalTokens < 0
        || turns < 0) {
      throw new IllegalArgumentException("usage counts must be >= 0");
    }
    if (totalTokens == 0) {
      totalTokens = inputTokens + outputTokens;
    }
  }
}
