package dev.orch.store.fs.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orch.core.spi.ArtifactField;
import dev.orch.core.spi.ArtifactManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("ArtifactReadAhead reads the next chunk files of a reader that pages through an artifact from the disk "
    + "(issue 8 item 4)")
class ArtifactReadAheadTest {
  private static final int CHUNK = ArtifactManifest.CHUNK_BYTES;

  @TempDir
  Path runDir;

  /** Writes a 20-chunk artifact whose every byte tells its position; @return its bytes. */
  private byte[] writeArtifact(long seq) {
    byte[] bytes = new byte[20 * CHUNK];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) ('a' + (i / 7 + i / CHUNK) % 26);
    }
    ArtifactFiles.write(runDir, seq, "command_finished",
        List.of(new ArtifactField("/output", "text/plain", bytes, bytes.length)));
    return bytes;
  }

  private static byte[] slice(byte[] all, long offset, int length) {
    return Arrays.copyOfRange(all, (int) offset, (int) offset + length);
  }

  private static void quiet() throws InterruptedException {
    assertThat(ArtifactReadAhead.awaitQuiet(10_000)).as("the read-ahead pool went quiet").isTrue();
  }

  @Test
  @DisplayName("a read that continues the previous one reads the next chunks ahead, once each; a first read and a "
      + "jump do not; every slice still has the right bytes")
  void readsAheadOfAnOrderedReader() throws Exception {
    byte[] all = writeArtifact(3);
    ArtifactReadAhead ahead = new ArtifactReadAhead(4, 0); // every read counts as a disk read
    ManifestCache cache = new ManifestCache(ahead);
    ArtifactManifest manifest = cache.read(runDir, 3).orElseThrow();

    assertThat(cache.readArtifact(runDir, manifest, "/output", 0, 2 * CHUNK)).isEqualTo(slice(all, 0, 2 * CHUNK));
    quiet();
    assertThat(ahead.chunksRead()).as("a first read is not read ahead").isZero();

    // chunks 2-3 continue the read: chunks 4-7 are read ahead
    assertThat(cache.readArtifact(runDir, manifest, "/output", 2 * CHUNK, 2 * CHUNK))
        .isEqualTo(slice(all, 2 * CHUNK, 2 * CHUNK));
    quiet();
    assertThat(ahead.chunksRead()).isEqualTo(4);

    // chunks 4-5, already read ahead: only 8-9 are new within 4 chunks after the read
    assertThat(cache.readArtifact(runDir, manifest, "/output", 4 * CHUNK, 2 * CHUNK))
        .isEqualTo(slice(all, 4 * CHUNK, 2 * CHUNK));
    quiet();
    assertThat(ahead.chunksRead()).isEqualTo(6);

    // a jump to chunk 15 (mid-chunk, 1.5 chunks long): nothing read ahead
    long jump = 15L * CHUNK + 100;
    assertThat(cache.readArtifact(runDir, manifest, "/output", jump, CHUNK + CHUNK / 2))
        .isEqualTo(slice(all, (int) jump, CHUNK + CHUNK / 2));
    quiet();
    assertThat(ahead.chunksRead()).isEqualTo(6);

    // continuing after the jump reads ahead up to the last chunk, not past it
    long next = jump + CHUNK + CHUNK / 2;
    assertThat(cache.readArtifact(runDir, manifest, "/output", next, CHUNK)).isEqualTo(slice(all, (int) next, CHUNK));
    quiet();
    assertThat(ahead.chunksRead()).as("chunks 18 and 19, the last ones").isEqualTo(8);
  }

  @Test
  @DisplayName("reads that come from the page cache are not read ahead")
  void cachedReadsAreNotReadAhead() throws Exception {
    byte[] all = writeArtifact(4);
    ArtifactReadAhead ahead = new ArtifactReadAhead(4, Long.MAX_VALUE); // no read is ever slow enough
    ManifestCache cache = new ManifestCache(ahead);
    ArtifactManifest manifest = cache.read(runDir, 4).orElseThrow();
    for (int i = 0; i < 10; i++) {
      assertThat(cache.readArtifact(runDir, manifest, "/output", (long) i * 2 * CHUNK, 2 * CHUNK))
          .isEqualTo(slice(all, i * 2 * CHUNK, 2 * CHUNK));
    }
    quiet();
    assertThat(ahead.chunksRead()).isZero();
  }

  @Test
  @DisplayName("a chunk name that would leave the artifact directory, or a chunk file that is gone, is not read "
      + "ahead and throws nothing")
  void unsafeOrMissingChunksAreSkipped() throws Exception {
    Path dir = Files.createDirectories(runDir.resolve("artifacts/000005-command_finished"));
    Files.write(dir.resolve("output.0001.txt"), new byte[CHUNK]);
    Files.write(dir.resolve("output.0002.txt"), new byte[CHUNK]);
    Files.write(runDir.resolve("artifacts/secret.txt"), new byte[10]);
    List<ArtifactManifest.Chunk> chunks = List.of(new ArtifactManifest.Chunk("output.0001.txt", CHUNK),
        new ArtifactManifest.Chunk("output.0002.txt", CHUNK), new ArtifactManifest.Chunk("output.0003.txt", CHUNK),
        new ArtifactManifest.Chunk("../secret.txt", 10));
    ArtifactReadAhead ahead = new ArtifactReadAhead(4, 0);

    ahead.afterRead(dir, "/output", chunks, 0, 1, 0, CHUNK, 1);
    ahead.afterRead(dir, "/output", chunks, 1, 2, CHUNK, 2L * CHUNK, 1); // ahead: 0003 (gone), then ../secret.txt
    quiet();
    assertThat(ahead.chunksRead()).isZero();
  }
}
