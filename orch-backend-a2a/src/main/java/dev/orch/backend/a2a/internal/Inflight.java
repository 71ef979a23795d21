package dev.orch.backend.a2a.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The HTTP exchanges of one run that are still open, so that a cancel or shutdown can abort them all at once.
 * Thread-safe. Once {@link #abortAll()} ran, new exchanges are refused.
 */
final class Inflight {
  private final Set<Runnable> aborts = new LinkedHashSet<>();
  private boolean closed;

  /**
   * Registers an exchange.
   *
   * @param abort stops the exchange; must not throw and must be idempotent
   * @throws IOException when the run was already aborted
   */
  synchronized void add(Runnable abort) throws IOException {
    if (closed) {
      throw new IOException("request aborted: the run was cancelled or the backend closed");
    }
    aborts.add(abort);
  }

  /** Forgets a finished exchange. */
  synchronized void remove(Runnable abort) {
    aborts.remove(abort);
  }

  /** @return true once {@link #abortAll()} ran */
  synchronized boolean isClosed() {
    return closed;
  }

  /** Aborts every open exchange and refuses new ones. Idempotent. */
  void abortAll() {
    List<Runnable> toRun;
    synchronized (this) {
      closed = true;
      toRun = new ArrayList<>(aborts);
      aborts.clear();
    }
    toRun.forEach(Runnable::run);
  }
}
