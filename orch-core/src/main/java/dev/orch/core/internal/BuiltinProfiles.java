package dev.orch.core.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The built-in role profiles of SPEC §12.6 ({@code profile: "builtin:<name>"}): their text is the class-path resource
 * {@code dev/orch/core/profiles/builtin/<name>.md}. A name counts as known when its resource exists, so adding a
 * profile means adding its resource (and its name to {@link #ROLE_NAMES}). Immutable, thread-safe.
 */
public final class BuiltinProfiles {
  /** The role profile names SPEC §12.6 lists, in its order. */
  public static final List<String> ROLE_NAMES = List.of("architect", "implementer", "tester", "reviewer", "devops",
      "documenter", "generalist");
  private static final String RESOURCE_DIR = "dev/orch/core/profiles/builtin/";

  private final ClassLoader loader;

  /** @param loader where the profile resources are looked up */
  public BuiltinProfiles(ClassLoader loader) {
    this.loader = Objects.requireNonNull(loader, "loader");
  }

  /** @return the built-in profiles shipped with orch-core */
  public static BuiltinProfiles shipped() {
    return new BuiltinProfiles(BuiltinProfiles.class.getClassLoader());
  }

  /** @return the names of {@link #ROLE_NAMES} whose text is installed, in that order */
  public List<String> known() {
    List<String> out = new ArrayList<>();
    for (String name : ROLE_NAMES) {
      if (loader.getResource(RESOURCE_DIR + name + ".md") != null) {
        out.add(name);
      }
    }
    return List.copyOf(out);
  }

  /**
   * @param name the part after {@code builtin:}
   * @return the profile text, or empty when no such built-in profile is installed
   * @throws UncheckedIOException when the resource exists but cannot be read (a packaging defect)
   */
  public Optional<String> text(String name) {
    if (!ROLE_NAMES.contains(name)) {
      return Optional.empty();
    }
    try (InputStream in = loader.getResourceAsStream(RESOURCE_DIR + name + ".md")) {
      return in == null ? Optional.empty() : Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the built-in profile " + name, e);
    }
  }
}
