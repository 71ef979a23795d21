package dev.orch.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of one {@code bin/orch-bench} run: one {@link Result} per {@link Row}, printed as a Markdown table
 * (stdout) with the baseline measured in the same run beside each figure and the target. Rows whose
 * section failed carry the failure instead of a figure. Not thread-safe.
 */
public final class Report {
  /**
   * One measured figure.
   *
   * @param orch Orch's figure, with unit (e.g. {@code 182 ms})
   * @param baseline the baseline's figure and what it is, or "—"
   * @param ratio Orch relative to the baseline (e.g. {@code 2.9×}), or "—"
   * @param detail sizes and repetitions used (e.g. {@code median of 5: 180 182 …})
   */
  public record Result(String orch, String baseline, String ratio, String detail) {
  }

  private final Map<Row, Result> results = new EnumMap<>(Row.class);
  private final Map<Row, String> failures = new EnumMap<>(Row.class);
  private final Map<Row, String> skipped = new EnumMap<>(Row.class);
  private final List<String> notes = new ArrayList<>();

  /** Records a figure (replacing an earlier one of the row). */
  public synchronized void put(Row row, Result result) {
    results.put(row, result);
    failures.remove(row);
  }

  /** Marks every row of a section that has no figure yet as failed with that reason. */
  public synchronized void fail(List<Row> rows, String reason) {
    for (Row r : rows) {
      if (!results.containsKey(r)) {
        failures.put(r, reason);
      }
    }
  }

  /** Adds a line printed under the table (how corpora were made, one-time costs…). */
  public synchronized void note(String line) {
    notes.add(line);
  }

  /** Marks rows as not measured on purpose (printed as skipped, not a failure). */
  public synchronized void skip(List<Row> rows, String why) {
    rows.forEach(r -> skipped.put(r, why));
  }

  /** @return true when every row that was not skipped has a figure */
  public synchronized boolean complete() {
    return failures.isEmpty() && results.size() + skipped.size() >= Row.values().length;
  }

  /** Prints the table and the notes. */
  public synchronized void print(PrintStream out) {
    out.println("| row | measure | Orch | baseline (same run) | Orch / baseline | must reach | detail |");
    out.println("|---|---|---|---|---|---|---|");
    for (Row row : Row.values()) {
      Result r = results.get(row);
      if (r == null && skipped.containsKey(row)) {
        out.printf("| %s | %s | skipped | — | — | %s | %s |%n", row.id(), row.measure(), row.target(),
            cell(skipped.get(row)));
      } else if (r == null) {
        String why = failures.getOrDefault(row, "not measured");
        out.printf("| %s | %s | FAILED | — | — | %s | %s |%n", row.id(), row.measure(), row.target(), cell(why));
      } else {
        out.printf("| %s | %s | %s | %s | %s | %s | %s |%n", row.id(), row.measure(), cell(r.orch()),
            cell(r.baseline()), cell(r.ratio()), row.target(), cell(r.detail()));
      }
    }
    if (!notes.isEmpty()) {
      out.println();
      notes.forEach(n -> out.println("- " + n));
    }
  }

  private static String cell(String s) {
    return s.replace('|', '/').replace('\n', ' ');
  }

  /** @return {@code a/b} as {@code 1.23×}, or "—" when b is 0 */
  public static String ratio(double a, double b) {
    return b == 0 ? "—" : String.format(Locale.ROOT, "%.2f×", a / b);
  }

  /** @return milliseconds with one decimal below 10 ms, none above */
  public static String ms(double ms) {
    return ms < 10 ? String.format(Locale.ROOT, "%.1f ms", ms) : String.format(Locale.ROOT, "%.0f ms", ms);
  }

  /** @return bytes in MiB (2^20 bytes), written {@code MB} as in the issue, e.g. {@code 142 MB} */
  public static String mb(long bytes) {
    return String.format(Locale.ROOT, "%.0f MB", bytes / 1048576.0);
  }

  /** @return a count with thousands separators, e.g. {@code 10 000} */
  public static String count(double n) {
    return String.format(Locale.ROOT, "%,.0f", n).replace(',', ' ');
  }
}
