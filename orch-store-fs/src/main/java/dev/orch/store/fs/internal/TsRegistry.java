package dev.orch.store.fs.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.Timestamps;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TS server's global run registry, {@code $NANOBOT_ORCHESTRATOR_HOME/registry.json} (SPEC §6), read and written
 * exactly as the TS server does so each server finds the other's runs by bare run_id and lists them across cwds:
 *
 * <pre>{"runs": {"&lt;run_id&gt;": {"cwd": "&lt;absolute path&gt;", "updated_at": "&lt;ISO-8601&gt;"}}}</pre>
 *
 * <p>Writes are read-modify-write under the TS server's lock, a directory {@code registry.json.lock} created with
 * mkdir (retried every {@value #RETRY_MS} ms, given up after {@value #GIVE_UP_MS} ms, taken over when its mtime is
 * older than {@value #STALE_MS} ms), and replace the file atomically (temp {@code registry.json.<pid>.<uuid>.tmp},
 * fsync, rename, fsync of the directory): entries already there — the TS server's or another Orch's — are never
 * lost, and keys this class does not know are kept. Orch writes once per run, never per event.
 *
 * <p>Damage: a registry with trailing garbage after its first JSON object is healed by keeping that object (as the
 * TS server does), both on read and on the next write. A registry that cannot be read as a JSON object with an
 * object {@code runs} (e.g. cut off in the middle) is <em>never rewritten</em>: rewriting it would drop every entry
 * in it. Reads then see no entries, {@link #register} answers {@link Outcome#MALFORMED_KEPT} and logs a warning
 * naming the file, and Orch's own index ({@link RunIndex}) keeps resolving Orch's runs. The file is left for a
 * human (or the TS server) to repair.
 *
 * <p>Reads take no lock (the file is only ever replaced by rename) and are cached by the file's identity, mtime and
 * size, so a lookup that finds nothing new costs one {@code stat}. Thread-safe.
 */
public final class TsRegistry {
  /** The registry file name in the home directory. */
  public static final String FILE = "registry.json";
  /** The lock directory name in the home directory. */
  public static final String LOCK = "registry.json.lock";
  /** Pause between two attempts to create the lock directory, ms (the TS server's). */
  public static final long RETRY_MS = 25;
  /** How long a writer tries to get the lock before it gives up, ms (the TS server's). */
  public static final long GIVE_UP_MS = 5_000;
  /** A lock directory whose mtime is older than this is stale and taken over, ms (the TS server's). */
  public static final long STALE_MS = 30_000;

  private static final Logger LOG = LoggerFactory.getLogger(TsRegistry.class);

  /** What {@link #register} did. */
  public enum Outcome {
    /** The entry is in the registry (added or refreshed), every other entry kept. */
    WRITTEN,
    /** The lock stayed busy for {@value #GIVE_UP_MS} ms (or the thread was interrupted): nothing written. */
    LOCK_BUSY,
    /** The registry is malformed beyond healing: left as it was, nothing written (warned). */
    MALFORMED_KEPT
  }

  /** Sleeps between lock attempts; replaceable in tests to observe and steer contention. */
  @FunctionalInterface
  interface Sleeper {
    void sleep(long millis) throws InterruptedException;
  }

  private final Path home;
  private final Path file;
  private final Path lockDir;
  private final Clock clock;
  private final LongSupplier nanoTime;
  private final Sleeper sleeper;
  /** Serializes this instance's writers, so threads of one process queue here instead of polling the lock. */
  private final Object writers = new Object();
  private Snapshot snapshot = Snapshot.EMPTY;

  /** @param home the global home ({@code $NANOBOT_ORCHESTRATOR_HOME}); created on the first write */
  public TsRegistry(Path home) {
    this(home, Clock.systemUTC(), System::nanoTime, Thread::sleep);
  }

  TsRegistry(Path home, Clock clock, LongSupplier nanoTime, Sleeper sleeper) {
    this.home = home.toAbsolutePath().normalize();
    this.file = this.home.resolve(FILE);
    this.lockDir = this.home.resolve(LOCK);
    this.clock = Objects.requireNonNull(clock, "clock");
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
  }

  /** @return {@code <home>/registry.json} */
  public Path file() {
    return file;
  }

  /**
   * @param runId a run id
   * @return the cwd the registry holds for it (normalized); empty when absent, or when the registry is missing or
   *     malformed
   * @throws IOException when the registry exists but cannot be read
   */
  public Optional<Path> cwdOf(String runId) throws IOException {
    return Optional.ofNullable(read().cwdByRun().get(runId));
  }

  /**
   * @return every cwd the registry names, in registry order (empty when the file is missing or malformed)
   * @throws IOException when the registry exists but cannot be read
   */
  public Set<Path> cwds() throws IOException {
    return new LinkedHashSet<>(read().cwdByRun().values());
  }

  /**
   * @return run_id → cwd of every well-formed entry (unmodifiable)
   * @throws IOException when the registry exists but cannot be read
   */
  public Map<String, Path> runs() throws IOException {
    return read().cwdByRun();
  }

  /**
   * Adds (or refreshes) {@code runs[runId] = {cwd, updated_at: now}} under the lock, keeping every other entry and
   * key. Blocks up to {@value #GIVE_UP_MS} ms while another writer holds the lock.
   *
   * @param runId the run id
   * @param cwd the run's cwd (made absolute and normalized)
   * @return what was done; only {@link Outcome#WRITTEN} changed the file
   * @throws IOException when the home, the lock directory or the file cannot be written (nothing is half-written)
   */
  public Outcome register(String runId, Path cwd) throws IOException {
    Objects.requireNonNull(runId, "runId");
    String cwdText = cwd.toAbsolutePath().normalize().toString();
    synchronized (writers) {
      return registerLocked(runId, cwdText);
    }
  }

  private Outcome registerLocked(String runId, String cwdText) throws IOException {
    Files.createDirectories(home);
    try {
      if (!lock()) {
        LOG.warn("{} stayed locked for {} ms: run {} is not in the TS server's registry (Orch's own index has it)",
            lockDir, GIVE_UP_MS, runId);
        return Outcome.LOCK_BUSY;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Outcome.LOCK_BUSY;
    }
    try {
      byte[] bytes = AtomicFiles.readIfExists(file);
      Parsed parsed = parse(bytes);
      if (parsed.root() == null) {
        LOG.warn("{} is malformed ({}): left as it is so none of its entries is lost; run {} is not added to it"
            + " (Orch's own index has it)", file, parsed.problem(), runId);
        return Outcome.MALFORMED_KEPT;
      }
      if (parsed.healed()) {
        LOG.warn("{} had trailing data after its JSON object: healed by keeping the object", file);
      }
      ObjectNode runs = parsed.root().has("runs") ? (ObjectNode) parsed.root().get("runs")
          : parsed.root().putObject("runs");
      ObjectNode entry = runs.get(runId) instanceof ObjectNode existing ? existing : runs.putObject(runId);
      entry.put("cwd", cwdText);
      entry.put("updated_at", Timestamps.format(clock.instant()));
      replace(JsonSupport.pretty(parsed.root()));
      return Outcome.WRITTEN;
    } finally {
      unlock();
    }
  }

  // ---- reading ----------------------------------------------------------------------------------------------

  /** The parsed registry of one file version: identity (inode), mtime, size and the well-formed entries. */
  private record Snapshot(Object fileKey, FileTime mtime, long size, Map<String, Path> cwdByRun) {
    static final Snapshot EMPTY = new Snapshot(null, null, -1, Map.of());

    boolean sameVersion(BasicFileAttributes a) {
      return Objects.equals(fileKey, a.fileKey()) && Objects.equals(mtime, a.lastModifiedTime())
          && size == a.size();
    }
  }

  private synchronized Snapshot read() throws IOException {
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      snapshot = Snapshot.EMPTY;
      return snapshot;
    }
    if (snapshot.sameVersion(attrs)) {
      return snapshot;
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      snapshot = Snapshot.EMPTY;
      return snapshot;
    }
    Parsed parsed = parse(bytes);
    Map<String, Path> runs = new LinkedHashMap<>();
    if (parsed.root() == null) {
      LOG.warn("{} is malformed ({}): its runs cannot be resolved until it is repaired", file, parsed.problem());
    } else if (parsed.root().get("runs") instanceof ObjectNode entries) {
      entries.properties().forEach(e -> {
        JsonNode cwd = e.getValue().path("cwd");
        if (cwd.isTextual() && StoreLayout.isSafeSegment(e.getKey())) {
          try {
            Path p = Path.of(cwd.asText());
            if (p.isAbsolute()) {
              runs.put(e.getKey(), p.normalize());
            }
          } catch (InvalidPathException ignored) {
            // an entry Orch cannot use; kept in the file, skipped here
          }
        }
      });
    }
    snapshot = new Snapshot(attrs.fileKey(), attrs.lastModifiedTime(), attrs.size(),
        Collections.unmodifiableMap(runs));
    return snapshot;
  }

  /**
   * The registry as a tree.
   *
   * @param root the first JSON object of the file (an empty registry for a missing or blank file), or null when
   *     the file is malformed beyond healing
   * @param healed true when trailing data after the first object was dropped
   * @param problem why the file is malformed, or null
   */
  record Parsed(ObjectNode root, boolean healed, String problem) {
  }

  /** Parses the first JSON value of the file; see the class comment for what counts as healable. */
  static Parsed parse(byte[] bytes) {
    if (bytes == null) {
      return new Parsed(JsonSupport.MAPPER.createObjectNode(), false, null);
    }
    try (JsonParser p = JsonSupport.MAPPER.getFactory().createParser(bytes)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        return new Parsed(JsonSupport.MAPPER.createObjectNode(), false, null);
      }
      if (first != JsonToken.START_OBJECT) {
        return new Parsed(null, false, "not a JSON object");
      }
      JsonNode root = JsonSupport.MAPPER.readTree(p);
      JsonNode runs = root.get("runs");
      if (runs != null && !runs.isObject()) {
        return new Parsed(null, false, "\"runs\" is not an object");
      }
      boolean healed;
      try {
        healed = p.nextToken() != null;
      } catch (IOException trailingGarbage) {
        healed = true;
      }
      return new Parsed((ObjectNode) root, healed, null);
    } catch (IOException e) {
      String why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
      int cut = why == null ? -1 : why.indexOf(" (start marker");
      return new Parsed(null, false, "not valid JSON: " + (cut > 0 ? why.substring(0, cut) : why));
    }
  }

  // ---- writing ----------------------------------------------------------------------------------------------

  /** @return true when this thread created the lock directory; false after {@value #GIVE_UP_MS} ms */
  private boolean lock() throws IOException, InterruptedException {
    long deadline = nanoTime.getAsLong() + Duration.ofMillis(GIVE_UP_MS).toNanos();
    while (true) {
      try {
        Files.createDirectory(lockDir);
        return true;
      } catch (FileAlreadyExistsException held) {
        if (removedIfStale()) {
          continue;
        }
      }
      if (nanoTime.getAsLong() - deadline >= 0) {
        return false;
      }
      sleeper.sleep(RETRY_MS);
    }
  }

  /**
   * Removes a lock directory whose mtime is older than {@value #STALE_MS} ms (its holder died). Like the TS
   * server's takeover this is best effort: two processes that both find it stale at the same instant may both
   * proceed.
   *
   * @return true when the lock is gone (taken over, or released meanwhile): try again at once
   */
  private boolean removedIfStale() throws IOException {
    FileTime mtime;
    try {
      mtime = Files.getLastModifiedTime(lockDir);
    } catch (NoSuchFileException released) {
      return true;
    }
    long ageMs = clock.millis() - mtime.toMillis();
    if (ageMs <= STALE_MS) {
      return false;
    }
    LOG.warn("taking over the stale lock {} ({} ms old)", lockDir, ageMs);
    deleteTree(lockDir);
    return true;
  }

  private void unlock() {
    try {
      deleteTree(lockDir);
    } catch (IOException e) {
      LOG.warn("cannot remove the lock {}: {} (others take it over after {} ms)", lockDir, e.getMessage(), STALE_MS);
    }
  }

  /** Deletes the lock directory and anything a lock holder may have put in it; gone already is fine. */
  private static void deleteTree(Path dir) throws IOException {
    try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
      for (Path child : children) {
        Files.deleteIfExists(child);
      }
    } catch (NoSuchFileException gone) {
      return;
    }
    Files.deleteIfExists(dir);
  }

  /** Writes {@code registry.json.<pid>.<uuid>.tmp}, fsyncs it and renames it over the registry (the TS naming). */
  private void replace(byte[] data) throws IOException {
    Path tmp = home.resolve(FILE + "." + ProcessHandle.current().pid() + "." + UUID.randomUUID() + ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        AtomicFiles.writeFully(ch, ByteBuffer.wrap(data));
        ch.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      AtomicFiles.fsyncDirectory(home);
    } catch (IOException | RuntimeException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }
}
