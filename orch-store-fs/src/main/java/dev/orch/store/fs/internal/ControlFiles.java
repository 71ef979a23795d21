package dev.orch.store.fs.internal;

import dev.orch.core.spi.ControlAnswer;
import dev.orch.core.spi.ControlRequest;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file side of the cross-process control channel: {@code runs/<run_id>/control/} holds
 * <ul>
 *   <li>{@code <id>.request.json}: posted by a requester (atomic replace: temp file + rename);</li>
 *   <li>{@code <id>.taken.json}: the same file renamed by the owner when it takes the request (the rename is the
 *       atomic "take": a request is taken once, and a requester that withdraws by deleting
 *       {@code <id>.request.json} either wins, or finds it gone and knows the owner has it);</li>
 *   <li>{@code <id>.answer.json}: the owner's answer (atomic replace), consumed (deleted) by the requester.</li>
 * </ul>
 * Leftovers of requesters that died (answers nobody read, taken files of owners that died mid-request) are deleted
 * by the next {@link #take} after {@link #STALE}.
 */
public final class ControlFiles {
  /** Directory inside a run directory. */
  public static final String DIR = "control";
  /** Age after which an unread answer or an abandoned taken file is removed. */
  static final Duration STALE = Duration.ofMinutes(2);
  private static final Logger LOG = LoggerFactory.getLogger(ControlFiles.class);
  private static final String REQUEST = ".request.json";
  private static final String TAKEN = ".taken.json";
  private static final String ANSWER = ".answer.json";

  private ControlFiles() {
  }

  /** Writes {@code <id>.request.json} atomically. @throws dev.orch.core.OrchException STORE on I/O failure */
  public static void post(Path runDir, ControlRequest request) {
    AtomicFiles.replace(runDir.resolve(DIR).resolve(request.id() + REQUEST), JsonSupport.pretty(request.toJson()));
  }

  /**
   * Takes every posted request (rename to {@code .taken.json}), oldest first; unreadable requests are dropped with
   * a warning. One directory listing when there is nothing.
   *
   * @throws dev.orch.core.OrchException STORE when the directory cannot be listed
   */
  public static List<ControlRequest> take(Path runDir, Instant now) {
    Path dir = runDir.resolve(DIR);
    List<Path> requests = new ArrayList<>();
    List<Path> others = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        if (name.startsWith(".")) {
          continue;
        }
        (name.endsWith(REQUEST) ? requests : others).add(p);
      }
    } catch (NoSuchFileException | NotDirectoryException e) {
      return List.of();
    } catch (IOException e) {
      throw StoreErrors.io("cannot list control requests in", dir, e);
    }
    if (!others.isEmpty()) {
      dropStale(others, now);
    }
    List<ControlRequest> out = new ArrayList<>();
    for (Path p : requests) {
      String name = p.getFileName().toString();
      Path taken = dir.resolve(name.substring(0, name.length() - REQUEST.length()) + TAKEN);
      try {
        Files.move(p, taken, StandardCopyOption.ATOMIC_MOVE);
      } catch (NoSuchFileException e) {
        continue; // withdrawn (or taken by someone else) meanwhile
      } catch (AtomicMoveNotSupportedException e) {
        throw StoreErrors.io("cannot take control request (no atomic rename)", p, e);
      } catch (IOException e) {
        throw StoreErrors.io("cannot take control request", p, e);
      }
      byte[] bytes = AtomicFiles.readIfExists(taken);
      try {
        out.add(ControlRequest.fromJson(JsonSupport.MAPPER.readTree(bytes)));
      } catch (IOException | RuntimeException e) {
        LOG.warn("dropping unreadable control request {}: {}", taken, e.toString());
        deleteQuietly(taken);
      }
    }
    out.sort(Comparator.comparing(ControlRequest::createdAt));
    return out;
  }

  /** Writes {@code <id>.answer.json} atomically and deletes {@code <id>.taken.json}. */
  public static void answer(Path runDir, String requestId, ControlAnswer answer) {
    Path dir = runDir.resolve(DIR);
    AtomicFiles.replace(dir.resolve(StoreLayout.checkId("request id", requestId) + ANSWER),
        JsonSupport.pretty(answer.toJson()));
    deleteQuietly(dir.resolve(requestId + TAKEN));
  }

  /** @return the answer (then deleted), or empty when there is none yet */
  public static Optional<ControlAnswer> readAnswer(Path runDir, String requestId) {
    Path file = runDir.resolve(DIR).resolve(StoreLayout.checkId("request id", requestId) + ANSWER);
    byte[] bytes = AtomicFiles.readIfExists(file);
    if (bytes == null) {
      return Optional.empty();
    }
    ControlAnswer answer;
    try {
      answer = ControlAnswer.fromJson(JsonSupport.MAPPER.readTree(bytes));
    } catch (IOException | RuntimeException e) {
      throw StoreErrors.io("cannot read control answer", file, e instanceof IOException io ? io
          : new IOException(e.toString(), e));
    }
    deleteQuietly(file);
    return Optional.of(answer);
  }

  /** @return true when {@code <id>.request.json} was deleted before an owner took it */
  public static boolean withdraw(Path runDir, String requestId) {
    Path file = runDir.resolve(DIR).resolve(StoreLayout.checkId("request id", requestId) + REQUEST);
    try {
      return Files.deleteIfExists(file);
    } catch (IOException e) {
      throw StoreErrors.io("cannot withdraw control request", file, e);
    }
  }

  private static void dropStale(List<Path> files, Instant now) {
    for (Path p : files) {
      try {
        if (Files.getLastModifiedTime(p).toInstant().plus(STALE).isBefore(now)) {
          Files.deleteIfExists(p);
        }
      } catch (IOException e) {
        LOG.debug("cannot clean up {}: {}", p, e.toString());
      }
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      LOG.debug("cannot delete {}: {}", p, e.toString());
    }
  }
}
