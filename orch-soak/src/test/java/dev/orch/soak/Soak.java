package dev.orch.soak;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.engine.discovery.DiscoverySelectors;

/**
 * {@code bin/orch-soak}: the big numbers of issue 9 item 6 against the real server, printed as figures (lost, torn,
 * seq gaps, orphaned, unanswered, runs without exactly one end, duplicated, stranded/stale, latency p50/p99) and a
 * table. Exits 0 when every invariant counter is zero, 1 otherwise.
 *
 * <p>Usage: {@code bin/orch-soak [--cycles 50] [--runs-per-cycle 3] [--two-server-runs 40] [--messages 50]
 * [--load-rounds 10] [--calls 100000] [--raw-lines 5000] [--seed N] [--only kill,two,load,fuzz,raw]}.
 */
public final class Soak {
  private Soak() {
  }

  /**
   * @param args see the class comment
   * @throws Exception when a part cannot run at all (the server does not start…)
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> o = new java.util.HashMap<>(Map.of("cycles", "50", "runs-per-cycle", "3",
        "two-server-runs", "40", "messages", "50", "load-rounds", "10", "calls", "100000", "raw-lines", "5000",
        "seed", Long.toString(System.nanoTime()), "only", "kill,two,load,fuzz,raw"));
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--") || !o.containsKey(args[i].substring(2))) {
        System.err.println("unknown option " + args[i] + "; options: " + o.keySet());
        System.exit(2);
      }
      o.put(args[i].substring(2), args[i + 1]);
    }
    long seed = Long.parseLong(o.get("seed"));
    Set<String> only = Set.of(o.get("only").split(","));
    List<Figures> all = new ArrayList<>();
    Instant start = Instant.now();
    System.out.printf(Locale.ROOT, "orch-soak: seed %d, %d cores, load average %.1f%n", seed,
        Runtime.getRuntime().availableProcessors(), loadAverage());
    if (only.contains("kill")) {
      all.add(part("kill", () -> KillCycles.run(SoakEnv.create("kill"), new KillCycles.Options(
          Integer.parseInt(o.get("cycles")), Integer.parseInt(o.get("runs-per-cycle")), seed, null))));
    }
    if (only.contains("two")) {
      all.add(part("two", () -> TwoServers.run(SoakEnv.create("two"), Integer.parseInt(o.get("two-server-runs")),
          Integer.parseInt(o.get("messages")))));
    }
    if (only.contains("load")) {
      all.add(part("load", () -> LoadPattern.run(SoakEnv.create("load"), Integer.parseInt(o.get("load-rounds")))));
    }
    if (only.contains("fuzz")) {
      all.add(part("fuzz", () -> fuzz(Integer.parseInt(o.get("calls")))));
    }
    if (only.contains("raw")) {
      all.add(part("raw", () -> RawLines.run(SoakEnv.create("raw"), Integer.parseInt(o.get("raw-lines")), seed,
          1000)));
    }
    System.out.println();
    System.out.printf(Locale.ROOT, "orch-soak: %d s, load average now %.1f%n",
        Duration.between(start, Instant.now()).toSeconds(), loadAverage());
    System.out.print(Figures.header());
    all.forEach(f -> System.out.print(f.row()));
    boolean clean = all.stream().allMatch(Figures::clean);
    System.out.println(clean ? "orch-soak: all invariants held" : "orch-soak: PROBLEMS (see above)");
    System.exit(clean ? 0 : 1);
  }

  private static Figures part(String name, Callable<Figures> run) throws Exception {
    long t0 = System.nanoTime();
    System.out.println("orch-soak: running " + name + " …");
    Figures f = run.call();
    f.note(String.format(Locale.ROOT, "took %.0f s", (System.nanoTime() - t0) / 1e9));
    System.out.print(f.report());
    return f;
  }

  /** Runs {@link ToolCallFuzzSoak} on the JUnit Platform with that many tries. */
  private static Figures fuzz(int calls) {
    LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
        .selectors(DiscoverySelectors.selectClass(ToolCallFuzzSoak.class))
        .configurationParameter("jqwik.tries.default", Integer.toString(calls))
        .configurationParameter("jqwik.database", "target/jqwik-database-soak")
        .configurationParameter("jqwik.reporting.onlyfailures", "true")
        .build();
    Launcher launcher = LauncherFactory.create();
    SummaryGeneratingListener summary = new SummaryGeneratingListener();
    launcher.execute(request, summary);
    Figures f = ToolCallFuzzSoak.figures;
    if (f == null) {
      throw new IllegalStateException("the generated-call property did not run: " + summary.getSummary()
          .getFailures());
    }
    summary.getSummary().getFailures().forEach(x -> f.problem(Figures.BAD_ANSWERS, "the property failed: "
        + x.getException()));
    return f;
  }

  private static double loadAverage() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }
}
