package dev.orch.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Peers finds the test peers the way their own launchers do")
class PeersTest {

  @Test
  @DisplayName("the JVM platform maps to codex's target triple and optional package, as in @openai/codex/bin/codex.js")
  void mapsPlatformsLikeCodexJs() {
    assertThat(Peers.codexTargetTriple("Linux", "amd64")).isEqualTo("x86_64-unknown-linux-musl");
    assertThat(Peers.codexTargetTriple("Linux", "aarch64")).isEqualTo("aarch64-unknown-linux-musl");
    assertThat(Peers.codexTargetTriple("Mac OS X", "x86_64")).isEqualTo("x86_64-apple-darwin");
    assertThat(Peers.codexTargetTriple("Mac OS X", "aarch64")).isEqualTo("aarch64-apple-darwin");
    assertThat(Peers.codexTargetTriple("Windows 11", "amd64")).isEqualTo("x86_64-pc-windows-msvc");
    assertThat(Peers.codexPlatformPackage("x86_64-unknown-linux-musl")).isEqualTo("@openai/codex-linux-x64");
    assertThat(Peers.codexPlatformPackage("aarch64-apple-darwin")).isEqualTo("@openai/codex-darwin-arm64");
    assertThat(Peers.codexPlatformPackage("aarch64-pc-windows-msvc")).isEqualTo("@openai/codex-win32-arm64");
  }

  @Test
  @DisplayName("a platform codex ships no binary for is named in the error")
  void unsupportedPlatform() {
    assertThatThrownBy(() -> Peers.codexTargetTriple("SunOS", "sparcv9"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("SunOS (sparcv9)");
  }

  @Test
  @DisplayName("the installed native codex binary and its helper-tool folder are found")
  void findsInstalledCodex() {
    assertThat(Peers.codexBinary()).isRegularFile();
    assertThat(Files.isExecutable(Peers.codexBinary())).isTrue();
    assertThat(Peers.codexPathDir()).isDirectory();
  }

  @Test
  @DisplayName("a peers folder without codex fails with the fix named (bin/install-peers or ORCH_PEERS_DIR)")
  void missingCodexNamesTheFix() throws Exception {
    Path empty = Files.createTempDirectory("no-peers");
    try {
      assertThatThrownBy(() -> Peers.codexBinaryIn(empty))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("bin/install-peers")
          .hasMessageContaining("ORCH_PEERS_DIR")
          .hasMessageContaining("@openai/codex-");
    } finally {
      Files.delete(empty);
    }
  }

  @Test
  @DisplayName("the fixtures are in the repository (testdata/fixtures), not beside it")
  void fixturesInRepository() {
    assertThat(Peers.fixtures()).startsWith(Peers.repoRoot()).endsWith(Path.of("testdata", "fixtures"));
    assertThat(Peers.fixtures().resolve("seed-store/codex-run/run.json")).isRegularFile();
  }
}
