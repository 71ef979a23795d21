package dev.orch.core.internal;

import dev.orch.core.OrchException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Profiles (SPEC §7, §12.6; issue 9 item 5): where a {@code profile} may be read from, and the system prompt made
 * of it ({@code Profile source: <path>} + blank line + the trimmed content).
 *
 * <p>A profile is one of
 * <ul>
 *   <li>{@code builtin:<name>} — a built-in role profile ({@link BuiltinProfiles});</li>
 *   <li>a path, absolute or relative. A relative path is looked up in the run's cwd first, then in each profile
 *       directory in order; the first that exists is taken.</li>
 * </ul>
 * The file found must, after resolving symbolic links ({@link Path#toRealPath}), lie inside the run's cwd or inside a
 * profile directory (env {@value #DIRS_ENV}: absolute directories separated by the platform's path separator,
 * default {@code ~/.config/orch/profiles}); it must never lie under {@code /proc}, {@code /sys} or {@code /dev}; it
 * must be a regular file (not a directory, FIFO or device — it is never opened otherwise) of at most
 * {@value #MAX_BYTES} bytes (256 KiB).
 *
 * <p>A deliberate difference from the TS server, which read any path it was given: {@code /etc/passwd} or
 * {@code /proc/self/environ} (the server's own environment, API keys included) ended up in a sub-agent's prompt.
 *
 * <p>Errors ({@link OrchException} INVALID_ARGUMENT, naming the profile as given; no server paths):
 * {@code profile file not found or unreadable: <p>}, {@code profile is empty: <p>} (SPEC §7),
 * {@code profile must be a file inside the run cwd or a profile directory (ORCH_PROFILE_DIRS): <p>},
 * {@code profile must be a regular file (not a directory, FIFO or device): <p>},
 * {@code profile is larger than 256 KiB (262144 bytes): <p>},
 * {@code Unknown built-in profile: <p>. Known built-in profiles: <names or (none)>}.
 *
 * <p>Immutable, thread-safe; the file system is read on each call.
 */
public final class Profiles {
  /** Largest profile file, bytes (256 KiB). */
  public static final long MAX_BYTES = 256 * 1024;
  /** The environment variable listing the profile directories. */
  public static final String DIRS_ENV = "ORCH_PROFILE_DIRS";
  /** The prefix of built-in profile names. */
  public static final String BUILTIN_PREFIX = "builtin:";

  private static final List<Path> SPECIAL_ROOTS = List.of(Path.of("/proc"), Path.of("/sys"), Path.of("/dev"));

  private final List<Path> directories;
  private final BuiltinProfiles builtins;

  /**
   * @param directories the profile directories (absolute; missing ones are skipped when looking up)
   * @param builtins the built-in profiles
   */
  public Profiles(List<Path> directories, BuiltinProfiles builtins) {
    this.directories = List.copyOf(directories);
    this.builtins = Objects.requireNonNull(builtins, "builtins");
  }

  /**
   * @param env the process environment: {@value #DIRS_ENV}, else {@code HOME} for the default directory
   * @return profiles read from those directories and the shipped built-ins
   */
  public static Profiles fromEnvironment(Map<String, String> env) {
    return new Profiles(directories(env), BuiltinProfiles.shipped());
  }

  /**
   * @param env the process environment
   * @return the absolute directories of {@value #DIRS_ENV} (relative entries are ignored), or
   *     {@code $HOME/.config/orch/profiles} when the variable is unset or blank
   */
  public static List<Path> directories(Map<String, String> env) {
    String list = env.get(DIRS_ENV);
    List<Path> out = new ArrayList<>();
    if (list == null || list.isBlank()) {
      String home = env.getOrDefault("HOME", System.getProperty("user.home"));
      if (home != null && !home.isBlank()) {
        out.add(Path.of(home, ".config", "orch", "profiles"));
      }
      return List.copyOf(out);
    }
    for (String entry : list.split(File.pathSeparator)) {
      try {
        Path p = Path.of(entry.trim());
        if (!entry.isBlank() && p.isAbsolute()) {
          out.add(p.normalize());
        }
      } catch (InvalidPathException e) {
        // not a path: ignored like a relative entry
      }
    }
    return List.copyOf(out);
  }

  /** @return the profile directories, in lookup order */
  public List<Path> directories() {
    return directories;
  }

  /**
   * @param profile the profile as given (a path or {@code builtin:<name>})
   * @param cwd the run's cwd (absolute)
   * @return the system prompt: {@code Profile source: <path or builtin:name>} + blank line + trimmed content
   * @throws OrchException INVALID_ARGUMENT with the texts listed in the class comment
   */
  public String systemPrompt(String profile, Path cwd) {
    if (profile.startsWith(BUILTIN_PREFIX)) {
      return builtin(profile);
    }
    Path found = find(profile, cwd).orElseThrow(() -> notFound(profile));
    Path real;
    try {
      real = found.toRealPath();
    } catch (IOException | SecurityException e) {
      throw notFound(profile);
    }
    if (SPECIAL_ROOTS.stream().anyMatch(real::startsWith) || !allowed(real, cwd)) {
      throw OrchException.invalid("profile must be a file inside the run cwd or a profile directory ("
          + DIRS_ENV + "): " + profile);
    }
    String content = read(real, profile).trim();
    if (content.isEmpty()) {
      throw OrchException.invalid("profile is empty: " + profile);
    }
    return "Profile source: " + found.normalize() + "\n\n" + content;
  }

  private String builtin(String profile) {
    String name = profile.substring(BUILTIN_PREFIX.length());
    String text = builtins.text(name).orElseThrow(() -> {
      List<String> known = builtins.known();
      return OrchException.invalid("Unknown built-in profile: " + profile + ". Known built-in profiles: "
          + (known.isEmpty() ? "(none)" : String.join(", ", known.stream().map(k -> BUILTIN_PREFIX + k).toList())));
    }).trim();
    if (text.isEmpty()) {
      throw OrchException.invalid("profile is empty: " + profile);
    }
    return "Profile source: " + profile + "\n\n" + text;
  }

  /** @return the first existing candidate: the absolute path, or cwd / each profile directory + the relative path */
  private Optional<Path> find(String profile, Path cwd) {
    Path given;
    try {
      given = Path.of(profile);
    } catch (InvalidPathException e) {
      return Optional.empty();
    }
    List<Path> candidates = new ArrayList<>();
    if (given.isAbsolute()) {
      candidates.add(given);
    } else {
      candidates.add(cwd.resolve(given));
      directories.forEach(d -> candidates.add(d.resolve(given)));
    }
    return candidates.stream().filter(Files::exists).findFirst();
  }

  /** @return true when {@code real} lies inside the real cwd or a real profile directory */
  private boolean allowed(Path real, Path cwd) {
    List<Path> roots = new ArrayList<>();
    roots.add(cwd);
    roots.addAll(directories);
    for (Path root : roots) {
      try {
        if (Files.isDirectory(root) && real.startsWith(root.toRealPath())) {
          return true;
        }
      } catch (IOException | SecurityException e) {
        // an unreadable root holds nothing we may read
      }
    }
    return false;
  }

  /** Reads a regular file of at most {@link #MAX_BYTES}; never opens anything else. */
  private static String read(Path real, String profile) {
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException | SecurityException e) {
      throw notFound(profile);
    }
    if (!attrs.isRegularFile()) {
      throw OrchException.invalid("profile must be a regular file (not a directory, FIFO or device): " + profile);
    }
    if (attrs.size() > MAX_BYTES) {
      throw tooLarge(profile);
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(real, LinkOption.NOFOLLOW_LINKS)) {
      bytes = in.readNBytes((int) MAX_BYTES + 1);
    } catch (IOException | SecurityException e) {
      throw notFound(profile);
    }
    if (bytes.length > MAX_BYTES) {
      throw tooLarge(profile);
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static OrchException tooLarge(String profile) {
    return OrchException.invalid("profile is larger than 256 KiB (" + MAX_BYTES + " bytes): " + profile);
  }

  private static OrchException notFound(String profile) {
    return OrchException.invalid("profile file not found or unreadable: " + profile);
  }
}
