package dev.orch.store.fs.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Artifact chunk names are numbered as the TS server numbers them (SPEC §5)")
class ArtifactFilesTest {
  @Test
  @DisplayName("<stem>.<NNNN><ext>: at least four digits, more when the number needs them")
  void chunkNames() {
    assertThat(ArtifactFiles.chunkName("output", 1, ".txt")).isEqualTo("output.0001.txt");
    assertThat(ArtifactFiles.chunkName("input.content", 42, ".json")).isEqualTo("input.content.0042.json");
    assertThat(ArtifactFiles.chunkName("output", 9999, ".txt")).isEqualTo("output.9999.txt");
    assertThat(ArtifactFiles.chunkName("output", 16384, ".txt")).isEqualTo("output.16384.txt");
    for (int n : new int[] {1, 7, 10, 99, 100, 999, 1000, 12345, 123456}) {
      assertThat(ArtifactFiles.chunkName("s", n, ".txt")).isEqualTo(String.format("s.%04d.txt", n));
    }
  }
}
