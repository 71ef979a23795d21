package dev.orch.store.fs.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the {@code events.idx} of finished runs' logs that have none ({@link EventIndex#buildForFinished}), once per
 * log size: a log already checked or built at its current size is not looked at again, so a poll past the end of a
 * finished run (the index has no entry for a seq that does not exist) costs no second look at the files, and a log
 * whose index could not be built (a seq gap, an I/O error) costs one scan per read, not a rebuild attempt too. One
 * build at a time in this process; at most {@value #MAX_REMEMBERED} logs are remembered (least recently tried goes
 * first). Thread-safe.
 */
public final class FinishedIndexes {
  private static final Logger LOG = LoggerFactory.getLogger(FinishedIndexes.class);
  static final int MAX_REMEMBERED = 1024;

  private final Map<Path, Long> triedAtSize = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Path, Long> eldest) {
      return size() > MAX_REMEMBERED;
    }
  };

  /**
   * @param log a finished run's event log
   * @param size its current size in bytes
   * @return true when its index was checked or built by this call and describes the whole log (a lookup in it is
   *     worth repeating); false when the log was already handled at this size, or no index could be built
   */
  public synchronized boolean build(Path log, long size) {
    Long tried = triedAtSize.get(log);
    if (tried != null && tried == size) {
      return false;
    }
    boolean ok;
    try {
      ok = EventIndex.buildForFinished(log);
    } catch (IOException e) {
      LOG.debug("cannot build the event index of {}: {}", log, e.toString());
      ok = false;
    }
    triedAtSize.put(log, size);
    return ok;
  }
}
