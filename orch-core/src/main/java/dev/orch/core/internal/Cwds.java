package dev.orch.core.internal;

import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * One spelling per working directory (issue 9 item 4): a cwd reached through a symlink and its real path must name
 * the same runs, sessions and locks, or concurrent spawns through both spellings would collide on file locks keyed
 * by path. Spawns store the real path; filters given by callers are compared in the same form.
 */
final class Cwds {
  private Cwds() {
  }

  /**
   * @param p an absolute path
   * @return its real path (symlinks resolved) when it exists, else its normalized form
   */
  static Path canonical(Path p) {
    try {
      return p.toRealPath();
    } catch (IOException | SecurityException e) {
      return p.toAbsolutePath().normalize();
    }
  }

  /**
   * @param text a cwd filter as given, or null/blank
   * @return its canonical form, or null for no filter (an unparsable path is returned normalized as typed, so it
   *     matches nothing rather than failing)
   */
  static Path filter(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return canonical(Path.of(text));
    } catch (InvalidPathException e) {
      return Path.of("/").resolve("invalid-cwd-filter");
    }
  }

  /** @return true when both name the same directory */
  static boolean same(Path a, Path b) {
    return a.equals(b) || canonical(a).equals(canonical(b));
  }
}
