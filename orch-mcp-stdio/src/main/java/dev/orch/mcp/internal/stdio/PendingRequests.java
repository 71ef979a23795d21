package dev.orch.mcp.internal.stdio;

import java.util.HashMap;
import java.util.Map;

/**
 * The client requests received and not answered yet, so that at stdin EOF the server can wait briefly for their
 * answers before it exits (SPEC §10: a client may send a request and close stdin at once). Ids are compared by
 * value: an integer id {@code 7} is one key whether it arrived as {@code Integer} or {@code Long}; {@code "7"} is
 * another. A request id received twice counts twice. Thread-safe.
 */
final class PendingRequests {
  private final Map<Object, Integer> open = new HashMap<>();
  private boolean abandoned;

  /** @param id a request id as decoded (String, Integer or Long) */
  synchronized void received(Object id) {
    if (!abandoned) {
      open.merge(key(id), 1, Integer::sum);
    }
  }

  /** @param id the id of an answer that was written */
  synchronized void answered(Object id) {
    Object k = key(id);
    Integer n = open.get(k);
    if (n == null) {
      return;
    }
    if (n == 1) {
      open.remove(k);
    } else {
      open.put(k, n - 1);
    }
    if (open.isEmpty()) {
      notifyAll();
    }
  }

  /** No answer can be written any more (the output is gone): forget every request and stop waiting. */
  synchronized void abandon() {
    abandoned = true;
    open.clear();
    notifyAll();
  }

  /** @return how many requests wait for an answer */
  synchronized int size() {
    return open.values().stream().mapToInt(Integer::intValue).sum();
  }

  /**
   * Waits until every received request is answered.
   *
   * @param timeoutMs longest wait, ms
   * @return true when none is pending
   * @throws InterruptedException when interrupted while waiting
   */
  synchronized boolean awaitNone(long timeoutMs) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
    while (!open.isEmpty()) {
      long left = (deadline - System.nanoTime()) / 1_000_000L;
      if (left <= 0) {
        return false;
      }
      wait(left);
    }
    return true;
  }

  private static Object key(Object id) {
    return id instanceof Number n ? (Object) n.longValue() : id;
  }
}
