package dev.orch.store.fs.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orch.core.OrchException;
import dev.orch.core.spi.ArtifactField;
import dev.orch.core.spi.ArtifactManifest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("ManifestCache parses a manifest once while its file is unchanged, and holds a bounded number")
class ManifestCacheTest {
  @TempDir
  Path runDir;

  private static List<ArtifactField> output(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    return List.of(new ArtifactField("/output", "text/plain", bytes, text.length()));
  }

  @Test
  @DisplayName("a second read of an unchanged manifest is the parsed object of the first; a replaced one is read "
      + "again")
  void reusesUntilReplaced() {
    ManifestCache cache = new ManifestCache();
    ArtifactFiles.write(runDir, 4, "command_finished", output("x".repeat(70_000)));
    ArtifactManifest first = cache.read(runDir, 4).orElseThrow();
    assertThat(first.fields().get("/output").chunks()).hasSize(2);
    assertThat(cache.read(runDir, 4).orElseThrow()).isSameAs(first);

    ArtifactFiles.write(runDir, 4, "command_finished", output("y".repeat(10)));
    ArtifactManifest second = cache.read(runDir, 4).orElseThrow();
    assertThat(second).isNotSameAs(first);
    assertThat(second.fields().get("/output").totalBytes()).isEqualTo(10);
  }

  @Test
  @DisplayName("no manifest is empty; a corrupt one is a STORE error, never cached")
  void missingAndCorrupt() throws Exception {
    ManifestCache cache = new ManifestCache();
    assertThat(cache.read(runDir, 9)).isEmpty();
    ArtifactFiles.write(runDir, 9, "command_finished", output("z"));
    Path manifest = runDir.resolve("artifacts/000009-command_finished/manifest.json");
    Files.writeString(manifest, "{\"truncated");
    assertThatThrownBy(() -> cache.read(runDir, 9)).isInstanceOf(OrchException.class)
        .hasMessageContaining("cannot parse").hasMessageContaining("manifest.json");
    assertThat(cache.size()).isZero();
  }

  @Test
  @DisplayName("at most MAX_ENTRIES manifests are held; the least recently used goes first")
  void bounded() {
    ManifestCache cache = new ManifestCache();
    int n = ManifestCache.MAX_ENTRIES + 5;
    for (int seq = 1; seq <= n; seq++) {
      ArtifactFiles.write(runDir, seq, "command_finished", output("o" + seq));
      cache.read(runDir, seq).orElseThrow();
    }
    assertThat(cache.size()).isEqualTo(ManifestCache.MAX_ENTRIES);
    ArtifactManifest last = cache.read(runDir, n).orElseThrow();
    assertThat(cache.read(runDir, n).orElseThrow()).isSameAs(last);
  }
}
