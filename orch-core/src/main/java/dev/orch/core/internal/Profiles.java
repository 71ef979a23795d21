package dev.orch.core.internal;

import dev.orch.core.OrchException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Profiles (SPEC §7): a path, absolute or relative to the run cwd; content trimmed and non-empty. The system
 * prompt is {@code Profile source: <path>} + blank line + content. {@code builtin:<name>} names a built-in role
 * profile (SPEC §12.6, {@link BuiltinProfiles}).
 */
public final class Profiles {
  /** The prefix of built-in profile names. */
  public static final String BUILTIN_PREFIX = "builtin:";

  private Profiles() {
  }

  /**
   * @return {@code Profile source: builtin:<name>} + blank line + the built-in profile's text
   * @throws OrchException INVALID_ARGUMENT {@code Unknown built-in profile: <p>. Known built-in profiles: ...}
   */
  private static String builtin(String profile) {
    BuiltinProfiles builtins = BuiltinProfiles.shipped();
    String text = builtins.text(profile.substring(BUILTIN_PREFIX.length())).map(String::trim).orElseThrow(() ->
        OrchException.invalid("Unknown built-in profile: " + profile + ". Known built-in profiles: " + String.join(", ",
            builtins.known().stream().map(k -> BUILTIN_PREFIX + k).toList())));
    return "Profile source: " + profile + "\n\n" + text;
  }

  /**
   * @param profile the path as given
   * @param cwd the run's cwd
   * @return the system prompt
   * @throws OrchException INVALID_ARGUMENT {@code profile file not found or unreadable: <p> (checked: <abs>)} or
   *     {@code profile is empty: <p>}
   */
  public static String systemPrompt(String profile, Path cwd) {
    if (profile.startsWith(BUILTIN_PREFIX)) {
      return builtin(profile);
    }
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
