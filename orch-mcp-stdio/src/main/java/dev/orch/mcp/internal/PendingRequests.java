package dev.orch.mcp.internal;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * The client requests that have not been answered yet, so that a client which sends a request and then closes stdin
 * still gets its answer before the server exits (SPEC §10 exits at stdin EOF; the SDK would drop answers written
 * after it saw EOF). Requests are recorded by {@link ProtocolInputFilter}; answers are noticed by the output stream
 * of {@link #track(OutputStream)}, which reads the {@code "id"} near the start of each message the SDK writes.
 * Thread-safe.
 */
public final class PendingRequests {
  private static final int ID_SCAN_BYTES = 256;
  private final Set<String> pending = new HashSet<>();

  /** @param idJson the request id as JSON text, e.g. {@code 7} or {@code "a1"} */
  public synchronized void requested(String idJson) {
    pending.add(idJson);
  }

  /** @param idJson the id of an answer as JSON text */
  public synchronized void answered(String idJson) {
    if (pending.remove(idJson)) {
      notifyAll();
    }
  }

  /** @return how many requests wait for an answer */
  public synchronized int size() {
    return pending.size();
  }

  /**
   * Waits until every recorded request is answered.
   *
   * @param timeoutMs longest wait, ms
   * @return true when none is pending
   */
  public synchronized boolean awaitNone(long timeoutMs) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
    while (!pending.isEmpty()) {
      long left = (deadline - System.nanoTime()) / 1_000_000L;
      if (left <= 0) {
        return false;
      }
      wait(left);
    }
    return true;
  }

  /**
   * @param out the protocol output
   * @return a stream that writes through to {@code out} and marks answered requests; the SDK transport writes each
   *     message with one {@code write(byte[])} call
   */
  public OutputStream track(OutputStream out) {
    return new FilterOutputStream(out) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        String id = idOf(b, off, len);
        if (id != null) {
          answered(id);
        }
      }
    };
  }

  /** @return the JSON text of the {@code "id"} value near the start of a message, or null */
  static String idOf(byte[] b, int off, int len) {
    String head = new String(b, off, Math.min(len, ID_SCAN_BYTES), StandardCharsets.UTF_8);
    int at = head.indexOf("\"id\":");
    if (at < 0) {
      return null;
    }
    int i = at + 5;
    while (i < head.length() && head.charAt(i) == ' ') {
      i++;
    }
    if (i >= head.length()) {
      return null;
    }
    if (head.charAt(i) == '"') {
      int j = i + 1;
      while (j < head.length() && head.charAt(j) != '"') {
        j += head.charAt(j) == '\\' ? 2 : 1;
      }
      return j < head.length() ? head.substring(i, j + 1) : null;
    }
    int j = i;
    while (j < head.length() && head.charAt(j) != ',' && head.charAt(j) != '}') {
      j++;
    }
    return j < head.length() ? head.substring(i, j).trim() : null;
  }
}
