package dev.orch.cli.internal;

import java.io.PrintStream;

/**
 * The live one-line status at the bottom of a terminal ({@code orch events tail -f}, foreground runs): redrawn in
 * place with {@code \r} + erase-line, cleared before any other line is printed. Does nothing when disabled (not a
 * terminal). Not thread-safe.
 */
public final class StatusLine {
  private static final String[] SPINNER = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};
  private final PrintStream out;
  private final boolean enabled;
  private final int width;
  private boolean shown;
  private int tick;

  /**
   * @param out the terminal stream the line is drawn on
   * @param enabled false when that stream is not a terminal
   * @param width terminal width (the line is cut to it)
   */
  public StatusLine(PrintStream out, boolean enabled, int width) {
    this.out = out;
    this.enabled = enabled;
    this.width = width;
  }

  /** Draws (or redraws) the status text. */
  public void show(String text) {
    if (!enabled) {
      return;
    }
    String line = SPINNER[tick++ % SPINNER.length] + " " + text;
    if (line.length() > width - 1) {
      line = line.substring(0, width - 2) + "…";
    }
    out.print("\r\u001b[2K" + line);
    out.flush();
    shown = true;
  }

  /** Erases the status line, if shown, so that a normal line can be printed. */
  public void clear() {
    if (enabled && shown) {
      out.print("\r\u001b[2K");
      out.flush();
      shown = false;
    }
  }
}
