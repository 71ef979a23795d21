package dev.orch.store.fs.internal;

import dev.orch.core.OrchException;
import dev.orch.core.spi.ArtifactField;
import dev.orch.core.spi.ArtifactManifest;
import dev.orch.core.spi.EventArtifacts;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Artifact files of one run (SPEC §5): {@code artifacts/<seq6>-<event_type>/<stem>.<NNNN>.txt|json} chunks of
 * {@value ArtifactManifest#CHUNK_BYTES} bytes, numbered from 0001, and {@code manifest.json}. Chunks are fsynced
 * and the manifest is renamed into place after them, so a manifest never names a missing chunk. Names that would
 * leave the artifact directory are refused.
 */
public final class ArtifactFiles {
  private ArtifactFiles() {
  }

  /**
   * Writes the chunk files and manifest of one event ({@link #writeAll} with one event).
   *
   * @param runDir the run directory
   * @return the manifest written
   * @throws OrchException INVALID_ARGUMENT for an unsafe event type or pointer; STORE on I/O failure
   */
  public static ArtifactManifest write(Path runDir, long seq, String eventType, List<ArtifactField> fields) {
    return writeAll(runDir, List.of(new EventArtifacts(seq, eventType, fields))).get(0);
  }

  /**
   * Writes the chunk files and manifests of several events of one run and makes them durable together (the group
   * commit's batch, issue 8 item 1), in four steps: every chunk and every manifest (as a hidden temporary file in
   * its event directory) is written; each of those files is forced once; each manifest is renamed to
   * {@code manifest.json}; each event directory, the artifacts directory and (when that was new) the run directory
   * is forced once. A {@code manifest.json} thus never exists before its chunks are durable, and an event costs two
   * file forces and one directory force instead of four forces when its events came one by one, and the forces of
   * each step are issued together ({@link ConcurrentForces}).
   *
   * @param runDir the run directory
   * @param events the events, in seq order
   * @return the manifests written, in the order of {@code events}
   * @throws OrchException INVALID_ARGUMENT for an unsafe event type or pointer (checked first: nothing is written);
   *     STORE on I/O failure (temporary manifests are removed; chunks already written stay, unnamed by any manifest
   *     unless an earlier write of the same event named them)
   */
  public static List<ArtifactManifest> writeAll(Path runDir, List<EventArtifacts> events) {
    for (EventArtifacts e : events) {
      checkName("event type", e.eventType());
      for (ArtifactField f : e.fields()) {
        checkName("artifact field_path", f.fileStem());
      }
    }
    Path artifacts = runDir.resolve(StoreLayout.RunFiles.ARTIFACTS);
    List<Path> written = new ArrayList<>();
    List<Path> manifestTemps = new ArrayList<>(events.size());
    List<Path> eventDirs = new ArrayList<>(events.size());
    List<ArtifactManifest> manifests = new ArrayList<>(events.size());
    try {
      boolean newArtifactsDir = !Files.isDirectory(artifacts);
      Files.createDirectories(artifacts);
      for (EventArtifacts e : events) {
        Path dir = artifacts.resolve(ArtifactManifest.directoryName(e.seq(), e.eventType()));
        Files.createDirectories(dir);
        eventDirs.add(dir);
        ArtifactManifest manifest = new ArtifactManifest(e.seq(), e.eventType(), writeChunks(dir, e, written));
        Path temp = AtomicFiles.tempFor(dir.resolve("manifest.json"));
        manifestTemps.add(temp);
        writeFile(temp, ByteBuffer.wrap(JsonSupport.pretty(ManifestJson.toJson(manifest))),
            StandardOpenOption.CREATE_NEW);
        written.add(temp);
        manifests.add(manifest);
      }
      ConcurrentForces.files(written);
      for (Path temp : manifestTemps) {
        Files.move(temp, temp.resolveSibling("manifest.json"), StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      }
      manifestTemps.clear();
      eventDirs.add(artifacts);
      ConcurrentForces.directories(eventDirs);
      if (newArtifactsDir) {
        AtomicFiles.fsyncDirectory(runDir);
      }
    } catch (IOException e) {
      for (Path temp : manifestTemps) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw StoreErrors.io("cannot write artifacts in", artifacts, e);
    }
    return manifests;
  }

  /** Writes (not forces) the chunks of one event's fields, adding each file to {@code written}; @return the entries */
  private static Map<String, ArtifactManifest.Entry> writeChunks(Path dir, EventArtifacts e, List<Path> written)
      throws IOException {
    String relpath = ArtifactManifest.relpath(e.seq(), e.eventType());
    Map<String, ArtifactManifest.Entry> entries = new LinkedHashMap<>();
    for (ArtifactField f : e.fields()) {
      String ext = "application/json".equals(f.mime()) ? ".json" : ".txt";
      byte[] content = f.content();
      int count = ArtifactManifest.chunkCount(content.length);
      List<ArtifactManifest.Chunk> chunks = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        int from = i * ArtifactManifest.CHUNK_BYTES;
        int len = Math.min(ArtifactManifest.CHUNK_BYTES, content.length - from);
        String name = chunkName(f.fileStem(), i + 1, ext);
        Path file = dir.resolve(name);
        writeFile(file, ByteBuffer.wrap(content, from, len), StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING);
        written.add(file);
        chunks.add(new ArtifactManifest.Chunk(name, len));
      }
      entries.put(f.pointer(), new ArtifactManifest.Entry(f.pointer(), relpath, f.mime(), "utf-8", content.length,
          f.totalChars(), true, chunks));
    }
    return entries;
  }

  /** @return {@code <stem>.<NNNN><ext>}: the chunk number with at least four digits */
  static String chunkName(String stem, int number, String ext) {
    String n = Integer.toString(number);
    return stem + "." + "0000".substring(Math.min(4, n.length())) + n + ext;
  }

  /** Opens {@code file} for writing with {@code options} and writes {@code data} without forcing it. */
  private static void writeFile(Path file, ByteBuffer data, StandardOpenOption... options) throws IOException {
    Set<StandardOpenOption> open = EnumSet.of(StandardOpenOption.WRITE, options);
    try (FileChannel ch = FileChannel.open(file, open)) {
      AtomicFiles.writeFully(ch, data);
    }
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
    return read(runDir, manifest, pointer, offset, length, null);
  }

  /**
   * {@link #read(Path, ArtifactManifest, String, long, int)} with the field's chunk starts known
   * ({@link #chunkStarts}, e.g. kept by {@link ManifestCache}): the chunk holding {@code offset} is found by binary
   * search, so a slice of a 1 GiB artifact (16 384 chunks) costs the same as one of a small artifact.
   *
   * @param starts the field's chunk starts, or null to count them here
   */
  static byte[] read(Path runDir, ArtifactManifest manifest, String pointer, long offset, int length, long[] starts) {
    return read(runDir, manifest, pointer, offset, length, starts, null);
  }

  /**
   * {@link #read(Path, ArtifactManifest, String, long, int, long[])} that tells {@code ahead} what it read, so that
   * a reader paging through the field from the disk finds the next chunks already read.
   *
   * @param ahead the store's read-ahead, or null for none
   */
  static byte[] read(Path runDir, ArtifactManifest manifest, String pointer, long offset, int length, long[] starts,
      ArtifactReadAhead ahead) {
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
    List<ArtifactManifest.Chunk> chunks = entry.chunks();
    long[] at = starts != null ? starts : chunkStarts(entry);
    long stored = at[chunks.size()];
    // one array of the size asked for (at most what the chunks hold from offset), filled in place: no copies
    byte[] out = new byte[(int) Math.max(0, Math.min(length, stored - offset))];
    int filled = 0;
    int i = Arrays.binarySearch(at, 0, chunks.size(), offset);
    i = i >= 0 ? i : -i - 2; // the last chunk starting at or before offset
    int first = i;
    long start = System.nanoTime();
    for (; i < chunks.size() && filled < out.length; i++) {
      ArtifactManifest.Chunk c = chunks.get(i);
      if (c.bytes() == 0) {
        continue;
      }
      checkName("artifact chunk file", c.file());
      long from = Math.max(0, offset - at[i]);
      int want = (int) Math.min(out.length - filled, c.bytes() - from);
      filled += readRange(dir.resolve(c.file()), from, out, filled, want); // a short file: the next chunk follows
    }
    if (ahead != null && first >= 0) {
      ahead.afterRead(dir, pointer, chunks, first, i, offset, offset + filled, System.nanoTime() - start);
    }
    return filled == out.length ? out : Arrays.copyOf(out, filled);
  }

  /**
   * @return where each chunk of the field starts in the whole value, bytes, plus (last) the bytes all chunks hold:
   *     {@code chunks + 1} values
   */
  static long[] chunkStarts(ArtifactManifest.Entry entry) {
    List<ArtifactManifest.Chunk> chunks = entry.chunks();
    long[] at = new long[chunks.size() + 1];
    for (int i = 0; i < chunks.size(); i++) {
      at[i + 1] = at[i] + Math.max(0, chunks.get(i).bytes());
    }
    return at;
  }

  /**
   * The reading thread's buffer for chunk reads, reused. Reading into the caller's heap array directly made the JDK
   * take a temporary direct buffer of each read's size; from a cold page cache a 1 GiB artifact then read at half the
   * speed of a plain sequential read of its chunk files, and at about that speed with one reused direct buffer
   * (issue 8 item 4, docs/benchmarks.md). One chunk's size per thread that reads artifacts.
   */
  private static final ThreadLocal<ByteBuffer> READ_BUFFER =
      ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(ArtifactManifest.CHUNK_BYTES));

  /** @return this thread's chunk read buffer ({@link #READ_BUFFER}) */
  static ByteBuffer readBuffer() {
    return READ_BUFFER.get();
  }

  /** @return the bytes read into {@code out[at, at + want)}: fewer only when the file is shorter than its manifest says */
  private static int readRange(Path file, long from, byte[] out, int at, int want) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer buf = READ_BUFFER.get();
      int done = 0;
      while (done < want) {
        int ask = Math.min(buf.capacity(), want - done);
        buf.clear().limit(ask);
        JsonlTail.readFully(ch, buf, from + done);
        int n = buf.position();
        buf.flip().get(out, at + done, n);
        done += n;
        if (n < ask) {
          break; // the file ended
        }
      }
      return done;
    } catch (IOException e) {
      throw StoreErrors.io("cannot read artifact", file, e);
    }
  }

  /** Refuses names that are not {@link #safeName safe}. */
  private static void checkName(String what, String name) {
    if (!safeName(name)) {
      throw OrchException.invalid(what + " would escape the artifact directory: " + name);
    }
  }

  /** @return false for a name that is null or empty, contains a path separator or NUL, or is {@code .}/{@code ..} */
  static boolean safeName(String name) {
    return name != null && !name.isEmpty() && !name.equals(".") && !name.equals("..") && name.indexOf('/') < 0
        && name.indexOf('\\') < 0 && name.indexOf('\0') < 0;
  }
}
