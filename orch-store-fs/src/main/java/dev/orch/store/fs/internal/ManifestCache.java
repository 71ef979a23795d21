package dev.orch.store.fs.internal;

import dev.orch.core.spi.ArtifactManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The parsed artifact manifests most recently read, so that paging through a large output (issue 8 item 4: a 1 GiB
 * artifact has 16 384 chunks, a 1.3 MB manifest) does not parse the whole manifest for every slice. An entry is
 * used only while the manifest file has the same file key, size and modification time (a manifest is replaced
 * atomically, never edited in place), so a rewritten manifest is always read again. At most
 * {@value #MAX_ENTRIES} manifests are held (least recently used goes first): memory stays bounded.
 */
public final class ManifestCache {
  /** Manifests held at most. */
  static final int MAX_ENTRIES = 16;

  private record Stamp(Object fileKey, long size, long modifiedNanos) {
  }

  private record Cached(Stamp stamp, ArtifactManifest manifest) {
  }

  private final Map<Path, Cached> entries = new LinkedHashMap<>(32, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Path, Cached> eldest) {
      return size() > MAX_ENTRIES;
    }
  };

  /**
   * @param runDir the run directory
   * @param seq the event's seq
   * @return the manifest of that event, from the cache when its file is unchanged; empty when there is none
   * @throws dev.orch.core.OrchException STORE when the manifest exists but cannot be read or parsed
   */
  public Optional<ArtifactManifest> read(Path runDir, long seq) {
    Optional<Path> file = ArtifactFiles.manifestFile(runDir, seq);
    if (file.isEmpty()) {
      return Optional.empty();
    }
    Path path = file.get();
    Stamp before = stamp(path);
    if (before == null) {
      return Optional.empty();
    }
    synchronized (entries) {
      Cached c = entries.get(path);
      if (c != null && c.stamp.equals(before)) {
        return Optional.of(c.manifest);
      }
    }
    Optional<ArtifactManifest> read = ArtifactFiles.readManifestFile(path);
    // cache only what was certainly read from the file as stamped (no replacement in between)
    if (read.isPresent() && before.equals(stamp(path))) {
      synchronized (entries) {
        entries.put(path, new Cached(before, read.get()));
      }
    }
    return read;
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
