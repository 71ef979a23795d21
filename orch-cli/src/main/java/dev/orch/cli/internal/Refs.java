package dev.orch.cli.internal;

import dev.orch.core.RunRef;
import java.util.regex.Pattern;

/**
 * {@code <run-id-or-agent-name>} arguments: text shaped like a run id (a UUID, the TS server's and Orch's format)
 * is a run id, anything else an agent name, resolved within {@code --cwd} when given, else across all known cwds
 * (SPEC §2 run reference).
 */
public final class Refs {
  private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}"
      + "-[0-9a-fA-F]{12}");

  private Refs() {
  }

  /**
   * @param text run id or agent name
   * @param cwd --cwd text or null (made absolute)
   * @return the reference
   */
  public static RunRef of(String text, String cwd) {
    String dir = cwd == null || cwd.isBlank() ? null : Cli.cwd(cwd).toString();
    return UUID.matcher(text).matches() ? new RunRef(text, null, dir) : new RunRef(null, text, dir);
  }
}
