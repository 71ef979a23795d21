package dev.orch.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.orch.core.Role;
import dev.orch.core.RunId;
import dev.orch.core.RunOptions;
import dev.orch.core.RunStatus;
import dev.orch.core.SessionId;
import dev.orch.core.Usage;
import dev.orch.core.UsageQuery;
import dev.orch.core.UsageSummary;
import dev.orch.core.UsageTotal;
import dev.orch.core.spi.RunRecord;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("UsageLedger adds up usage with the documented cost rule (SPEC §12.4 get_usage)")
class UsageLedgerTest {
  static RunRecord run(String backend, String agent, Usage u) {
    return new RunRecord(RunId.random(), backend, Role.WORKER, SessionId.random(), agent, RunStatus.COMPLETED,
        Path.of("/w"), "p", null, JsonNodeFactory.instance.objectNode(), null, Instant.EPOCH, Instant.EPOCH, null, 3,
        "", null, null, null, JsonNodeFactory.instance.objectNode(), u, RunOptions.DEFAULT, null);
  }

  static Usage usage(long in, long out, Double cost, Usage.CostSource source, String model) {
    return new Usage(in, 0, out, 0, in + out, cost, source, model);
  }

  @Test
  @DisplayName("tokens add up; cost sums priced runs only; unpriced and usage-less runs are counted")
  void sums() {
    UsageTotal t = UsageLedger.add(null, List.of(
        run("codex", "a", usage(100, 10, 0.5, Usage.CostSource.PRICE_TABLE, "gpt-5")),
        run("codex", "b", usage(50, 5, null, Usage.CostSource.UNPRICED, "mystery")),
        run("codex", "c", null)));
    assertThat(t.runs()).isEqualTo(3);
    assertThat(t.runsWithoutUsage()).isEqualTo(1);
    assertThat(t.unpricedRuns()).isEqualTo(1);
    assertThat(t.inputTokens()).isEqualTo(150);
    assertThat(t.outputTokens()).isEqualTo(15);
    assertThat(t.totalTokens()).isEqualTo(165);
    assertThat(t.costUsd()).isEqualTo(0.5);
    assertThat(t.costSource()).isEqualTo("price_table");
    assertThat(t.model()).as("two models").isNull();
  }

  @Test
  @DisplayName("cost_source: reported and price_table together are mixed; nothing priced is unpriced with cost null")
  void costSourceRule() {
    assertThat(UsageLedger.add(null, List.of(
        run("claude_code", "a", usage(1, 1, 0.25, Usage.CostSource.REPORTED, "claude-x")),
        run("codex", "b", usage(1, 1, 0.5, Usage.CostSource.PRICE_TABLE, "gpt-5")))))
        .satisfies(t -> {
          assertThat(t.costSource()).isEqualTo("mixed");
          assertThat(t.costUsd()).isEqualTo(0.75);
        });
    assertThat(UsageLedger.add(null, List.of(run("x", "a", usage(1, 1, null, Usage.CostSource.UNPRICED, null)),
        run("x", "b", null)))).satisfies(t -> {
          assertThat(t.costSource()).isEqualTo("unpriced");
          assertThat(t.costUsd()).isNull();
        });
    assertThat(UsageLedger.add(null, List.of())).satisfies(t -> {
      assertThat(t.runs()).isZero();
      assertThat(t.costUsd()).isNull();
      assertThat(t.costSource()).isEqualTo("unpriced");
    });
    assertThat(UsageLedger.add(null, List.of(run("c", "a", usage(1, 1, 0.1, Usage.CostSource.REPORTED, "m")),
        run("c", "b", usage(1, 1, 0.2, Usage.CostSource.REPORTED, "m"))))).satisfies(t -> {
          assertThat(t.costSource()).isEqualTo("reported");
          assertThat(t.costUsd()).isEqualTo(0.3);
          assertThat(t.model()).isEqualTo("m");
        });
  }

  @Test
  @DisplayName("groups by backend, model (null key for runs without a model) and run, costliest first")
  void groups() {
    RunRecord a = run("codex", "a", usage(100, 10, 0.5, Usage.CostSource.PRICE_TABLE, "gpt-5"));
    RunRecord b = run("claude_code", "b", usage(10, 1, 0.9, Usage.CostSource.REPORTED, "claude-x"));
    RunRecord c = run("codex", "a", usage(5, 5, null, Usage.CostSource.UNPRICED, null));
    UsageSummary byBackend = UsageLedger.summarize(List.of(a, b, c), UsageQuery.GroupBy.BACKEND);
    assertThat(byBackend.groups()).extracting(UsageTotal::key).containsExactly("claude_code", "codex");
    assertThat(byBackend.groups().get(1).runs()).isEqualTo(2);
    assertThat(byBackend.groups().get(1).unpricedRuns()).isEqualTo(1);
    UsageSummary byModel = UsageLedger.summarize(List.of(a, b, c), UsageQuery.GroupBy.MODEL);
    assertThat(byModel.groups()).extracting(UsageTotal::key).containsExactly("claude-x", "gpt-5", null);
    UsageSummary byAgent = UsageLedger.summarize(List.of(a, b, c), UsageQuery.GroupBy.AGENT_NAME);
    assertThat(byAgent.groups()).extracting(UsageTotal::key).containsExactly("b", "a");
    UsageSummary byRun = UsageLedger.summarize(List.of(a, b, c), UsageQuery.GroupBy.RUN);
    assertThat(byRun.groups()).hasSize(3);
    assertThat(byRun.groups().get(0).key()).isEqualTo(b.runId().value());
    assertThat(UsageLedger.summarize(List.of(a), null).groups()).isEmpty();
    assertThat(byModel.toJson().at("/groups/2/key").isNull()).isTrue();
    assertThat(byModel.toJson().at("/totals/cost_source").asText()).isEqualTo("mixed");
  }
}
