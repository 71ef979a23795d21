package dev.orch.store.fs.internal;

import dev.orch.core.OrchException;
import dev.orch.core.spi.ArtifactField;
import dev.orch.core.spi.ArtifactManifest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Artifact files of one run (SPEC §5): {@code artifacts/<seq6>-<event_type>/<stem>.<NNNN>.txt|json} chunks of
 * {@value ArtifactManifest#CHUNK_BYTES} bytes, numbered from 0001, and {@code manifest.json}. Chunks are fsynced
 * and the manifest is replaced atomically last, so a manifest never names a missing chunk. Names that would leave
 * the artifact directory are refused.
 */
public final class ArtifactFiles {
  private ArtifactFiles() {
  }

  /**
   * Writes the chunk files and manifest of one event.
   *
   * @param runDir the run directory
   * @return the manifest written
   * @throws OrchException INVALID_ARGUMENT for an unsafe event type or pointer; STORE on I/O failure
   */
  public static ArtifactManifest write(Path runDir, long seq, String eventType, List<ArtifactField> fields) {
    checkName("event type", eventType);
    Path dir = runDir.resolve(StoreLayout.RunFiles.ARTIFACTS).resolve(ArtifactManifest.directoryName(seq, eventType));
    String relpath = ArtifactManifest.relpath(seq, eventType);
    Map<String, ArtifactManifest.Entry> entries = new LinkedHashMap<>();
    try {
      Files.createDirectories(dir);
      AtomicFiles.fsyncDirectory(dir.getParent());
      for (ArtifactField f : fields) {
        String stem = f.fileStem();
        checkName("artifact field_path", stem);
        String ext = "application/json".equals(f.mime()) ? ".json" : ".txt";
        byte[] content = f.content();
        int count = ArtifactManifest.chunkCount(content.length);
        List<ArtifactManifest.Chunk> chunks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          int from = i * ArtifactManifest.CHUNK_BYTES;
          int len = Math.min(ArtifactManifest.CHUNK_BYTES, content.length - from);
          String name = String.format("%s.%04d%s", stem, i + 1, ext);
          writeChunk(dir.resolve(name), content, from, len);
          chunks.add(new ArtifactManifest.Chunk(name, len));
        }
        entries.put(f.pointer(), new ArtifactManifest.Entry(f.pointer(), relpath, f.mime(), "utf-8", content.length,
            f.totalChars(), true, chunks));
      }
    } catch (IOException e) {
      throw StoreErrors.io("cannot write artifacts in", dir, e);
    }
    ArtifactManifest manifest = new ArtifactManifest(seq, eventType, entries);
    AtomicFiles.replace(dir.resolve("manifest.json"), JsonSupport.pretty(ManifestJson.toJson(manifest)));
    return manifest;
  }

  /**
   * @return {@code artifacts/<seq6>-<event type>/manifest.json} of the event with that seq when it exists
   * @throws OrchException STORE when the artifacts directory cannot be listed
   */
  static Optional<Path> manifestFile(Path runDir, long seq) {
    Path artifacts = runDir.resolve(StoreLayout.RunFiles.ARTIFACTS);
    String prefix = ArtifactManifest.directoryName(seq, "");
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(artifacts, prefix + "*")) {
      for (Path dir : ds) {
        Path file = dir.resolve("manifest.json");
        if (Files.isRegularFile(file)) {
          return Optional.of(file);
        }
      }
      return Optional.empty();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw StoreErrors.io("cannot list", artifacts, e);
    }
  }

  /**
   * @return the parsed manifest file, or empty when it is gone
   * @throws OrchException STORE when it cannot be read or parsed
   */
  static Optional<ArtifactManifest> readManifestFile(Path file) {
    byte[] bytes = AtomicFiles.readIfExists(file);
    if (bytes == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(ManifestJson.fromJson(JsonSupport.parse(bytes, 0, bytes.length)));
    } catch (IOException | IllegalArgumentException e) {
      throw new OrchException(OrchException.ErrorCode.STORE, "cannot parse " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads up to {@code length} bytes of one field from {@code offset}, spanning chunks.
   *
   * @return the bytes; empty when offset ≥ total
   * @throws OrchException NOT_FOUND when the manifest has no such field; INVALID_ARGUMENT for a negative offset
   *     or length or an unsafe chunk name; STORE on I/O failure
   */
  public static byte[] read(Path runDir, ArtifactManifest manifest, String pointer, long offset, int length) {
    ArtifactManifest.Entry entry = manifest.fields().get(pointer);
    if (entry == null) {
      throw OrchException.notFound("No artifact for field_path " + pointer + ". Available field paths: "
          + (manifest.fields().isEmpty() ? "(none)" : String.join(", ", manifest.fields().keySet())));
    }
    if (offset < 0 || length < 0) {
      throw OrchException.invalid("offset and length must be >= 0");
    }
    checkName("event type", manifest.eventType());
    Path dir = runDir.resolve(StoreLayout.RunFiles.ARTIFACTS)
        .resolve(ArtifactManifest.directoryName(manifest.seq(), manifest.eventType()));
    long stored = 0;
    for (ArtifactManifest.Chunk c : entry.chunks()) {
      stored += c.bytes();
    }
    // one array of the size asked for (at most what the chunks hold from offset), filled in place: no copies
    byte[] out = new byte[(int) Math.max(0, Math.min(length, stored - offset))];
    int filled = 0;
    long chunkStart = 0;
    for (ArtifactManifest.Chunk c : entry.chunks()) {
      if (filled >= out.length) {
        break;
      }
      long chunkEnd = chunkStart + c.bytes();
      if (offset < chunkEnd) {
        checkName("artifact chunk file", c.file());
        long from = Math.max(0, offset - chunkStart);
        int want = (int) Math.min(out.length - filled, c.bytes() - from);
        filled += readRange(dir.resolve(c.file()), from, out, filled, want);
      }
      chunkStart = chunkEnd;
    }
    return filled == out.length ? out : Arrays.copyOf(out, filled);
  }

  /** @return the bytes read into {@code out[at, at + want)}: fewer only when the file is shorter than its manifest says */
  private static int readRange(Path file, long from, byte[] out, int at, int want) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.wrap(out, at, want);
      JsonlTail.readFully(ch, buf, from);
      return buf.position() - at;
    } catch (IOException e) {
      throw StoreErrors.io("cannot read artifact", file, e);
    }
  }

  private static void writeChunk(Path file, byte[] content, int from, int len) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      AtomicFiles.writeFully(ch, ByteBuffer.wrap(content, from, len));
      ch.force(true);
    }
  }

  /** Refuses names that are empty, contain a path separator or NUL, or are {@code .}/{@code ..}. */
  private static void checkName(String what, String name) {
    if (name == null || name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0
        || name.indexOf('\\') >= 0 || name.indexOf('\0') >= 0) {
      throw OrchException.invalid(what + " would escape the artifact directory: " + name);
    }
  }
}
