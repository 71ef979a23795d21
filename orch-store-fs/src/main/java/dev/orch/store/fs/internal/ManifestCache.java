package dev.orch.store.fs.internal;

import dev.orch.core.spi.ArtifactManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The parsed artifact manifests most recently read, so that paging through a large output (issue 8 item 4: a 1 GiB
 * artifact has 16 384 chunks, a 1.3 MB manifest) neither parses the whole manifest, nor lists the run's artifacts
 * directory to find it, nor walks its chunk list for every slice. An entry remembers the manifest's file and is used
 * only while that file has the same file key, size and modification time (a manifest is replaced atomically, never
 * edited in place), so a rewritten manifest is always read again, and a removed one is looked for again. At most
 * {@value #MAX_ENTRIES} manifests are held (least recently used goes first): memory stays bounded.
 */
public final class ManifestCache {
  /** Manifests held at most. */
  static final int MAX_ENTRIES = 16;

  private record Stamp(Object fileKey, long size, long modifiedNanos) {
  }

  private record Key(Path runDir, long seq) {
  }

  /** A parsed manifest, the file it was read from, and the chunk starts of each field (by JSON Pointer). */
  private record Cached(Path file, Stamp stamp, ArtifactManifest manifest, Map<String, long[]> starts) {
  }

  private final Map<Key, Cached> entries = new LinkedHashMap<>(32, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Key, Cached> eldest) {
      return size() > MAX_ENTRIES;
    }
  };
  private final ArtifactReadAhead ahead;

  /** A cache whose artifact reads are read ahead with the defaults of {@link ArtifactReadAhead}. */
  public ManifestCache() {
    this(new ArtifactReadAhead());
  }

  /** @param ahead the read-ahead told of every artifact read */
  public ManifestCache(ArtifactReadAhead ahead) {
    this.ahead = Objects.requireNonNull(ahead, "ahead");
  }

  /**
   * @param runDir the run directory
   * @param seq the event's seq
   * @return the manifest of that event, from the cache when its file is unchanged; empty when there is none
   * @throws dev.orch.core.OrchException STORE when the manifest exists but cannot be read or parsed
   */
  public Optional<ArtifactManifest> read(Path runDir, long seq) {
    Key key = new Key(runDir, seq);
    Cached known;
    synchronized (entries) {
      known = entries.get(key);
    }
    if (known != null && known.stamp.equals(stamp(known.file))) {
      return Optional.of(known.manifest);
    }
    Optional<Path> file = ArtifactFiles.manifestFile(runDir, seq);
    if (file.isEmpty()) {
      return Optional.empty();
    }
    Path path = file.get();
    Stamp before = stamp(path);
    if (before == null) {
      return Optional.empty();
    }
    Optional<ArtifactManifest> read = ArtifactFiles.readManifestFile(path);
    // cache only what was certainly read from the file as stamped (no replacement in between)
    if (read.isPresent() && before.equals(stamp(path))) {
      Map<String, long[]> starts = new HashMap<>();
      read.get().fields().forEach((pointer, entry) -> starts.put(pointer, ArtifactFiles.chunkStarts(entry)));
      synchronized (entries) {
        entries.put(key, new Cached(path, before, read.get(), starts));
      }
    }
    return read;
  }

  /**
   * Reads bytes of an artifact ({@link ArtifactFiles#read}), with the chunk starts kept for {@code manifest} when it
   * is one this cache returned (else they are counted for this call); a reader going through the field in order
   * from the disk finds the next chunks read ahead ({@link ArtifactReadAhead}).
   */
  public byte[] readArtifact(Path runDir, ArtifactManifest manifest, String pointer, long offset, int length) {
    long[] starts = null;
    synchronized (entries) {
      for (Cached c : entries.values()) { // at most MAX_ENTRIES, compared by identity
        if (c.manifest == manifest) {
          starts = c.starts.get(pointer);
          break;
        }
      }
    }
    return ArtifactFiles.read(runDir, manifest, pointer, offset, length, starts, ahead);
  }

  /** @return how many manifests are held (for tests) */
  int size() {
    synchronized (entries) {
      return entries.size();
    }
  }

  private static Stamp stamp(Path file) {
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      return new Stamp(Objects.requireNonNullElse(a.fileKey(), file), a.size(), a.lastModifiedTime().toInstant()
          .getEpochSecond() * 1_000_000_000L + a.lastModifiedTime().toInstant().getNano());
    } catch (IOException e) {
      return null;
    }
  }
}
