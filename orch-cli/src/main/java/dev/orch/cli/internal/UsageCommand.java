package dev.orch.cli.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.Orchestrator;
import dev.orch.core.RunSummary;
import java.math.BigDecimal;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code orch usage}: tokens (and cost where a backend reports one) per backend, summed from what finished runs
 * report in their terminal event's {@code usage} — as reported, not normalized: codex reports its thread's running
 * total (a resumed thread counts its earlier turns again), claude_code reports per run plus {@code total_cost_usd},
 * remote_a2a reports nothing. Token keys read: {@code input_tokens}, {@code cached_input_tokens} or
 * {@code cache_read_input_tokens}, {@code output_tokens}, {@code reasoning_output_tokens}, at the top level of
 * {@code usage} or in {@code usage.usage} (claude).
 */
@Command(name = "usage", mixinStandardHelpOptions = true,
    description = {"Tokens and reported cost per backend, summed from finished runs' reported usage",
        "(as the backends report it; not normalized)."})
final class UsageCommand implements Callable<Integer> {
  @ParentCommand
  OrchCommand parent;

  @Option(names = "--cwd", paramLabel = "DIR", description = "Only runs of this working directory.")
  String cwd;

  @Option(names = "--backend", paramLabel = "ID", description = "Only runs of this backend.")
  String backend;

  @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "text", description = "text | json | jsonl.")
  Output output;

  /** Sums of one backend. */
  static final class Sum {
    long runs;
    long withUsage;
    long input;
    long cached;
    long outputTokens;
    long reasoning;
    BigDecimal cost = BigDecimal.ZERO;
    long withCost;

    void add(JsonNode usage) {
      withUsage++;
      JsonNode t = usage.path("usage").isObject() ? usage.get("usage") : usage;
      input += t.path("input_tokens").asLong(0);
      cached += t.has("cached_input_tokens") ? t.path("cached_input_tokens").asLong(0)
          : t.path("cache_read_input_tokens").asLong(0);
      outputTokens += t.path("output_tokens").asLong(0);
      reasoning += t.path("reasoning_output_tokens").asLong(0);
      if (usage.path("total_cost_usd").isNumber()) {
        cost = cost.add(usage.get("total_cost_usd").decimalValue());
        withCost++;
      }
    }

    ObjectNode toJson(String key) {
      ObjectNode n = JsonNodeFactory.instance.objectNode();
      n.put("backend", key);
      n.put("runs", runs);
      n.put("runs_with_usage", withUsage);
      n.put("input_tokens", input);
      n.put("cached_input_tokens", cached);
      n.put("output_tokens", outputTokens);
      n.put("reasoning_output_tokens", reasoning);
      if (withCost > 0) {
        n.put("reported_cost_usd", rounded(cost));
      } else {
        n.putNull("reported_cost_usd");
      }
      return n;
    }
  }

  @Override
  public Integer call() {
    Cli cli = parent.cli;
    Map<String, Sum> sums = new TreeMap<>();
    Sum total = new Sum();
    try (Orchestrator orch = cli.open(false)) {
      for (RunSummary r : orch.listRuns(null, backend, cwd == null ? null : Cli.cwd(cwd).toString())) {
        Sum s = sums.computeIfAbsent(r.backend(), k -> new Sum());
        s.runs++;
        total.runs++;
        JsonNode u = Outcome.of(orch, r).usage();
        if (u != null && u.isObject()) {
          s.add(u);
          total.add(u);
        }
      }
    }
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("source", "usage as reported in each finished run's terminal event; not normalized across backends");
    ArrayNode arr = root.putArray("backends");
    sums.forEach((k, s) -> arr.add(s.toJson(k)));
    root.set("totals", total.toJson("all"));
    switch (output) {
      case json -> cli.out().println(Wire.pretty(root));
      case jsonl -> arr.forEach(n -> cli.out().println(Wire.line(n)));
      default -> {
        Table t = new Table("BACKEND", "RUNS", "WITH USAGE", "INPUT", "CACHED", "OUTPUT", "REASONING",
            "REPORTED COST");
        sums.forEach((k, s) -> row(t, k, s));
        if (sums.size() > 1) {
          row(t, "all", total);
        }
        cli.out().print(t.render(cli.terminal()));
        cli.err().println(cli.terminal().dim("tokens as the backends report them (codex: running total of its"
            + " thread); cost only where reported (claude_code)"));
      }
    }
    return ExitCodes.OK;
  }

  private static void row(Table t, String k, Sum s) {
    t.row(k, Long.toString(s.runs), Long.toString(s.withUsage), Long.toString(s.input), Long.toString(s.cached),
        Long.toString(s.outputTokens), Long.toString(s.reasoning),
        s.withCost == 0 ? "-" : "$" + rounded(s.cost).toPlainString());
  }

  /** @return the sum of reported (binary floating point) costs rounded to 1e-6 USD */
  static BigDecimal rounded(BigDecimal cost) {
    return cost.setScale(6, java.math.RoundingMode.HALF_UP).stripTrailingZeros();
  }
}
