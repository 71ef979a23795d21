package dev.orch.store.fs.internal;

import dev.orch.core.spi.ArtifactManifest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the chunk files of an artifact ahead of a reader that pages through it in order (issue 8 item 4: a 1 GiB
 * output streamed in slices at disk speed). The kernel reads ahead within one file, but an artifact is a row of
 * 64 KiB files: from a cold page cache each chunk was one synchronous 64 KiB disk request, and the slices came at the
 * speed of one request at a time (a plain sequential read of the chunk files: 340–380 MB/s on the benchmark machine;
 * the same read with the next 16 chunks requested by 4 threads: 630–740 MB/s, docs/benchmarks.md). This class is the
 * missing read-ahead: once a reader continues where its previous read of the same field ended, and that read went to
 * the disk, the next {@link #chunksAhead} chunk files are read on a small pool into a scratch buffer and dropped, so
 * that they are in the page cache when the reader asks for them.
 *
 * <p>Only for reads that went to the disk: a chunk read faster than {@link #diskReadNanos} came from the page cache,
 * and reading ahead what is cached only costs CPU (a warm 2.2 GB/s read fell to 1.75 GB/s with it). What a read-ahead
 * finds cached stops it until a reader's own read of a chunk that was not read ahead goes to the disk again.
 *
 * <p>Best effort and bounded: a read-ahead that fails (a removed run, an unsafe chunk name) is dropped without a
 * word (the reader's own read reports it); at most {@value #MAX_STREAMS} fields are followed (least recently read
 * goes first), at most {@value #QUEUED} chunk reads wait, the others are not made. The pool's threads
 * ({@value #THREADS}, daemon, named {@code orch-artifact-readahead-N}) end after 5 s without work, so an idle server
 * has none.
 */
public final class ArtifactReadAhead {
  private static final Logger LOG = LoggerFactory.getLogger(ArtifactReadAhead.class);

  /** Chunks read ahead of a reader by default: 16 × 64 KiB = 1 MiB, four slices of 256 KiB. */
  public static final int CHUNKS_AHEAD = 16;
  /** A chunk read from the page cache takes 10–20 µs; from this virtual disk 150–200 µs; the line between, ns. */
  public static final long DISK_READ_NANOS = 50_000;
  /** Fields followed at most. */
  static final int MAX_STREAMS = 16;
  /** Threads reading ahead: as many disk requests in flight (4 doubled a cold read here; 8 added little). */
  static final int THREADS = 4;
  /** Chunk reads that may wait for a thread. */
  static final int QUEUED = 4 * CHUNKS_AHEAD;

  private static final ThreadPoolExecutor POOL = pool();

  /** One field being read: where its last read ended, how far it was read ahead, whether its reads hit the disk. */
  private static final class Stream {
    long end = -1;
    int readAheadTo;
    volatile boolean fromDisk;
  }

  private record Key(Path dir, String pointer) {
  }

  private final int chunksAhead;
  private final long diskReadNanos;
  private final AtomicLong chunksRead = new AtomicLong();
  private final Map<Key, Stream> streams = new LinkedHashMap<>(32, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Key, Stream> eldest) {
      return size() > MAX_STREAMS;
    }
  };

  /** Reads {@link #CHUNKS_AHEAD} chunks ahead of reads slower than {@link #DISK_READ_NANOS} a chunk. */
  public ArtifactReadAhead() {
    this(CHUNKS_AHEAD, DISK_READ_NANOS);
  }

  /**
   * @param chunksAhead chunks read ahead of a reader; 0 turns read-ahead off
   * @param diskReadNanos a reader's read of a chunk taking at least this long went to the disk, ns (0: every read
   *     counts as a disk read)
   */
  public ArtifactReadAhead(int chunksAhead, long diskReadNanos) {
    this.chunksAhead = Math.max(0, chunksAhead);
    this.diskReadNanos = Math.max(0, diskReadNanos);
  }

  /**
   * Tells what a reader just read and, when it continues its previous read of the field from the disk, queues the
   * read of the next chunks (those not queued before).
   *
   * @param dir the artifact's event directory (chunk files are resolved against it)
   * @param pointer the field's JSON Pointer
   * @param chunks the field's chunks, in order
   * @param first the first chunk the reader read
   * @param next the chunk after the last one it read
   * @param offset where the read started in the field, bytes
   * @param end where it ended, bytes
   * @param nanos how long the reads of chunks {@code first..next-1} took, ns
   */
  void afterRead(Path dir, String pointer, List<ArtifactManifest.Chunk> chunks, int first, int next, long offset,
      long end, long nanos) {
    if (chunksAhead == 0 || next <= first) {
      return;
    }
    Stream s;
    int from;
    int to;
    synchronized (streams) {
      Key key = new Key(dir, pointer);
      s = streams.get(key);
      if (s == null) {
        s = new Stream();
        streams.put(key, s);
      }
      boolean continues = s.end == offset;
      if (!continues) {
        s.readAheadTo = first; // a first read or a jump: nothing is read ahead of it
      }
      if (first >= s.readAheadTo) { // none of these chunks was read ahead: this read says where the data is
        s.fromDisk = nanos / (next - first) >= diskReadNanos;
      }
      s.end = end;
      if (!continues || !s.fromDisk) {
        return;
      }
      from = Math.max(s.readAheadTo, next);
      to = Math.min(chunks.size(), next + chunksAhead);
      s.readAheadTo = Math.max(s.readAheadTo, to);
    }
    for (int i = from; i < to; i++) {
      String name = chunks.get(i).file();
      if (!ArtifactFiles.safeName(name)) {
        return; // the reader's own read of it will say why
      }
      Stream stream = s;
      Path file = dir.resolve(name);
      POOL.execute(() -> readAhead(stream, file));
    }
  }

  /** @return chunk files read ahead so far by this instance (for tests and diagnostics) */
  public long chunksRead() {
    return chunksRead.get();
  }

  /**
   * Waits until no read-ahead is queued or running (tests).
   *
   * @param timeoutMs longest wait, ms
   * @return true when the pool went quiet in time
   * @throws InterruptedException when interrupted
   */
  static boolean awaitQuiet(long timeoutMs) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
    while (POOL.getTaskCount() != POOL.getCompletedTaskCount()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(1);
    }
    return true;
  }

  private void readAhead(Stream s, Path file) {
    long start = System.nanoTime();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer buf = ArtifactFiles.readBuffer();
      for (long at = 0; ; at += buf.position()) {
        buf.clear();
        JsonlTail.readFully(ch, buf, at);
        if (buf.hasRemaining()) {
          break;
        }
      }
      if (System.nanoTime() - start < diskReadNanos) {
        s.fromDisk = false; // already cached: reading ahead buys nothing here
      }
      chunksRead.incrementAndGet();
    } catch (IOException | RuntimeException e) {
      LOG.debug("read-ahead of {} dropped: {}", file, e.toString());
    }
  }

  private static ThreadPoolExecutor pool() {
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor p = new ThreadPoolExecutor(THREADS, THREADS, 5, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(QUEUED), r -> {
          Thread t = new Thread(r, "orch-artifact-readahead-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        }, new ThreadPoolExecutor.DiscardPolicy());
    p.allowCoreThreadTimeOut(true);
    return p;
  }
}
