package dev.orch.store.fs.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The global home ({@code $NANOBOT_ORCHESTRATOR_HOME}, SPEC §6): an append-only index {@code run-index.jsonl}
 * with one line {@code {"run_id","cwd"}} per run (written once, in createRun, under a file lock; a line
 * {@code {"cwd"}} announces a cwd that has sessions but no runs yet), and active-run markers
 * {@code active/<run_id>.json = {"run_id","cwd"}} that exist while a run is live so reconciliation does not have
 * to scan every run. The index is cached in memory; a miss re-reads only the bytes appended since the last read.
 * Thread-safe.
 */
public final class RunIndex {
  private static final Logger LOG = LoggerFactory.getLogger(RunIndex.class);
  private static final String INDEX = "run-index.jsonl";
  private static final String ACTIVE = "active";

  private final Path home;
  private final Path indexFile;
  private final Map<String, Path> cwdByRun = new HashMap<>();
  private final Set<Path> cwds = new LinkedHashSet<>();
  private long readOffset;

  /** @param home the global home directory (created lazily on first write) */
  public RunIndex(Path home) {
    this.home = home.toAbsolutePath().normalize();
    this.indexFile = this.home.resolve(INDEX);
  }

  /** @return the home directory */
  public Path home() {
    return home;
  }

  /**
   * Appends {@code {"run_id","cwd"}} (or {@code {"cwd"}} when runId is null) under the index lock.
   *
   * @throws IOException when the index cannot be written
   */
  public void append(String runId, Path cwd) throws IOException {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    if (runId != null) {
      n.put("run_id", runId);
    }
    n.put("cwd", cwd.toString());
    byte[] line = JsonSupport.line(n);
    FileLocks.withLock(indexFile, ch -> {
      long end = JsonlTail.completeEnd(ch);
      if (end < ch.size()) {
        LOG.warn("dropping a torn last line of {}", indexFile);
        ch.truncate(end);
      }
      AtomicFiles.writeFully(ch, ByteBuffer.wrap(line), end);
      ch.force(false);
      return null;
    });
    synchronized (this) {
      remember(runId, cwd);
    }
  }

  /** @return the cwd of the run, re-reading the index tail on a cache miss */
  public synchronized Optional<Path> cwdOf(String runId) throws IOException {
    Path cwd = cwdByRun.get(runId);
    if (cwd == null) {
      refresh();
      cwd = cwdByRun.get(runId);
    }
    return Optional.ofNullable(cwd);
  }

  /** @return every cwd the index knows, after reading new index lines */
  public synchronized Set<Path> cwds() throws IOException {
    refresh();
    return new LinkedHashSet<>(cwds);
  }

  /** @return true when the cwd is already in the cached index (no I/O) */
  public synchronized boolean knowsCwd(Path cwd) {
    return cwds.contains(cwd);
  }

  private void remember(String runId, Path cwd) {
    cwds.add(cwd);
    if (runId != null) {
      cwdByRun.put(runId, cwd);
    }
  }

  private void refresh() throws IOException {
    try (FileChannel ch = FileChannel.open(indexFile, StandardOpenOption.READ)) {
      long end = JsonlTail.completeEnd(ch);
      if (end < readOffset) {
        readOffset = 0;
      }
      if (end == readOffset) {
        return;
      }
      ByteBuffer buf = ByteBuffer.allocate((int) (end - readOffset));
      JsonlTail.readFully(ch, buf, readOffset);
      byte[] bytes = buf.array();
      int from = 0;
      for (int i = 0; i < bytes.length; i++) {
        if (bytes[i] == '\n') {
          parseLine(bytes, from, i - from);
          from = i + 1;
        }
      }
      readOffset = end;
    } catch (NoSuchFileException e) {
      readOffset = 0;
    }
  }

  private void parseLine(byte[] bytes, int from, int len) {
    if (len == 0) {
      return;
    }
    try {
      JsonNode n = JsonSupport.parse(bytes, from, len);
      if (n.path("cwd").isTextual()) {
        remember(n.path("run_id").isTextual() ? n.get("run_id").asText() : null, Path.of(n.get("cwd").asText()));
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("skipping malformed line of {}: {}", indexFile, e.getMessage());
    }
  }

  // ---- active-run markers ----------------------------------------------------------------------------------

  /** Writes {@code active/<run_id>.json} atomically. */
  public void markActive(String runId, Path cwd) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("run_id", runId);
    n.put("cwd", cwd.toString());
    AtomicFiles.replace(home.resolve(ACTIVE).resolve(runId + ".json"), JsonSupport.pretty(n));
  }

  /** Deletes the marker of a run, if any. */
  public void clearActive(String runId) throws IOException {
    Files.deleteIfExists(home.resolve(ACTIVE).resolve(runId + ".json"));
  }

  /** A marker's content. @param runId run id @param cwd its cwd */
  public record Marker(String runId, Path cwd) {
  }

  /** @return every readable marker; unreadable ones are skipped with a warning */
  public List<Marker> activeMarkers() throws IOException {
    List<Marker> out = new ArrayList<>();
    Path dir = home.resolve(ACTIVE);
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.json")) {
      for (Path p : ds) {
        if (p.getFileName().toString().startsWith(".")) {
          continue;
        }
        byte[] bytes = AtomicFiles.readIfExists(p);
        if (bytes == null) {
          continue;
        }
        try {
          JsonNode n = JsonSupport.parse(bytes, 0, bytes.length);
          out.add(new Marker(n.get("run_id").asText(), Path.of(n.get("cwd").asText())));
        } catch (IOException | RuntimeException e) {
          LOG.warn("skipping malformed active-run marker {}: {}", p, e.getMessage());
        }
      }
    }
    return out;
  }
}
