package dev.orch.store.fs.internal;

import dev.orch.core.OrchException;
import java.io.IOException;
import java.nio.file.Path;

/** Builds the store's {@link OrchException}s: code STORE, message {@code <what> <path>: <reason>}. */
public final class StoreErrors {
  private StoreErrors() {
  }

  /**
   * @param what the failed action, e.g. {@code cannot write}
   * @param path the file involved
   * @param e the cause
   * @return the exception to throw
   */
  public static OrchException io(String what, Path path, IOException e) {
    String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + " "
        + e.getMessage();
    return new OrchException(OrchException.ErrorCode.STORE, what + " " + path + ": " + reason, e);
  }
}
