package dev.orch.mcp.internal;

import dev.orch.core.OrchException;
import java.io.IOException;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The text of an {@code isError} tool result for a failed call (SPEC §2 {@code Error: <message>}), made safe to show
 * to a client (issue 9 item 4): no stack traces, Java class names or absolute server paths, echoed values cut.
 *
 * <ul>
 *   <li>{@link OrchException} INVALID_ARGUMENT, NOT_FOUND, CONFLICT, UNSUPPORTED: {@code Error: <message>}; the
 *       message is written for users, it only gets {@link Echo#message} (long values cut, class names removed).</li>
 *   <li>BACKEND: {@code Error: <message without absolute paths> (incident <id>)}; the full text and stack trace
 *       are logged under the id.</li>
 *   <li>STORE: {@code Error: the run store failed: <reason> (incident <id>; details in the server log)}, the reason
 *       taken from the I/O failure (e.g. {@code No space left on device}, {@code permission denied},
 *       {@code a file or directory is missing}) without paths.</li>
 *   <li>INTERNAL and any other exception: {@code Error: internal error in <tool> (incident <id>; details in the
 *       server log)}.</li>
 * </ul>
 * Stateless, thread-safe.
 */
public final class ToolErrors {
  private static final Logger LOG = LoggerFactory.getLogger(ToolErrors.class);
  private static final String DETAILS = "; details in the server log)";

  private ToolErrors() {
  }

  /**
   * @param tool the tool that failed
   * @param e what it threw
   * @return the text of the isError result
   */
  public static String text(String tool, Throwable e) {
    if (e instanceof OrchException oe) {
      switch (oe.code()) {
        case INVALID_ARGUMENT, NOT_FOUND, CONFLICT, UNSUPPORTED -> {
          LOG.debug("{} failed: {}", tool, Echo.message(oe.getMessage()));
          return "Error: " + Echo.message(oe.getMessage());
        }
        case BACKEND -> {
          String id = Incidents.record(LOG, tool + " failed in the backend: " + oe.getMessage(), oe);
          return "Error: " + Echo.message(Echo.withoutServerPaths(oe.getMessage())) + " (incident " + id + DETAILS;
        }
        case STORE -> {
          String id = Incidents.record(LOG, tool + " failed in the run store: " + oe.getMessage(), oe);
          return "Error: the run store failed: " + ioReason(oe) + " (incident " + id + DETAILS;
        }
        default -> {
          // INTERNAL: below
        }
      }
    }
    String id = Incidents.record(LOG, "unexpected failure in tool " + tool, e);
    return "Error: internal error in " + tool + " (incident " + id + DETAILS;
  }

  /** @return a short, path-free description of the I/O failure behind {@code e} */
  static String ioReason(Throwable e) {
    Throwable t = e;
    for (int depth = 0; t != null && depth < 10; depth++, t = t.getCause()) {
      if (t instanceof NoSuchFileException) {
        return "a file or directory is missing";
      }
      if (t instanceof AccessDeniedException) {
        return "permission denied";
      }
      if (t instanceof FileAlreadyExistsException) {
        return "a file already exists";
      }
      if (t instanceof NotDirectoryException) {
        return "a path is not a directory";
      }
      if (t instanceof DirectoryNotEmptyException) {
        return "a directory is not empty";
      }
      if (t instanceof FileSystemException fs && fs.getReason() != null) {
        return Echo.message(Echo.withoutServerPaths(fs.getReason()));
      }
      if (t instanceof OverlappingFileLockException) {
        return "a file lock is already held in this process";
      }
      if (t instanceof IOException io && !(t instanceof FileSystemException) && io.getMessage() != null
          && !(t.getCause() instanceof IOException)) {
        return Echo.message(Echo.withoutServerPaths(io.getMessage()));
      }
    }
    return "I/O error";
  }
}
