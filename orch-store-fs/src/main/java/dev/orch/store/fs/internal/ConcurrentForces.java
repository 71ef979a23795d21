package dev.orch.store.fs.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Forces many files or directories together (issue 8 item 1: the artifacts of a group commit's batch). Each force is
 * an fsync that waits for the file system's journal; issued one after the other under a flood, the ~80 files and ~40
 * directories of a batch's 40 artifact events took 80–160 ms of the commit thread, issued together they share
 * journal commits (10–30 ms). The forces run on a few daemon threads that end when idle; the caller waits until
 * every force has ended (also when it is interrupted: it keeps its interrupt flag).
 */
final class ConcurrentForces {
  /** Forces in flight at once. */
  private static final int THREADS = 8;
  private static final ThreadPoolExecutor POOL = pool();

  private ConcurrentForces() {
  }

  /**
   * Forces each regular file's data and metadata ({@code fsync}).
   *
   * @throws IOException the first failure (others suppressed in it), after every force has ended
   */
  static void files(List<Path> files) throws IOException {
    all(files, ConcurrentForces::forceFile);
  }

  /**
   * Forces each directory's entries ({@link AtomicFiles#fsyncDirectory}: a no-op where directories cannot be opened).
   *
   * @throws IOException never from the force itself; kept for symmetry with {@link #files}
   */
  static void directories(List<Path> dirs) throws IOException {
    all(dirs, AtomicFiles::fsyncDirectory);
  }

  private interface Force {
    void apply(Path p) throws IOException;
  }

  private static void forceFile(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  private static void all(List<Path> paths, Force force) throws IOException {
    if (paths.isEmpty()) {
      return;
    }
    // all on the pool, none on the caller: a FileChannel used by an interrupted thread is closed under it
    List<Future<?>> pending = new ArrayList<>(paths.size());
    for (Path p : paths) {
      pending.add(POOL.submit(() -> {
        force.apply(p);
        return null;
      }));
    }
    IOException failure = null;
    boolean interrupted = false;
    for (Future<?> f : pending) {
      while (true) {
        try {
          f.get();
          break;
        } catch (InterruptedException e) {
          interrupted = true; // no force may outlive the call: wait on, restore the flag after
        } catch (ExecutionException e) {
          IOException io = e.getCause() instanceof IOException x ? x : new IOException(e.getCause());
          if (failure == null) {
            failure = io;
          } else {
            failure.addSuppressed(io);
          }
          break;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (failure != null) {
      throw failure;
    }
  }

  private static ThreadPoolExecutor pool() {
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor p = new ThreadPoolExecutor(THREADS, THREADS, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        r -> {
          Thread t = new Thread(r, "orch-fsync-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    p.allowCoreThreadTimeOut(true);
    return p;
  }
}
