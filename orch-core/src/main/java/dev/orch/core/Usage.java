package dev.orch.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Optional;

/**
 * A run's normalized token usage and cost (SPEC §12.4), the same shape for every backend:
 * {@code {input_tokens, cached_input_tokens, output_tokens, reasoning_output_tokens, total_tokens,
 * cost_usd: number|null, cost_source: "reported"|"price_table"|"unpriced", model: string|null}}.
 * Token counts are cumulative for the run. An unknown model's cost is {@code null} with source {@code unpriced},
 * never a made-up 0.
 *
 * @param inputTokens prompt tokens, cached ones included
 * @param cachedInputTokens prompt tokens served from the provider's cache
 * @param outputTokens completion tokens, reasoning included
 * @param reasoningOutputTokens completion tokens spent on reasoning
 * @param totalTokens input + output as the backend reports it
 * @param costUsd cost in US dollars, or null when unpriced
 * @param costSource where the cost comes from
 * @param model the model, or null when the backend does not say
 */
public record Usage(long inputTokens, long cachedInputTokens, long outputTokens, long reasoningOutputTokens,
    long totalTokens, Double costUsd, CostSource costSource, String model) {

  /** Where a cost comes from. */
  public enum CostSource {
    /** the backend reported it (e.g. Claude Code's {@code total_cost_usd}) */
    REPORTED,
    /** computed from Orch's price table for the model */
    PRICE_TABLE,
    /** no price known: {@code cost_usd} is null */
    UNPRICED;

    /** @return the wire name */
    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** @return the source with that wire name */
    public static Optional<CostSource> fromWire(String w) {
      for (CostSource s : values()) {
        if (s.wire().equals(w)) {
          return Optional.of(s);
        }
      }
      return Optional.empty();
    }
  }

  /** @throws IllegalArgumentException for negative counts; NullPointerException for a null source */
  public Usage {
    if (inputTokens < 0 || cachedInputTokens < 0 || outputTokens < 0 || reasoningOutputTokens < 0
        || totalTokens < 0) {
      throw new IllegalArgumentException("token counts must be >= 0");
    }
    java.util.Objects.requireNonNull(costSource, "costSource");
    if (costSource == CostSource.UNPRICED) {
      costUsd = null;
    }
  }

  /** @return the wire object (snake_case, every key present) */
  public ObjectNode toJson() {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
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
    n.put("cost_source", costSource.wire());
    if (model == null) {
      n.putNull("model");
    } else {
      n.put("model", model);
    }
    return n;
  }

  /**
   * @param n a wire object as written by {@link #toJson()}
   * @return the usage, or null when {@code n} is null, not an object or malformed
   */
  public static Usage fromJson(JsonNode n) {
    if (n == null || !n.isObject()) {
      return null;
    }
    try {
      JsonNode cost = n.get("cost_usd");
      return new Usage(n.path("input_tokens").asLong(0), n.path("cached_input_tokens").asLong(0),
          n.path("output_tokens").asLong(0), n.path("reasoning_output_tokens").asLong(0),
          n.path("total_tokens").asLong(0), cost == null || !cost.isNumber() ? null : cost.asDouble(),
          CostSource.fromWire(n.path("cost_source").asText("")).orElse(CostSource.UNPRICED),
          n.path("model").isTextual() ? n.get("model").asText() : null);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
