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

  @Test
  @DisplayName("a cached manifest whose file was removed is looked for again: empty, or the one written since")
  void removedIsLookedForAgain() throws Exception {
    ManifestCache cache = new ManifestCache();
    ArtifactFiles.write(runDir, 5, "command_finished", output("a".repeat(100)));
    assertThat(cache.read(runDir, 5)).isPresent();
    Path dir = runDir.resolve("artifacts/000005-command_finished");
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.delete(f);
      }
    }
    Files.delete(dir);
    assertThat(cache.read(runDir, 5)).isEmpty();

    ArtifactFiles.write(runDir, 5, "file_change", output("b".repeat(7)));
    ArtifactManifest again = cache.read(runDir, 5).orElseThrow();
    assertThat(again.eventType()).isEqualTo("file_change");
    assertThat(again.fields().get("/output").totalBytes()).isEqualTo(7);
  }

  @Test
  @DisplayName("reads through the cache (chunk found by binary search) give the bytes a plain read gives, at every"
      + " chunk boundary, past the end, and with a chunk file shorter than its manifest says")
  void readsMatchPlainReads() throws Exception {
    byte[] text = new byte[5 * 65536 + 321];
    for (int i = 0; i < text.length; i++) {
      text[i] = (byte) ('a' + i % 23);
    }
    ArtifactFiles.write(runDir, 8, "command_finished", List.of(new ArtifactField("/output", "text/plain", text,
        text.length)));
    ManifestCache cache = new ManifestCache();
    ArtifactManifest m = cache.read(runDir, 8).orElseThrow();
    long[] offsets = {0, 1, 65535, 65536, 65537, 2 * 65536 - 3, 3 * 65536, 5 * 65536, 5 * 65536 + 320,
        text.length, text.length + 9};
    int[] lengths = {0, 1, 10, 65536, 262144 + 8};
    for (long offset : offsets) {
      for (int length : lengths) {
        byte[] cached = cache.readArtifact(runDir, m, "/output", offset, length);
        assertThat(cached).as("offset %d length %d", offset, length)
            .isEqualTo(ArtifactFiles.read(runDir, m, "/output", offset, length));
        int from = (int) Math.min(offset, text.length);
        assertThat(cached).isEqualTo(java.util.Arrays.copyOfRange(text, from,
            (int) Math.min(text.length, from + (long) length)));
      }
    }
    Path second = runDir.resolve("artifacts/000008-command_finished/output.0002.txt");
    Files.write(second, java.util.Arrays.copyOfRange(text, 65536, 2 * 65536 - 100));
    assertThat(cache.readArtifact(runDir, m, "/output", 65536 - 10, 300))
        .isEqualTo(ArtifactFiles.read(runDir, m, "/output", 65536 - 10, 300))
        .hasSize(300);
  }
}
