package dev.orch.core;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * The usage of several runs added up ({@code get_usage} totals and groups, SPEC §12.4): the keys of a run's
 * {@link Usage} plus how many runs went in.
 *
 * <p>Cost rule: {@code cost_usd} is the sum over the runs whose cost is known ({@code reported} or
 * {@code price_table}); it is null when no run has a known cost. {@code cost_source} is {@code reported} or
 * {@code price_table} when every priced run has that source, {@code mixed} when both occur, and {@code unpriced} when
 * none is priced. Runs with usage but no price are counted in {@code unpriced_runs}: when it is above 0 the cost is a
 * lower bound. {@code model} is the one model all runs with usage share, else null.
 *
 * @param key the group's key (backend, model, agent name or run id), or null for the totals and for runs without a
 *     model / agent name
 * @param runs runs in the group
 * @param runsWithoutUsage runs whose backend reported no usage (they add nothing)
 * @param unpricedRuns runs with usage but without a known cost
 * @param inputTokens sum of input tokens
 * @param cachedInputTokens sum of cached input tokens
 * @param outputTokens sum of output tokens
 * @param reasoningOutputTokens sum of reasoning output tokens
 * @param totalTokens sum of total tokens
 * @param costUsd sum of the known costs, USD, or null when none is known
 * @param costSource {@code reported}, {@code price_table}, {@code mixed} or {@code unpriced}
 * @param model the shared model, or null
 */
public record UsageTotal(String key, int runs, int runsWithoutUsage, int unpricedRuns, long inputTokens,
    long cachedInputTokens, long outputTokens, long reasoningOutputTokens, long totalTokens, Double costUsd,
    String costSource, String model) {

  /** Cost source of a sum mixing reported and price-table costs. */
  public static final String MIXED = "mixed";

  /**
   * @param withKey whether to write {@code key} (groups) or not (totals)
   * @return {@code {key?, runs, runs_without_usage, unpriced_runs, input_tokens, cached_input_tokens, output_tokens,
   *     reasoning_output_tokens, total_tokens, cost_usd, cost_source, model}}
   */
  public ObjectNode toJson(boolean withKey) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    if (withKey) {
      n.put("key", key);
    }
    n.put("runs", runs);
    n.put("runs_without_usage", runsWithoutUsage);
    n.put("unpriced_runs", unpricedRuns);
    n.put("input_tokens", inputTokens);
    n.put("cached_input_tokens", cachedInputTokens);
    n.put("output_tokens", outputTokens);
    n.put("reasoning_output_tokens", reasoningOutputTokens);
    n.put("total_tokens", totalTokens);
    if (costUsd == null) {
      n.putNull("cost_usd");
    } else {
      n.put("cost_usd", costUsd);
    }
    n.put("cost_source", costSource.toLowerCase(Locale.ROOT));
    n.put("model", model);
    return n;
  }
}
