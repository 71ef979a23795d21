package dev.orch.core.internal;

import dev.orch.core.Usage;
import dev.orch.core.UsageQuery;
import dev.orch.core.UsageSummary;
import dev.orch.core.UsageTotal;
import dev.orch.core.spi.RunRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Adds up the usage of runs for {@code get_usage} (SPEC §12.4), with the cost rule of {@link UsageTotal}. Pure.
 */
final class UsageLedger {
  private UsageLedger() {
  }

  /**
   * @param runs the runs that passed the query's filters
   * @param groupBy how to group, or null for no groups
   * @return totals and groups
   */
  static UsageSummary summarize(List<RunRecord> runs, UsageQuery.GroupBy groupBy) {
    UsageTotal totals = add(null, runs);
    List<UsageTotal> groups = new ArrayList<>();
    if (groupBy != null) {
      Map<String, List<RunRecord>> byKey = new LinkedHashMap<>();
      List<RunRecord> nullKey = new ArrayList<>();
      for (RunRecord r : runs) {
        String k = keyOf(r, groupBy);
        if (k == null) {
          nullKey.add(r);
        } else {
          byKey.computeIfAbsent(k, x -> new ArrayList<>()).add(r);
        }
      }
      byKey.forEach((k, list) -> groups.add(add(k, list)));
      if (!nullKey.isEmpty()) {
        groups.add(add(null, nullKey));
      }
      groups.sort(Comparator.comparing((UsageTotal t) -> t.costUsd() == null ? -1d : t.costUsd()).reversed()
          .thenComparing(Comparator.comparingLong(UsageTotal::totalTokens).reversed())
          .thenComparing(UsageTotal::key, Comparator.nullsLast(Comparator.naturalOrder())));
    }
    return new UsageSummary(totals, groups);
  }

  private static String keyOf(RunRecord r, UsageQuery.GroupBy g) {
    return switch (g) {
      case BACKEND -> r.backend();
      case MODEL -> r.usage() == null ? null : r.usage().model();
      case AGENT_NAME -> r.agentName();
      case RUN -> r.runId().value();
    };
  }

  /** @return the sum of the runs' usage under the cost rule */
  static UsageTotal add(String key, List<RunRecord> runs) {
    long in = 0;
    long cached = 0;
    long out = 0;
    long reasoning = 0;
    long total = 0;
    double cost = 0;
    int without = 0;
    int unpriced = 0;
    Set<Usage.CostSource> sources = new LinkedHashSet<>();
    Set<String> models = new LinkedHashSet<>();
    for (RunRecord r : runs) {
      Usage u = r.usage();
      if (u == null) {
        without++;
        continue;
      }
      in += u.inputTokens();
      cached += u.cachedInputTokens();
      out += u.outputTokens();
      reasoning += u.reasoningOutputTokens();
      total += u.totalTokens();
      models.add(u.model());
      if (u.costUsd() == null || u.costSource() == Usage.CostSource.UNPRICED) {
        unpriced++;
      } else {
        cost += u.costUsd();
        sources.add(u.costSource());
      }
    }
    String source;
    if (sources.isEmpty()) {
      source = Usage.CostSource.UNPRICED.wire();
    } else if (sources.size() == 1) {
      source = sources.iterator().next().wire();
    } else {
      source = UsageTotal.MIXED;
    }
    String model = models.size() == 1 ? models.iterator().next() : null;
    return new UsageTotal(key, runs.size(), without, unpriced, in, cached, out, reasoning, total,
        sources.isEmpty() ? null : PriceTable.round(cost), source, model);
  }
}
