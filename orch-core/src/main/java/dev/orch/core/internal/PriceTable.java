package dev.orch.core.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orch.core.OrchException;
import dev.orch.core.Usage;
import dev.orch.core.spi.UsageReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Orch's price table (SPEC §12.4): USD per million input, cached-input and output tokens for known models, from the
 * class-path resource {@code dev/orch/core/internal/prices.json} (every entry names its source page and the date of
 * the figures), overridden entry by entry by the file named in {@code ORCH_PRICES} (same shape; a {@code null} entry
 * removes a model, so its runs become {@code unpriced}).
 *
 * <p>Pricing: a cost the backend reports is kept ({@code reported}); otherwise a known model is priced as
 * {@code (input - cached) × input + cached × cached_input + output × output} per million tokens (reasoning tokens
 * are part of output; {@code price_table}); an unknown or missing model is {@code unpriced} with cost null, never 0.
 * Model lookup ignores case, a bracketed suffix ({@code claude-opus-4-8[1m]}), a {@code provider/} prefix and a
 * trailing snapshot date ({@code -20250929}, {@code -2025-08-07}).
 *
 * <p>File shape: {@code {"models": {"<model>": {"input": n, "cached_input"?: n, "output": n, "source"?: url,
 * "as_of"?: date}}}} (numbers ≥ 0; {@code cached_input} defaults to {@code input}). Immutable and thread-safe.
 */
final class PriceTable implements Pricing {
  /** The environment variable naming an override file. */
  static final String ENV = "ORCH_PRICES";
  private static final String RESOURCE = "prices.json";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> ENTRY_KEYS = Set.of("input", "cached_input", "output", "source", "as_of", "note");

  /**
   * Prices of one model, USD per million tokens.
   *
   * @param input uncached input tokens
   * @param cachedInput input tokens served from the provider's cache
   * @param output output tokens (reasoning included)
   * @param source where the figures come from (URL), or null (override files)
   * @param asOf the date of the figures (ISO date), or null
   */
  record Price(double input, double cachedInput, double output, String source, String asOf) {
  }

  private final Map<String, Price> prices;

  private PriceTable(Map<String, Price> prices) {
    this.prices = Map.copyOf(prices);
  }

  /**
   * @param env the environment ({@value #ENV})
   * @return the built-in table with the override file applied
   * @throws OrchException INVALID_ARGUMENT {@code Invalid price table <file>: <entry>: <problem>; ...} naming the file
   *     and every bad entry, or when the file cannot be read
   */
  static PriceTable load(Map<String, String> env) {
    Map<String, Price> table = new LinkedHashMap<>();
    try (InputStream in = PriceTable.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the price table resource " + RESOURCE + " is missing from orch-core");
      }
      merge(table, JSON.readTree(in), "built-in " + RESOURCE, true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the built-in price table", e);
    }
    String file = env.get(ENV);
    if (file != null && !file.isBlank()) {
      Path p = Path.of(file.trim());
      JsonNode doc;
      try {
        doc = JSON.readTree(Files.readString(p));
      } catch (JsonProcessingException e) {
        throw OrchException.invalid("Invalid price table " + p + " (" + ENV + "): not valid JSON: "
            + e.getOriginalMessage());
      } catch (IOException e) {
        throw OrchException.invalid("Invalid price table " + p + " (" + ENV + "): cannot read it: " + e);
      }
      merge(table, doc, p + " (" + ENV + ")", false);
    }
    return new PriceTable(table);
  }

  /** @return a table of exactly these prices (tests) */
  static PriceTable of(Map<String, Price> prices) {
    Map<String, Price> m = new LinkedHashMap<>();
    prices.forEach((k, v) -> m.put(k.toLowerCase(Locale.ROOT), v));
    return new PriceTable(m);
  }

