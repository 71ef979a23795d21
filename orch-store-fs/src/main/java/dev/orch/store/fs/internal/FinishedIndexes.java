package dev.orch.store.fs.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the {@code events.idx} of finished runs' logs that have none ({@link EventIndex#buildForFinished}), once: a
 * log whose index could not be built (a seq gap, an I/O error) is not tried again while its size is unchanged, so a
 * damaged log costs one scan per read, not a rebuild attempt too. One build at a time in this process; at most
 * {@value #MAX_REMEMBERED} logs are remembered (least recently tried goes first). Thread-safe.
 */
public final class FinishedIndexes {
  private static final Logger LOG = LoggerFactory.getLogger(FinishedIndexes.class);
  static final int MAX_REMEMBERED = 1024;

  private final Map<Path, Long> failedAtSize = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Path, Long> eldest) {
      return size() > MAX_REMEMBERED;
    }
  };

  /**
   * @param log a finished run's event log
   * @param size its current size in bytes
   * @return true when its index now describes the whole log
   */
  public synchronized boolean build(Path log, long size) {
    Long failed = failedAtSize.get(log);
    if (failed != null && failed == size) {
      return false;
    }
    boolean ok;
    try {
      ok = EventIndex.buildForFinished(log);
    } catch (IOException e) {
      LOG.debug("cannot build the event index of {}: {}", log, e.toString());
      ok = false;
    }
    if (ok) {
      failedAtSize.remove(log);
    } else {
      failedAtSize.put(log, size);
    }
    return ok;
  }
}
