package dev.orch.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orch.core.OrchException;
import dev.orch.core.Usage;
import dev.orch.core.spi.UsageReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("PriceTable prices usage from the built-in table and ORCH_PRICES (SPEC §12.4)")
class PriceTableTest {
  @TempDir
  Path dir;

  static UsageReport report(String model, long in, long cached, long out, Double reported) {
    return new UsageReport(in, cached, out, 0, 0, reported, model, 1, true);
  }

  @Test
  @DisplayName("every built-in entry names its source page and the date of its figures")
  void builtInEntriesAreSourced() {
    PriceTable t = PriceTable.load(Map.of());
    assertThat(t.prices()).isNotEmpty().containsKeys("gpt-5.5", "gpt-5", "claude-sonnet-4-5");
    t.prices().forEach((model, p) -> {
      assertThat(p.source()).as("source of %s", model).startsWith("https://");
      assertThat(p.asOf()).as("as_of of %s", model).matches("\\d{4}-\\d{2}-\\d{2}");
      assertThat(p.input()).as("input of %s", model).isPositive();
      assertThat(p.output()).as("output of %s", model).isPositive();
      assertThat(p.cachedInput()).as("cached input of %s", model).isLessThanOrEqualTo(p.input());
    });
  }

  @Test
  @DisplayName("a known model is priced per million tokens: uncached input, cached input and output at their rates")
  void pricesKnownModel() {
    PriceTable t = PriceTable.of(Map.of("m1", new PriceTable.Price(5, 0.5, 30, null, null)));
    Usage u = t.price(report("m1", 120, 20, 12, null));
    assertThat(u.costSource()).isEqualTo(Usage.CostSource.PRICE_TABLE);
    // 100 × 5 + 20 × 0.5 + 12 × 30 = 870 → per million
    assertThat(u.costUsd()).isEqualTo(0.00087);
    assertThat(u.model()).isEqualTo("m1");
    assertThat(u.totalTokens()).isEqualTo(132);
  }

  @Test
  @DisplayName("an unknown or missing model is unpriced with cost null, never 0")
  void unknownIsUnpriced() {
    PriceTable t = PriceTable.load(Map.of());
    Usage u = t.price(report("no-such-model", 1000, 0, 1000, null));
    assertThat(u.costSource()).isEqualTo(Usage.CostSource.UNPRICED);
    assertThat(u.costUsd()).isNull();
    assertThat(t.price(report(null, 1, 0, 1, null)).costUsd()).isNull();
  }

  @Test
  @DisplayName("a cost the backend reports is kept as reported, even for a priced model")
  void reportedWins() {
    Usage u = PriceTable.load(Map.of()).price(report("gpt-5", 1000, 0, 1000, 0.25));
    assertThat(u.costSource()).isEqualTo(Usage.CostSource.REPORTED);
    assertThat(u.costUsd()).isEqualTo(0.25);
  }

  @Test
  @DisplayName("lookup ignores case, a bracketed suffix, a provider prefix and a snapshot date")
  void lookupNormalizes() {
    PriceTable t = PriceTable.load(Map.of());
    assertThat(t.lookup("Claude-Opus-4-8[1m]")).isEqualTo(t.lookup("claude-opus-4-8"));
    assertThat(t.lookup("openai/gpt-5")).isEqualTo(t.lookup("gpt-5"));
    assertThat(t.lookup("claude-sonnet-4-5-20250929")).isEqualTo(t.lookup("claude-sonnet-4-5"));
    assertThat(t.lookup("gpt-4.1-2025-04-14")).isEqualTo(t.lookup("gpt-4.1"));
    assertThat(t.lookup("gpt-4.1-2025-04-14")).isNotNull();
  }

  @Test
  @DisplayName("ORCH_PRICES adds models, replaces entries and removes a model with null")
  void overrideFile() throws Exception {
    Path f = dir.resolve("prices.json");
    Files.writeString(f, "{\"models\": {\"mock-model\": {\"input\": 1, \"output\": 2},"
        + " \"gpt-5\": {\"input\": 10, \"cached_input\": 1, \"output\": 100}, \"gpt-5-mini\": null}}");
    PriceTable t = PriceTable.load(Map.of("ORCH_PRICES", f.toString()));
    assertThat(t.price(report("mock-model", 1_000_000, 0, 1_000_000, null)).costUsd()).isEqualTo(3.0);
    assertThat(t.lookup("mock-model").cachedInput()).as("cached_input defaults to input").isEqualTo(1.0);
    assertThat(t.lookup("gpt-5").output()).isEqualTo(100.0);
    assertThat(t.lookup("gpt-5-mini")).isNull();
    assertThat(t.lookup("gpt-5.5")).as("other built-ins stay").isNotNull();
  }

  @Test
  @DisplayName("a bad ORCH_PRICES file fails at start naming the file and every bad entry")
  void badOverrideFile() throws Exception {
    Path f = dir.resolve("bad.json");
    Files.writeString(f, "{\"models\": {\"a\": {\"input\": -1, \"output\": 2}, \"b\": {\"input\": 1, \"ouput\": 2},"
        + " \"c\": 5}}");
    assertThatThrownBy(() -> PriceTable.load(Map.of("ORCH_PRICES", f.toString())))
        .isInstanceOf(OrchException.class)
        .hasMessageContaining("Invalid price table " + f)
        .hasMessageContaining("models.\"a\".input: expected a number >= 0")
        .hasMessageContaining("models.\"b\".ouput: unknown key")
        .hasMessageContaining("models.\"b\".output: is required")
        .hasMessageContaining("models.\"c\": expected an object");
    Files.writeString(f, "{not json");
    assertThatThrownBy(() -> PriceTable.load(Map.of("ORCH_PRICES", f.toString())))
        .hasMessageContaining("Invalid price table " + f).hasMessageContaining("not valid JSON");
    assertThatThrownBy(() -> PriceTable.load(Map.of("ORCH_PRICES", dir.resolve("missing.json").toString())))
        .hasMessageContaining("missing.json").hasMessageContaining("cannot read it");
  }
}
