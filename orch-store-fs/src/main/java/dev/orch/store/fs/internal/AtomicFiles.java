package dev.orch.store.fs.internal;

import dev.orch.core.OrchException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Atomic, durable file replacement (SPEC §6, fixing TS defect §11.8): write a temp file in the same directory,
 * fsync it, rename it over the target with {@code ATOMIC_MOVE}, fsync the directory. A reader sees the old or
 * the new content, never a mix. Temp files are named {@code .<name>.<random>.tmp} so listings can skip them.
 */
public final class AtomicFiles {
  private static final Logger LOG = LoggerFactory.getLogger(AtomicFiles.class);

  private AtomicFiles() {
  }

  /**
   * Replaces {@code target} atomically with {@code data}, creating parent directories.
   *
   * @throws OrchException STORE when any step fails (the temp file is removed)
   */
  public static void replace(Path target, byte[] data) {
    Path dir = target.toAbsolutePath().getParent();
    Path tmp = tempFor(target.toAbsolutePath());
    try {
      Files.createDirectories(dir);
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        writeFully(ch, ByteBuffer.wrap(data));
        ch.force(true);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      fsyncDirectory(dir);
    } catch (IOException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw StoreErrors.io("cannot write", target, e);
    }
  }

  /**
   * @return a fresh temporary name beside {@code target}: {@code .<name>.<random hex>.tmp} (listings skip it,
   *     {@link Leftovers} removes it when a killed process left it behind)
   */
  public static Path tempFor(Path target) {
    return target.resolveSibling("." + target.getFileName() + "."
        + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
  }

  /** Writes every remaining byte of {@code buf} at the channel's position. */
  public static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }

  /** Writes every remaining byte of {@code buf} at {@code position}. */
  public static void writeFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      pos += ch.write(buf, pos);
    }
  }

  /**
   * Makes a directory entry change (create, rename) durable. Some platforms cannot open directories; there the
   * call is a no-op (logged at debug).
   */
  public static void fsyncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      LOG.debug("cannot fsync directory {}: {}", dir, e.toString());
    }
  }

  /**
   * @return the file's bytes, or null when it does not exist
   * @throws OrchException STORE on other read failures
   */
  public static byte[] readIfExists(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (java.nio.file.NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw StoreErrors.io("cannot read", file, e);
    }
  }
}
