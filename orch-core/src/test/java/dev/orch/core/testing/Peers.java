package dev.orch.core.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Where the real peers and fixtures are for tests. The CLIs and node packages are installed by
 * {@code bin/install-peers} into {@code <repo>/.peers} (system property {@code orch.peers.dir}, env
 * {@code ORCH_PEERS_DIR}); fixtures are part of the repository, {@code <repo>/testdata/fixtures} (system property
 * {@code orch.fixtures.dir}, set by the root pom). A missing peer fails the test with instructions: end-to-end
 * tests must run, not skip.
 */
public final class Peers {
  /** Target triple → optional npm package, as in {@code @openai/codex/bin/codex.js} (0.169.0). */
  private static final Map<String, String> CODEX_PACKAGE_BY_TARGET = Map.of(
      "x86_64-unknown-linux-musl", "@openai/codex-linux-x64",
      "aarch64-unknown-linux-musl", "@openai/codex-linux-arm64",
      "x86_64-apple-darwin", "@openai/codex-darwin-x64",
      "aarch64-apple-darwin", "@openai/codex-darwin-arm64",
      "x86_64-pc-windows-msvc", "@openai/codex-win32-x64",
      "aarch64-pc-windows-msvc", "@openai/codex-win32-arm64");

  private Peers() {
  }

  /** @return the repository root (system property {@code orch.repo.root}, else the nearest folder above the cwd
   *     holding {@code bin/install-peers}) */
  public static Path repoRoot() {
    String p = System.getProperty("orch.repo.root");
    if (p != null) {
      return Path.of(p);
    }
    Path here = Path.of("").toAbsolutePath();
    while (here != null && !Files.exists(here.resolve("bin").resolve("install-peers"))) {
      here = here.getParent();
    }
    if (here == null) {
      throw new IllegalStateException("cannot find the repository root (no bin/install-peers above the cwd)");
    }
    return here;
  }

  /** @return the peers directory ({@code .peers}) */
  public static Path peersDir() {
    String p = System.getProperty("orch.peers.dir", System.getenv("ORCH_PEERS_DIR"));
    return p != null ? Path.of(p) : repoRoot().resolve(".peers");
  }

  /** @return {@code .peers/node_modules} */
  public static Path nodeModules() {
    return require(peersDir().resolve("node_modules"));
  }

  /**
   * The native codex binary, found the way the npm package's own launcher ({@code @openai/codex/bin/codex.js})
   * finds it: the platform and architecture give a target triple and an optional package
   * {@code @openai/codex-<platform>-<arch>}; the binary is {@code <that package>/vendor/<triple>/bin/codex}, or
   * {@code @openai/codex/vendor/<triple>/bin/codex} when the optional package is not installed. The native binary
   * is spawned rather than {@code codex.js}, whose Node wrapper orphans the native child on SIGKILL.
   *
   * @return the native codex binary
   * @throws IllegalStateException when this platform has no codex build, or the binary is not installed (the
   *     message names the fix: {@code bin/install-peers} or {@code ORCH_PEERS_DIR})
   */
  public static Path codexBinary() {
    return codexBinaryIn(peersDir());
  }

  /**
   * @param peersDir a folder where {@code npm install @openai/codex} ran (holding {@code node_modules})
   * @return the native codex binary under it, found as {@link #codexBinary()} describes
   * @throws IllegalStateException as {@link #codexBinary()}
   */
  public static Path codexBinaryIn(Path peersDir) {
    String exe = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows")
        ? "codex.exe" : "codex";
    return codexTargetDir(peersDir).resolve("bin").resolve(exe);
  }

  /** @return the directory holding codex's helper tools (rg), to prepend to PATH ({@code vendor/<triple>/codex-path})
   * @throws IllegalStateException as {@link #codexBinary()} */
  public static Path codexPathDir() {
    return codexTargetDir(peersDir()).resolve("codex-path");
  }

  /** @return the native claude binary */
  public static Path claudeBinary() {
    return require(peersDir().resolve("node_modules/@anthropic-ai/claude-code/bin/claude.exe"));
  }

  /** @return the fixtures folder, {@code <repo>/testdata/fixtures} (its README says where each file came from) */
  public static Path fixtures() {
    String p = System.getProperty("orch.fixtures.dir");
    Path dir = p != null ? Path.of(p) : repoRoot().resolve("testdata").resolve("fixtures");
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException(dir + " is missing: the fixtures are part of the repository (testdata/fixtures);"
          + " check the checkout or the orch.fixtures.dir property");
    }
    return dir;
  }

  /** @return the path when it exists, else throws with instructions */
  public static Path require(Path p) {
    if (!Files.exists(p)) {
      throw new IllegalStateException(p + " is missing: run bin/install-peers (or set ORCH_PEERS_DIR) first");
    }
    return p;
  }

  /**
   * The codex target triple for a JVM platform, the mapping of {@code codex.js} ({@code process.platform} /
   * {@code process.arch} there, {@code os.name} / {@code os.arch} here).
   *
   * @param osName the {@code os.name} system property
   * @param osArch the {@code os.arch} system property
   * @return the triple, e.g. {@code x86_64-unknown-linux-musl}
   * @throws IllegalStateException when codex ships no binary for the platform
   */
  public static String codexTargetTriple(String osName, String osArch) {
    String os = osName.toLowerCase(Locale.ROOT);
    String arch = switch (osArch.toLowerCase(Locale.ROOT)) {
      case "amd64", "x86_64", "x64" -> "x86_64";
      case "aarch64", "arm64" -> "aarch64";
      default -> null;
    };
    String suffix = os.startsWith("linux") ? "unknown-linux-musl"
        : os.startsWith("mac") || os.startsWith("darwin") ? "apple-darwin"
        : os.startsWith("windows") ? "pc-windows-msvc" : null;
    if (arch == null || suffix == null) {
      throw new IllegalStateException("the Codex CLI ships no native binary for " + osName + " (" + osArch + ")");
    }
    return arch + "-" + suffix;
  }

  /**
   * @param triple a target triple from {@link #codexTargetTriple}
   * @return the optional npm package holding that triple's binary, e.g. {@code @openai/codex-linux-x64}
   */
  public static String codexPlatformPackage(String triple) {
    String pkg = CODEX_PACKAGE_BY_TARGET.get(triple);
    if (pkg == null) {
      throw new IllegalStateException("unknown codex target triple: " + triple);
    }
    return pkg;
  }

  /** {@code <vendor root>/<triple>} of the installed codex, checked to hold the binary. */
  private static Path codexTargetDir(Path peersDir) {
    String triple = codexTargetTriple(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));
    String pkg = codexPlatformPackage(triple);
    Path modules = peersDir.resolve("node_modules");
    // Node's require.resolve from @openai/codex/bin: its own nested node_modules first, then the top level
    Path[] vendorRoots = {
        modules.resolve("@openai/codex/node_modules").resolve(pkg).resolve("vendor"),
        modules.resolve(pkg).resolve("vendor"),
        modules.resolve("@openai/codex/vendor"),
    };
    for (Path root : vendorRoots) {
      if (Files.isDirectory(root.resolve(triple).resolve("bin"))) {
        return root.resolve(triple);
      }
    }
    throw new IllegalStateException("the native Codex CLI is missing: no " + triple + "/bin under "
        + modules.resolve(pkg).resolve("vendor") + " nor " + modules.resolve("@openai/codex/vendor")
        + " (npm installs it with @openai/codex as the optional package " + pkg + "): run bin/install-peers,"
        + " or set ORCH_PEERS_DIR to a folder where `npm install @openai/codex@0.169.0` ran");
  }
}