  private static void merge(Map<String, Price> table, JsonNode doc, String origin, boolean builtIn) {
    List<String> bad = new ArrayList<>();
    JsonNode models = doc == null ? null : doc.get("models");
    if (models == null || !models.isObject()) {
      throw OrchException.invalid("Invalid price table " + origin + ": expected an object {\"models\": {...}}");
    }
    Map<String, Price> parsed = new LinkedHashMap<>();
    List<String> removed = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = models.properties().iterator(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String name = e.getKey().trim().toLowerCase(Locale.ROOT);
      String where = "models.\"" + e.getKey() + "\"";
      JsonNode v = e.getValue();
      if (name.isEmpty()) {
        bad.add(where + ": model names must not be blank");
      } else if (v.isNull() && !builtIn) {
        removed.add(name);
      } else if (!v.isObject()) {
        bad.add(where + ": expected an object {input, cached_input?, output, source?, as_of?}");
      } else {
        Price p = entry(v, where, builtIn, bad);
        if (p != null) {
          parsed.put(name, p);
        }
      }
    }
    if (!bad.isEmpty()) {
      throw OrchException.invalid("Invalid price table " + origin + ": " + String.join("; ", bad));
    }
    removed.forEach(table::remove);
    table.putAll(parsed);
  }

  private static Price entry(JsonNode v, String where, boolean builtIn, List<String> bad) {
    int before = bad.size();
    v.fieldNames().forEachRemaining(k -> {
      if (!ENTRY_KEYS.contains(k)) {
        bad.add(where + "." + k + ": unknown key (known: input, cached_input, output, source, as_of, note)");
      }
    });
    Double input = amount(v, "input", true, where, bad);
    Double cached = amount(v, "cached_input", false, where, bad);
    Double output = amount(v, "output", true, where, bad);
    String source = text(v, "source", builtIn, where, bad);
    String asOf = text(v, "as_of", builtIn, where, bad);
    if (bad.size() > before) {
      return null;
    }
    return new Price(input, cached == null ? input : cached, output, source, asOf);
  }

  private static Double amount(JsonNode v, String key, boolean required, String where, List<String> bad) {
    JsonNode n = v.get(key);
    if (n == null || n.isNull()) {
      if (required) {
        bad.add(where + "." + key + ": is required (USD per million tokens)");
      }
      return null;
    }
    if (!n.isNumber() || !(n.asDouble() >= 0) || Double.isInfinite(n.asDouble())) {
      bad.add(where + "." + key + ": expected a number >= 0 (USD per million tokens), got " + n);
      return null;
    }
    return n.asDouble();
  }

  private static String text(JsonNode v, String key, boolean required, String where, List<String> bad) {
    JsonNode n = v.get(key);
    if (n == null || n.isNull()) {
      if (required) {
        bad.add(where + "." + key + ": is required in the built-in table");
      }
      return null;
    }
    if (!n.isTextual() || n.asText().isBlank()) {
      bad.add(where + "." + key + ": expected a non-empty string");
      return null;
    }
    return n.asText();
  }

  /** @return the models of the table (lowercase), for diagnostics and tests */
  Map<String, Price> prices() {
    return prices;
  }

  /**
   * @param model a model id as a backend reports it, or null
   * @return its price, or null when unknown
   */
  Price lookup(String model) {
    if (model == null || model.isBlank()) {
      return null;
    }
    String m = model.trim().toLowerCase(Locale.ROOT);
    Price p = prices.get(m);
    if (p != null) {
      return p;
    }
    m = m.replaceAll("\\[[^\\]]*\\]$", "");
    if (m.contains("/")) {
      m = m.substring(m.lastIndexOf('/') + 1);
    }
    p = prices.get(m);
    if (p != null) {
      return p;
    }
    String undated = m.replaceAll("-(\\d{8}|\\d{4}-\\d{2}-\\d{2})$", "");
    return prices.get(undated);
  }

  @Override
  public Usage price(UsageReport r) {
    if (r.reportedCostUsd() != null) {
      return Pricing.normalized(r, null, Usage.CostSource.REPORTED);
    }
    Price p = lookup(r.model());
    if (p == null) {
      return Pricing.normalized(r, null, Usage.CostSource.UNPRICED);
    }
    long cached = Math.min(r.cachedInputTokens(), r.inputTokens());
    double usd = ((r.inputTokens() - cached) * p.input() + cached * p.cachedInput() + r.outputTokens() * p.output())
        / 1_000_000d;
    return Pricing.normalized(r, round(usd), Usage.CostSource.PRICE_TABLE);
  }

  /** @return the amount rounded to 10 decimal places (no binary noise like 0.0018200000000000002) */
  static double round(double usd) {
    return BigDecimal.valueOf(usd).setScale(10, RoundingMode.HALF_UP).doubleValue();
  }
}
