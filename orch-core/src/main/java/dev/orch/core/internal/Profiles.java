package dev.orch.core.internal;

import dev.orch.core.OrchException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Profiles (SPEC §7): a path, absolute or relative to the run cwd; content trimmed and non-empty. The system
 * prompt is {@code Profile source: <path>} + blank line + content.
 */
public final class Profiles {
  private Profiles() {
  }

  /**
   * @param profile the path as given
   * @param cwd the run's cwd
   * @return the system prompt
   * @throws OrchException INVALID_ARGUMENT {@code profile file not found or unreadable: <p> (checked: <abs>)} or
   *     {@code profile is empty: <p>}
   */
  public static String systemPrompt(String profile, Path cwd) {
    Path p = Path.of(profile);
    Path resolved = p.isAbsolute() ? p.normalize() : cwd.resolve(p).normalize();
    String content;
    try {
      if (!Files.isRegularFile(resolved)) {
        throw OrchException.invalid("profile file not found or unreadable: " + profile + " (checked: " + resolved + ")");
      }
      content = Files.readString(resolved, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw OrchException.invalid("profile file not found or unreadable: " + profile + " (checked: " + resolved
          + ": " + e.getMessage() + ")");
    }
    if (content.isEmpty()) {
      throw OrchException.invalid("profile is empty: " + profile);
    }
    return "Profile source: " + resolved + "\n\n" + content;
  }
}
