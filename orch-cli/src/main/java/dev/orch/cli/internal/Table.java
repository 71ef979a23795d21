package dev.orch.cli.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * A plain text table for terminals: a header row, left-aligned columns separated by two spaces, the last column
 * cut to the terminal width. Cells may hold ANSI colour codes (they do not count towards the width). Hand-written:
 * the whole job is padding a few columns, which does not call for a library.
 */
public final class Table {
  private final List<String> headers;
  private final List<List<String>> rows = new ArrayList<>();

  /** @param headers column titles */
  public Table(String... headers) {
    this.headers = List.of(headers);
  }

  /** Adds a row (as many cells as headers; null prints as empty). @return this */
  public Table row(String... cells) {
    List<String> r = new ArrayList<>();
    for (String c : cells) {
      r.add(c == null ? "" : c.replace('\n', ' ').replace('\r', ' ').replace('\t', ' '));
    }
    rows.add(r);
    return this;
  }

  /** @return true when there are no rows */
  public boolean isEmpty() {
    return rows.isEmpty();
  }

  /**
   * @param terminal for the width and bold headers
   * @return the table text, one line per row, ending with a newline
   */
  public String render(Terminal terminal) {
    int n = headers.size();
    int[] w = new int[n];
    for (int i = 0; i < n; i++) {
      w[i] = headers.get(i).length();
      for (List<String> r : rows) {
        w[i] = Math.max(w[i], visible(r.get(i)));
      }
    }
    StringBuilder sb = new StringBuilder();
    line(sb, headers, w, terminal, true);
    for (List<String> r : rows) {
      line(sb, r, w, terminal, false);
    }
    return sb.toString();
  }

  private static void line(StringBuilder sb, List<String> cells, int[] w, Terminal terminal, boolean header) {
    StringBuilder l = new StringBuilder();
    int used = 0;
    for (int i = 0; i < cells.size(); i++) {
      String c = cells.get(i);
      boolean last = i == cells.size() - 1;
      if (last) {
        int room = Math.max(10, terminal.width() - used);
        if (visible(c) > room && !c.contains("\u001b")) {
          c = c.substring(0, room - 1) + "…";
        }
        l.append(header ? terminal.bold(c) : c);
      } else {
        l.append(header ? terminal.bold(c) : c).append(" ".repeat(w[i] - visible(c) + 2));
        used += w[i] + 2;
      }
    }
    sb.append(l.toString().stripTrailing()).append('\n');
  }

  /** @return the length without ANSI escape sequences */
  static int visible(String s) {
    return s.replaceAll("\u001b\\[[0-9;]*m", "").length();
  }
}
