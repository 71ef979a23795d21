package dev.orch.store.fs.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.orch.core.RunStatus;
import dev.orch.core.spi.RunRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-cwd listing index {@code $NANOBOT_ORCHESTRATOR_HOME/run-lists/<hash of the cwd's store>.jsonl} (an Orch
 * file outside the user's cwd; the TS server does not know it), so that
 * {@code list_runs} does not read every {@code run.json} (issue 8 item 4: 100 000 runs in one cwd). One compact line
 * {@code {"run_id","session_id","status","backend","started_at"}} is appended (no fsync: it is a cache) when a run
 * is created and whenever its status changes; the latest line of a run wins. Each process keeps the parsed index in
 * memory and reads only the bytes appended since its last read.
 *
 * <p>Runs the index does not know (written by the TS server, copied in, or created before the index existed) are
 * found by listing {@code runs/} whenever its modification time changed since the last listing; they are read once
 * and added. The index decides which runs a page holds; the page's records are then read from their run.json, so
 * what is returned is never staler than run.json. Thread-safe.
 */
public final class RunListIndex {
  private static final Logger LOG = LoggerFactory.getLogger(RunListIndex.class);
  private static final JsonFactory JSON = new JsonFactory();
  static final String DIR = "run-lists";

  /**
   * What the index knows of one run.
   *
   * @param runId run id
   * @param sessionId session id
   * @param status latest indexed status
   * @param backend backend id
   * @param startedAtMs creation time, epoch ms (Long.MIN_VALUE when unknown)
   */
  public record Entry(String runId, String sessionId, RunStatus status, String backend, long startedAtMs) {
  }

  /** Newest first, then by run id (as SPEC §2 list_runs orders). */
  public static final Comparator<Entry> NEWEST_FIRST = Comparator.comparingLong((Entry e) -> -e.startedAtMs)
      .thenComparing(Entry::runId);

  private final StoreLayout layout;
  private final Path home;
  private final Function<Path, Optional<RunRecord>> readRun;
  private final Map<Path, CwdIndex> indexes = new ConcurrentHashMap<>();

  /**
   * @param layout the per-cwd layout
   * @param readRun reads the run in a run directory (used for runs the index does not know)
   */
  public RunListIndex(StoreLayout layout, Path home, Function<Path, Optional<RunRecord>> readRun) {
    this.layout = layout;
    this.home = home;
    this.readRun = readRun;
  }

  /** Records a run's status when it differs from what this process indexed last. Never throws. */
  public void record(Path cwd, RunRecord r) {
    index(cwd).record(entryOf(r));
  }

  /** @return every run of the cwd, newest first (a shared array: do not modify) */
  public Entry[] entries(Path cwd) {
    return index(cwd).snapshot();
  }

  private CwdIndex index(Path cwd) {
    return indexes.computeIfAbsent(cwd, c -> new CwdIndex(fileFor(c), layout.runsDir(c)));
  }

  /** @return {@code <home>/run-lists/<sha-256 of the store root>.jsonl}: nothing is added to the user's cwd */
  private Path fileFor(Path cwd) {
    try {
      byte[] d = java.security.MessageDigest.getInstance("SHA-256")
          .digest(layout.root(cwd).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return home.resolve(DIR).resolve(java.util.HexFormat.of().formatHex(d, 0, 16) + ".jsonl");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  static Entry entryOf(RunRecord r) {
    return new Entry(r.runId().value(), r.sessionId().value(), r.status(), r.backend(),
        r.startedAt() == null ? Long.MIN_VALUE : r.startedAt().toEpochMilli());
  }

  private final class CwdIndex {
    private final Path file;
    private final Path runsDir;
    private final Map<String, Entry> byRun = new HashMap<>();
    private final Map<String, RunStatus> writtenHere = new HashMap<>();
    private long offset;
    private FileTime listedAt;
    private Entry[] sorted;

    CwdIndex(Path file, Path runsDir) {
      this.file = file;
      this.runsDir = runsDir;
    }

    synchronized void record(Entry e) {
      if (writtenHere.get(e.runId()) == e.status()) {
        return;
      }
      try {
        append(e);
        writtenHere.put(e.runId(), e.status());
        if (e.status().isTerminal()) {
          writtenHere.remove(e.runId());
        }
      } catch (IOException ex) {
        LOG.debug("cannot append to {}: {}", file, ex.toString());
      }
      put(e);
    }

    synchronized Entry[] snapshot() {
      tail();
      discover();
      if (sorted == null) {
        sorted = byRun.values().toArray(new Entry[0]);
        Arrays.sort(sorted, NEWEST_FIRST);
      }
      return sorted;
    }

    private void put(Entry e) {
      Entry old = byRun.put(e.runId(), e);
      if (!e.equals(old)) {
        sorted = null;
      }
    }

    private void append(Entry e) throws IOException {
      ByteArrayOutputStream out = new ByteArrayOutputStream(160);
      try (JsonGenerator g = JSON.createGenerator(out)) {
        g.writeStartObject();
        g.writeStringField("run_id", e.runId());
        g.writeStringField("session_id", e.sessionId());
        g.writeStringField("status", e.status().wire());
        g.writeStringField("backend", e.backend());
        g.writeNumberField("started_at", e.startedAtMs());
        g.writeEndObject();
      }
      out.write('\n');
      Files.createDirectories(file.getParent());
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.APPEND)) {
        AtomicFiles.writeFully(ch, ByteBuffer.wrap(out.toByteArray()));
      }
    }

    /** Reads the lines appended since the last read (by any process). */
    private void tail() {
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
        long end = JsonlTail.completeEnd(ch);
        if (end < offset) {
          offset = 0;
        }
        if (end == offset) {
          return;
        }
        ByteBuffer buf = ByteBuffer.allocate((int) (end - offset));
        JsonlTail.readFully(ch, buf, offset);
        parse(buf.array(), buf.position());
        offset = end;
      } catch (NoSuchFileException e) {
        offset = 0;
      } catch (IOException | RuntimeException e) {
        LOG.warn("cannot read the run index {}: {}", file, e.toString());
      }
    }

    private void parse(byte[] bytes, int len) throws IOException {
      int from = 0;
      for (int i = 0; i < len; i++) {
        if (bytes[i] == '\n') {
          if (i > from) {
            Entry e = parseLine(bytes, from, i - from);
            if (e != null) {
              put(e);
            }
          }
          from = i + 1;
        }
      }
    }

    private Entry parseLine(byte[] b, int off, int len) {
      String runId = null;
      String session = null;
      String status = null;
      String backend = null;
      long started = Long.MIN_VALUE;
      try (JsonParser p = JSON.createParser(b, off, len)) {
        if (p.nextToken() != JsonToken.START_OBJECT) {
          return null;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          JsonToken t = p.nextToken();
          switch (name) {
            case "run_id" -> runId = p.getValueAsString();
            case "session_id" -> session = p.getValueAsString();
            case "status" -> status = p.getValueAsString();
            case "backend" -> backend = p.getValueAsString();
            case "started_at" -> started = t == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : Long.MIN_VALUE;
            default -> p.skipChildren();
          }
        }
      } catch (IOException e) {
        return null;
      }
      Optional<RunStatus> st = RunStatus.fromWire(status);
      if (runId == null || session == null || backend == null || st.isEmpty()
          || !StoreLayout.isSafeSegment(runId)) {
        return null;
      }
      return new Entry(runId, session, st.get(), backend, started);
    }

    /** Finds run directories the index does not know, when runs/ changed since the last look. */
    private void discover() {
      FileTime now;
      try {
        now = Files.getLastModifiedTime(runsDir);
      } catch (NoSuchFileException e) {
        return;
      } catch (IOException e) {
        LOG.debug("cannot stat {}: {}", runsDir, e.toString());
        return;
      }
      if (now.equals(listedAt)) {
        return;
      }
      int added = 0;
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(runsDir)) {
        for (Path dir : ds) {
          String name = dir.getFileName().toString();
          if (byRun.containsKey(name) || !StoreLayout.isSafeSegment(name) || !Files.isDirectory(dir)) {
            continue;
          }
          Optional<RunRecord> r = readRun.apply(dir);
          if (r.isPresent() && r.get().runId().value().equals(name)) {
            Entry e = entryOf(r.get());
            try {
              append(e);
            } catch (IOException ex) {
              LOG.debug("cannot append to {}: {}", file, ex.toString());
            }
            put(e);
            added++;
          }
        }
        listedAt = now;
      } catch (IOException e) {
        LOG.warn("cannot list {}: {}", runsDir, e.toString());
      }
      if (added > 0) {
        LOG.debug("indexed {} run(s) found in {}", added, runsDir);
      }
    }
  }
}
