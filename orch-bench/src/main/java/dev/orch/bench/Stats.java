package dev.orch.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Medians and percentiles of small samples (nearest-rank), and their one-line rendering. */
public final class Stats {
  private Stats() {
  }

  /** @return the median (mean of the middle two for an even count); 0 for none */
  public static double median(List<Double> values) {
    if (values.isEmpty()) {
      return 0;
    }
    List<Double> s = sorted(values);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  /**
   * @param p percentile, 0..100
   * @return the nearest-rank percentile; 0 for none
   */
  public static double percentile(List<Double> values, double p) {
    if (values.isEmpty()) {
      return 0;
    }
    List<Double> s = sorted(values);
    int rank = (int) Math.ceil(p / 100.0 * s.size());
    return s.get(Math.max(0, Math.min(s.size() - 1, rank - 1)));
  }

  /** @return the values rounded, space-separated, in measurement order (e.g. {@code 182 190 179}) */
  public static String list(List<Double> values) {
    return values.stream().map(v -> v < 10 ? String.format(Locale.ROOT, "%.1f", v)
        : String.format(Locale.ROOT, "%.0f", v)).collect(Collectors.joining(" "));
  }

  private static List<Double> sorted(List<Double> values) {
    List<Double> s = new ArrayList<>(values);
    Collections.sort(s);
    return s;
  }
}
