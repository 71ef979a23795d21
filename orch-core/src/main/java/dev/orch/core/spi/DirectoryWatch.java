package dev.orch.core.spi;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells followers of files when something in a directory was created or modified, so that {@link OutputTail} reads
 * an agent's new output as soon as it is written instead of at its next timed poll (issue 8: with the agent quiet
 * for tens of ms the tail's pause had grown to 20 ms, and an event reached a waiting poll 11 ms late at the median),
 * and a store can tell a long-poll of another process's run that its log grew ({@link RunStore#watchEventLog}).
 *
 * <p>Built on the JDK's {@link WatchService} (inotify on Linux): one service and one daemon thread
 * ({@code orch-dir-watch}) for the whole JVM, created on the first {@link #watch}, one watch per directory however
 * many followers it has. Notifications are hints only: a follower still re-reads on its own timer, so a file system
 * without change events (or a full inotify watch table) makes it as slow as before, never wrong. Thread-safe.
 */
public final class DirectoryWatch {
  private static final Logger LOG = LoggerFactory.getLogger(DirectoryWatch.class);
  private static final Object SHARED_LOCK = new Object();
  private static DirectoryWatch shared;

  private final WatchService service;
  /** Guarded by {@code this}. */
  private final Map<Path, Watched> byDirectory = new HashMap<>();
  /** Guarded by {@code this}. */
  private final Map<WatchKey, Watched> byKey = new HashMap<>();

  private DirectoryWatch(WatchService service) {
    this.service = service;
    Thread t = new Thread(this::run, "orch-dir-watch");
    t.setDaemon(true);
    t.start();
  }

  /** @return the JVM's watch, created on first use; empty when the platform offers no watch service */
  public static Optional<DirectoryWatch> shared() {
    synchronized (SHARED_LOCK) {
      if (shared == null) {
        try {
          shared = new DirectoryWatch(FileSystems.getDefault().newWatchService());
        } catch (IOException | UnsupportedOperationException e) {
          LOG.info("No directory watch service ({}); files are followed on a timer only", e.toString());
          return Optional.empty();
        }
      }
      return Optional.of(shared);
    }
  }

  /**
   * Calls {@code onChange} (on the watch thread; it must return at once) whenever an entry of {@code directory} is
   * created or modified, until the registration is closed. Several changes may give one call.
   *
   * @param directory an existing directory
   * @param onChange what to call, e.g. {@link ChangeSignal#raise}
   * @return the registration; empty when the directory cannot be watched (missing, or the inotify watch table is
   *     full): the caller keeps its timer only
   */
  public Optional<Subscription> watch(Path directory, Runnable onChange) {
    Objects.requireNonNull(onChange, "onChange");
    Path dir = directory.toAbsolutePath().normalize();
    synchronized (this) {
      Watched w = byDirectory.get(dir);
      if (w != null && !w.key.isValid()) { // the directory was deleted (and maybe made again): watch it anew
        forget(w);
        w = null;
      }
      if (w == null) {
        WatchKey key;
        try {
          key = dir.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
        } catch (IOException | RuntimeException e) {
          LOG.debug("Cannot watch {} ({}); its files are read on a timer only", dir, e.toString());
          return Optional.empty();
        }
        w = new Watched(dir, key);
        byDirectory.put(dir, w);
        byKey.put(key, w);
      }
      w.listeners.add(onChange);
      Watched watched = w;
      return Optional.of(new Subscription() {
        private boolean closed;

        @Override
        public void close() {
          synchronized (DirectoryWatch.this) {
            if (closed) {
              return;
            }
            closed = true;
            watched.listeners.remove(onChange);
            if (watched.listeners.isEmpty() && byKey.get(watched.key) == watched) {
              forget(watched);
              watched.key.cancel();
            }
          }
        }
      });
    }
  }

  /** Drops a watched directory from both maps (the caller holds {@code this}). */
  private void forget(Watched w) {
    byKey.remove(w.key, w);
    byDirectory.remove(w.dir, w);
  }

  /** @return how many directories are watched (for tests) */
  synchronized int watchedDirectories() {
    return byDirectory.size();
  }

  private void run() {
    while (true) {
      WatchKey key;
      try {
        key = service.take();
      } catch (InterruptedException | ClosedWatchServiceException e) {
        return;
      }
      key.pollEvents(); // which entry changed does not matter: every follower of the directory re-reads
      boolean valid = key.reset();
      List<Runnable> listeners;
      synchronized (this) {
        Watched w = byKey.get(key);
        listeners = w == null ? List.of() : List.copyOf(w.listeners);
        if (!valid && w != null) { // the directory is gone: its followers hear it once more, a new one watches anew
          forget(w);
        }
      }
      for (Runnable r : listeners) {
        try {
          r.run();
        } catch (RuntimeException e) {
          LOG.warn("A directory change listener failed", e);
        }
      }
    }
  }

  /** One watched directory and its followers. */
  private static final class Watched {
    final Path dir;
    final WatchKey key;
    /** Guarded by the {@link DirectoryWatch}. */
    final List<Runnable> listeners = new ArrayList<>();

    Watched(Path dir, WatchKey key) {
      this.dir = dir;
      this.key = key;
    }
  }
}
