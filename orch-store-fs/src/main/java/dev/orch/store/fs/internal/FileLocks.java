package dev.orch.store.fs.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Exclusive cross-process locks on files, for short critical sections (agent-name allocation, inbox seqs, the
 * global run index). The OS lock ({@link FileChannel#lock()}) serializes processes; because the JVM refuses
 * a second lock on the same file from the same process ({@code OverlappingFileLockException}), threads of one
 * process are first serialized by an in-process lock per path. That map is process-wide by nature (the OS lock
 * belongs to the process, not to a store instance), hence static.
 */
public final class FileLocks {
  private static final Map<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

  private FileLocks() {
  }

  /** Work done while holding a lock; receives the locked file's channel (read + write). */
  @FunctionalInterface
  public interface LockedWork<T> {
    /**
     * @param channel the locked file, open for reading and writing
     * @return the result
     * @throws IOException on I/O failure
     */
    T run(FileChannel channel) throws IOException;
  }

  /**
   * Runs {@code work} while holding an exclusive lock on {@code lockFile} (created if missing). Blocks until
   * the lock is free.
   *
   * @throws IOException when the file cannot be opened or locked, or the work fails
   */
  public static <T> T withLock(Path lockFile, LockedWork<T> work) throws IOException {
    Path key = lockFile.toAbsolutePath().normalize();
    ReentrantLock local = IN_PROCESS.computeIfAbsent(key, k -> new ReentrantLock());
    local.lock();
    try {
      Files.createDirectories(key.getParent());
      try (FileChannel ch = FileChannel.open(key, StandardOpenOption.READ, StandardOpenOption.WRITE,
          StandardOpenOption.CREATE)) {
        FileLock lock = ch.lock();
        try {
          return work.run(ch);
        } finally {
          lock.release();
        }
      }
    } finally {
      local.unlock();
    }
  }
}
