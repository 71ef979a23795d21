package dev.orch.store.fs.internal;

import dev.orch.core.spi.RunLease;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Run leases as OS locks on {@code runs/<run_id>/.lease} (SPEC §10). The OS releases a lock when its process
 * dies, so a lease that can be taken means no live process owns the run.
 *
 * <p>The JVM refuses a second lock on a file it already locked ({@code OverlappingFileLockException}), so
 * leases held by this process are tracked in a process-wide map: trying a lease this process holds returns
 * empty, exactly as if another process held it. The map is static because the lock belongs to the process,
 * not to a store instance.
 */
public final class Leases {
  private static final Logger LOG = LoggerFactory.getLogger(Leases.class);
  private static final Map<Path, Held> HELD = new ConcurrentHashMap<>();

  private Leases() {
  }

  /**
   * @param leaseFile the {@code .lease} file (created with its directory if missing)
   * @return the lease, or empty when a process (this one included) holds it
   * @throws IOException when the file cannot be created or opened
   */
  public static Optional<RunLease> tryAcquire(Path leaseFile) throws IOException {
    Path key = leaseFile.toAbsolutePath().normalize();
    synchronized (HELD) {
      if (HELD.containsKey(key)) {
        return Optional.empty();
      }
      Files.createDirectories(key.getParent());
      FileChannel ch = FileChannel.open(key, StandardOpenOption.READ, StandardOpenOption.WRITE,
          StandardOpenOption.CREATE);
      FileLock lock;
      try {
        lock = ch.tryLock();
      } catch (OverlappingFileLockException | IOException e) {
        ch.close();
        if (e instanceof IOException io) {
          throw io;
        }
        return Optional.empty();
      }
      if (lock == null) {
        ch.close();
        return Optional.empty();
      }
      Held held = new Held(key, ch, lock);
      HELD.put(key, held);
      return Optional.of(held);
    }
  }

  /** @return true when this process holds the lease on that file */
  public static boolean heldHere(Path leaseFile) {
    return HELD.containsKey(leaseFile.toAbsolutePath().normalize());
  }

  /** @return true while the lease is held (not yet closed) */
  public static boolean isHeld(RunLease lease) {
    return lease instanceof Held h && HELD.get(h.key) == h;
  }

  /** Releases this process's lease on that file, if any. */
  public static void release(Path leaseFile) {
    Held held = HELD.get(leaseFile.toAbsolutePath().normalize());
    if (held != null) {
      held.close();
    }
  }

  /** A held lease; closing releases the lock and the file. */
  private static final class Held implements RunLease {
    private final Path key;
    private final FileChannel channel;
    private final FileLock lock;

    Held(Path key, FileChannel channel, FileLock lock) {
      this.key = key;
      this.channel = channel;
      this.lock = lock;
    }

    @Override
    public void close() {
      synchronized (HELD) {
        if (HELD.get(key) != this) {
          return;
        }
        HELD.remove(key);
        try {
          lock.release();
          channel.close();
        } catch (IOException e) {
          LOG.warn("cannot release lease {}: {}", key, e.toString());
        }
      }
    }
  }
}
