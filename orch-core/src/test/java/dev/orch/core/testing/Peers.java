package dev.orch.core.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the real peers and fixtures are for tests. The CLIs and node packages are installed by
 * {@code bin/install-peers} into {@code <repo>/.peers} (system property {@code orch.peers.dir}, env
 * {@code ORCH_PEERS_DIR}); fixtures are {@code <repo>/../shared/fixtures} ({@code orch.fixtures.dir}).
 * A missing peer fails the test with instructions: end-to-end tests must run, not skip.
 */
public final class Peers {
  private Peers() {
  }

  /** @return the repository root */
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

  /** @return the native codex binary */
  public static Path codexBinary() {
    return require(peersDir().resolve(
        "node_modules/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex"));
  }

  /** @return the directory holding codex's helper tools (rg), to prepend to PATH */
  public static Path codexPathDir() {
    return require(peersDir().resolve(
        "node_modules/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/codex-path"));
  }

  /** @return the native claude binary */
  public static Path claudeBinary() {
    return require(peersDir().resolve("node_modules/@anthropic-ai/claude-code/bin/claude.exe"));
  }

  /** @return {@code ../shared/fixtures} */
  public static Path fixtures() {
    String p = System.getProperty("orch.fixtures.dir");
    return require(p != null ? Path.of(p) : repoRoot().resolve("../shared/fixtures").normalize());
  }

  /** @return the path when it exists, else throws with instructions */
  public static Path require(Path p) {
    if (!Files.exists(p)) {
      throw new IllegalStateException(p + " is missing: run bin/install-peers (or set ORCH_PEERS_DIR) first");
    }
    return p;
  }
}
