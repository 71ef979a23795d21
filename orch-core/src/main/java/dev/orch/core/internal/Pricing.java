package dev.orch.core.internal;

import dev.orch.core.Usage;
import dev.orch.core.spi.UsageReport;

/**
 * Turns a backend's usage report into the normalized {@link Usage} of SPEC §12.4: a cost the backend reports is
 * kept ({@code cost_source:"reported"}); otherwise the price table prices the model ({@code "price_table"}); a model
 * the table does not know stays {@code "unpriced"} with {@code cost_usd:null}, never a made-up 0.
 */
interface Pricing {
  /** Prices nothing itself: reported costs are kept, everything else is unpriced. */
  Pricing REPORTED_ONLY = r -> normalized(r, null, r.reportedCostUsd() != null ? Usage.CostSource.REPORTED
      : Usage.CostSource.UNPRICED);

  /**
   * @param report the backend's report
   * @return the normalized usage
   */
  Usage price(UsageReport report);

  /** @return the report as a Usage with the given cost (the reported one when source is REPORTED) */
  static Usage normalized(UsageReport r, Double tableCost, Usage.CostSource source) {
    Double cost = source == Usage.CostSource.REPORTED ? r.reportedCostUsd()
        : source == Usage.CostSource.PRICE_TABLE ? tableCost : null;
    return new Usage(r.inputTokens(), r.cachedInputTokens(), r.outputTokens(), r.reasoningOutputTokens(),
        r.totalTokens(), cost, source, r.model());
  }
}
