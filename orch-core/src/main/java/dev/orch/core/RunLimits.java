package dev.orch.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Limits of one run (SPEC §12.3): {@code {timeout_ms?, idle_timeout_ms?, max_turns?, max_tokens?, max_cost_usd?}}.
 * A null field means "no limit" (after server defaults {@code ORCH_DEFAULT_TIMEOUT_MS},
 * {@code ORCH_DEFAULT_IDLE_TIMEOUT_MS}, {@code ORCH_DEFAULT_MAX_TURNS}, {@code ORCH_DEFAULT_MAX_TOKENS},
 * {@code ORCH_DEFAULT_MAX_COST_USD} were applied). A run over a limit is stopped like a cancel and ends
 * {@code run_failed {message:"<limit> exceeded: <seen> > <limit>", code:"limit_exceeded", limit:"<name>"}}.
 *
 * @param timeoutMs wall-clock time from the run's start, ms (≥ 1)
 * @param idleTimeoutMs longest time without an event while running, ms (≥ 1)
 * @param maxTurns most model turns (≥ 1)
 * @param maxTokens most total tokens (≥ 1)
 * @param maxCostUsd most cost in US dollars (&gt; 0)
 */
public record RunLimits(Long timeoutMs, Long idleTimeoutMs, Integer maxTurns, Long maxTokens, Double maxCostUsd) {
  /** No limits. */
  public static final RunLimits NONE = new RunLimits(null, null, null, null, null);

  /** @throws OrchException INVALID_ARGUMENT for a value out of range, naming the field */
  public RunLimits {
    positive("limits.timeout_ms", timeoutMs);
    positive("limits.idle_timeout_ms", idleTimeoutMs);
    positive("limits.max_turns", maxTurns == null ? null : maxTurns.longValue());
    positive("limits.max_tokens", maxTokens);
    if (maxCostUsd != null && !(maxCostUsd > 0 && Double.isFinite(maxCostUsd))) {
      throw OrchException.invalid("limits.max_cost_usd must be a number > 0");
    }
  }

  private static void positive(String name, Long v) {
    if (v != null && v < 1) {
      throw OrchException.invalid(name + " must be an integer >= 1");
    }
  }

  /** @return true when no limit is set */
  public boolean isEmpty() {
    return timeoutMs == null && idleTimeoutMs == null && maxTurns == null && maxTokens == null && maxCostUsd == null;
  }

  /** @return these limits, each unset one taken from {@code defaults} */
  public RunLimits orElse(RunLimits defaults) {
    return new RunLimits(timeoutMs != null ? timeoutMs : defaults.timeoutMs,
        idleTimeoutMs != null ? idleTimeoutMs : defaults.idleTimeoutMs,
        maxTurns != null ? maxTurns : defaults.maxTurns, maxTokens != null ? maxTokens : defaults.maxTokens,
        maxCostUsd != null ? maxCostUsd : defaults.maxCostUsd);
  }

  /** @return the wire object with the set fields only */
  public ObjectNode toJson() {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    if (timeoutMs != null) {
      n.put("timeout_ms", timeoutMs);
    }
    if (idleTimeoutMs != null) {
      n.put("idle_timeout_ms", idleTimeoutMs);
    }
    if (maxTurns != null) {
      n.put("max_turns", maxTurns);
    }
    if (maxTokens != null) {
      n.put("max_tokens", maxTokens);
    }
    if (maxCostUsd != null) {
      n.put("max_cost_usd", maxCostUsd);
    }
    return n;
  }

  /**
   * @param n a wire object (unknown keys ignored), or null
   * @return the limits; {@link #NONE} for null
   * @throws OrchException INVALID_ARGUMENT for a value of the wrong type or out of range, naming the field
   */
  public static RunLimits fromJson(JsonNode n) {
    if (n == null || n.isNull()) {
      return NONE;
    }
    if (!n.isObject()) {
      throw OrchException.invalid("limits must be an object");
    }
    return new RunLimits(integer(n, "timeout_ms"), integer(n, "idle_timeout_ms"),
        integer(n, "max_turns") == null ? null : Math.toIntExact(Math.min(Integer.MAX_VALUE,
            integer(n, "max_turns"))), integer(n, "max_tokens"), number(n, "max_cost_usd"));
  }

  private static Long integer(JsonNode n, String key) {
    JsonNode v = n.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw OrchException.invalid("limits." + key + " must be an integer >= 1");
    }
    return v.asLong();
  }

  private static Double number(JsonNode n, String key) {
    JsonNode v = n.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isNumber()) {
      throw OrchException.invalid("limits." + key + " must be a number > 0");
    }
    return v.asDouble();
  }
}
