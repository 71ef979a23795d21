package dev.orch.cli.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * What the command line knows about where it prints: whether stdout / stderr / stdin are terminals, whether to
 * use colours, and the width. Colours only on a terminal, never with {@code NO_COLOR} set (no-color.org), always
 * with {@code CLICOLOR_FORCE} set to anything but {@code 0}. Terminal detection reads {@code /proc/self/fd/N}
 * (Linux; a terminal is {@code /dev/pts/*} or {@code /dev/tty*}); elsewhere {@code System.console()} decides.
 *
 * @param stdoutTty stdout is a terminal
 * @param stderrTty stderr is a terminal
 * @param stdinTty stdin is a terminal
 * @param color use ANSI colours on stdout
 * @param width columns for tables ({@code COLUMNS}, default 120)
 */
public record Terminal(boolean stdoutTty, boolean stderrTty, boolean stdinTty, boolean color, int width) {

  /** @return the terminal of this process, from its file descriptors and environment */
  public static Terminal detect(Map<String, String> env) {
    boolean out = isTty(1);
    boolean err = isTty(2);
    boolean in = isTty(0);
    String noColor = env.get("NO_COLOR");
    String force = env.get("CLICOLOR_FORCE");
    boolean color = force != null && !force.isEmpty() && !force.equals("0")
        || out && (noColor == null || noColor.isEmpty()) && !"dumb".equals(env.get("TERM"));
    int width = 120;
    try {
      width = Math.max(40, Integer.parseInt(env.getOrDefault("COLUMNS", "120").trim()));
    } catch (NumberFormatException e) {
      // keep the default
    }
    return new Terminal(out, err, in, color, width);
  }

  private static boolean isTty(int fd) {
    Path link = Path.of("/proc/self/fd/" + fd);
    try {
      String target = Files.readSymbolicLink(link).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return System.console() != null;
    }
  }

  /** @return the text in the ANSI colour for a run status (or as is without colours) */
  public String status(String status) {
    if (!color) {
      return status;
    }
    String code = switch (status) {
      case "completed" -> "32";
      case "failed", "rejected" -> "31";
      case "cancelled" -> "90";
      case "input_required", "auth_required" -> "33";
      case "running" -> "36";
      default -> "0";
    };
    return "\u001b[" + code + "m" + status + "\u001b[0m";
  }

  /** @return the text dimmed (or as is) */
  public String dim(String s) {
    return color ? "\u001b[2m" + s + "\u001b[0m" : s;
  }

  /** @return the text bold (or as is) */
  public String bold(String s) {
    return color ? "\u001b[1m" + s + "\u001b[0m" : s;
  }
}
