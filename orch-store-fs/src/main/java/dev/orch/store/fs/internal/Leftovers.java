package dev.orch.store.fs.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes temp files that a killed process left behind (issue 9 item 4): {@code .<name>.<random>.tmp} from
 * {@link AtomicFiles} and {@code registry.json.<pid>.<uuid>.tmp} from the TS registry protocol. Only files older than
 * {@link #MIN_AGE} go — a live process in the middle of a write (milliseconds) keeps its file. Failures are logged,
 * never thrown: cleaning is housekeeping.
 */
public final class Leftovers {
  private static final Logger LOG = LoggerFactory.getLogger(Leftovers.class);
  /** Age from which a temp file counts as left over. */
  static final Duration MIN_AGE = Duration.ofSeconds(60);

  private Leftovers() {
  }

  /**
   * Deletes left-over temp files directly in {@code dir} (not below it).
   *
   * @return how many were removed
   */
  public static int sweep(Path dir) {
    int removed = 0;
    Instant cutoff = Instant.now().minus(MIN_AGE);
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.tmp")) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        if (!name.startsWith(".") && !name.startsWith("registry.json.")) {
          continue;
        }
        try {
          BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
          if (a.isRegularFile() && a.lastModifiedTime().toInstant().isBefore(cutoff)) {
            Files.deleteIfExists(p);
            removed++;
          }
        } catch (NoSuchFileException gone) {
          // removed meanwhile
        }
      }
    } catch (NoSuchFileException e) {
      return 0;
    } catch (IOException e) {
      LOG.debug("cannot clean temp files in {}: {}", dir, e.toString());
    }
    if (removed > 0) {
      LOG.info("removed {} left-over temp file(s) in {}", removed, dir);
    }
    return removed;
  }
}
