package dev.orch.soak;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The figures of one soak part: invariant counters that must stay zero (each increment comes with a description of
 * what was seen), plain counts (runs, calls, events) and call latencies. Thread-safe.
 */
final class Figures {
  /** Events or runs a client saw (or a spawn answered) that are not on disk afterwards, or missing from a view. */
  static final String LOST = "lost";
  /** events.jsonl lines that are not whole JSON events, or a log not ending with a newline. */
  static final String TORN = "torn";
  /** Positions in events.jsonl whose seq is not the line number. */
  static final String SEQ_GAPS = "seq gaps";
  /** Settled runs whose log does not hold exactly one terminal event, or whose run.json disagrees with it. */
  static final String NOT_ONE_END = "ends != 1";
  /** Non-terminal runs that no live process owns (nobody will ever end them). */
  static final String STRANDED = "stranded";
  /** Terminal runs whose lease is still held or whose active-run marker is still there. */
  static final String STALE_LEASES = "stale leases";
  /** Agent processes alive without a live run. */
  static final String ORPHANED = "orphaned";
  /** Runs, events or messages seen twice where they must be unique. */
  static final String DUPLICATED = "duplicated";
  /** Calls with no answer in time, or a server that stopped answering. */
  static final String UNANSWERED = "unanswered";
  /** Answers that break the answer rules (class names, stack traces, server paths, uncut echoes, wrong shape). */
  static final String BAD_ANSWERS = "bad answers";

  private static final List<String> INVARIANTS = List.of(LOST, TORN, SEQ_GAPS, NOT_ONE_END, STRANDED, STALE_LEASES,
      ORPHANED, DUPLICATED, UNANSWERED, BAD_ANSWERS);
  private static final int MAX_PROBLEMS = 50;

  final String part;
  private final Map<String, AtomicLong> invariants = new LinkedHashMap<>();
  private final Map<String, AtomicLong> counts = Collections.synchronizedMap(new LinkedHashMap<>());
  private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
  private final ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<String> notes = new ConcurrentLinkedQueue<>();

  Figures(String part) {
    this.part = part;
    INVARIANTS.forEach(k -> invariants.put(k, new AtomicLong()));
  }

  /** Counts one broken invariant, keeping its description (the first {@value #MAX_PROBLEMS}). */
  void problem(String invariant, String what) {
    AtomicLong c = invariants.get(invariant);
    if (c == null) {
      throw new IllegalArgumentException("unknown invariant " + invariant);
    }
    c.incrementAndGet();
    if (problems.size() < MAX_PROBLEMS) {
      problems.add(invariant + ": " + what);
    }
  }

  /** Adds to a plain count (runs, calls, events…). */
  void count(String name, long n) {
    counts.computeIfAbsent(name, k -> new AtomicLong()).addAndGet(n);
  }

  /** @return a plain count, 0 when never counted */
  long count(String name) {
    AtomicLong c = counts.get(name);
    return c == null ? 0 : c.get();
  }

  /** @return an invariant counter */
  long invariant(String name) {
    return invariants.get(name).get();
  }

  /** Records the latency of one answered call, ns. */
  void latency(long nanos) {
    latencies.add(nanos);
  }

  /** Adds a free-text note to the report (e.g. a measured EOF exit time). */
  void note(String text) {
    notes.add(text);
  }

  /** @return true when every invariant counter is zero */
  boolean clean() {
    return invariants.values().stream().allMatch(c -> c.get() == 0);
  }

  /** @return the described problems (at most {@value #MAX_PROBLEMS}) */
  List<String> problems() {
    synchronized (problems) {
      return List.copyOf(problems);
    }
  }

  /** @return the latency at that percentile (0–100), ms; NaN without samples */
  double percentileMs(double p) {
    List<Long> all = new ArrayList<>(latencies);
    if (all.isEmpty()) {
      return Double.NaN;
    }
    Collections.sort(all);
    int i = (int) Math.ceil(p / 100.0 * all.size()) - 1;
    return all.get(Math.max(0, Math.min(all.size() - 1, i))) / 1e6;
  }

  /** @return how many latencies were recorded */
  int samples() {
    return latencies.size();
  }

  /** @return a multi-line report: the counts, the invariants, latencies, notes and the first problems */
  String report() {
    StringBuilder sb = new StringBuilder();
    sb.append("== ").append(part).append(clean() ? "  [clean]" : "  [PROBLEMS]").append('\n');
    synchronized (counts) {
      counts.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "   %-28s %d%n", k, v.get())));
    }
    invariants.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "   %-28s %d%n", k, v.get())));
    if (samples() > 0) {
      sb.append(String.format(Locale.ROOT, "   %-28s %d calls, p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", "latency",
          samples(), percentileMs(50), percentileMs(99), percentileMs(100)));
    }
    notes.forEach(n -> sb.append("   ").append(n).append('\n'));
    problems().forEach(p -> sb.append("   ! ").append(p).append('\n'));
    return sb.toString();
  }

  /** @return the table header matching {@link #row()} */
  static String header() {
    return String.format(Locale.ROOT, "%-42s %6s %5s %6s %8s %9s %6s %6s %8s %9s %9s%n", "part", "lost", "torn",
        "gaps", "orphaned", "unanswer.", "ends≠1", "dupl.", "stranded", "p50 ms", "p99 ms");
  }

  /** @return one table row with the main figures */
  String row() {
    return String.format(Locale.ROOT, "%-42s %6d %5d %6d %8d %9d %6d %6d %8d %9s %9s%n", part, invariant(LOST),
        invariant(TORN), invariant(SEQ_GAPS), invariant(ORPHANED), invariant(UNANSWERED), invariant(NOT_ONE_END),
        invariant(DUPLICATED), invariant(STRANDED) + invariant(STALE_LEASES), ms(percentileMs(50)),
        ms(percentileMs(99)));
  }

  private static String ms(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
  }
}
