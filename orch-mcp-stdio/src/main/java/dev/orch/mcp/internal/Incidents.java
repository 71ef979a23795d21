package dev.orch.mcp.internal;

import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;

/**
 * Incident ids tie an answer to the server log (issue 9 item 4): the client gets a stable message plus a short id,
 * the stack trace and the raw message go to stderr under the same id. Ids are 8 lowercase hex digits, random (not
 * unique across processes, enough to find the log line). Thread-safe.
 */
public final class Incidents {
  private Incidents() {
  }

  /**
   * Logs a failure at ERROR with its stack trace and returns the id to put into the answer.
   *
   * @param log where to log (stderr in the server)
   * @param what what failed, for the log only (may hold paths and class names)
   * @param cause the failure; null when there is only a message
   * @return the incident id, e.g. {@code 3f9c0a7e}
   */
  public static String record(Logger log, String what, Throwable cause) {
    String id = String.format("%08x", ThreadLocalRandom.current().nextInt());
    if (cause == null) {
      log.error("incident {}: {}", id, what);
    } else {
      log.error("incident {}: {}", id, what, cause);
    }
    return id;
  }
}
