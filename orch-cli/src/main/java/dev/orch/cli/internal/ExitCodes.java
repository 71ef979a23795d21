package dev.orch.cli.internal;

import dev.orch.core.OrchException;

/**
 * Exit codes of {@code orch} and {@code peer} (docs/cli.md "Exit codes"). Stable: scripts may rely on them.
 */
public final class ExitCodes {
  /** Success (for ask/run/review and followed continues: the run completed). */
  public static final int OK = 0;
  /** The followed run ended failed, cancelled or rejected. */
  public static final int RUN_NOT_COMPLETED = 1;
  /** Bad command line or invalid argument (unknown flag, bad cwd, bad JSON...). */
  public static final int USAGE = 2;
  /** Unknown run, agent, session or artifact. */
  public static final int NOT_FOUND = 3;
  /** Conflict with the run's state (already terminal, not awaiting input, name in use, owner not answering). */
  public static final int CONFLICT = 4;
  /** Unknown backend, missing capability, or the backend could not start. */
  public static final int BACKEND = 5;
  /** The store could not read or write, or an internal error. */
  public static final int STORE = 6;
  /** Interrupted (Ctrl+C): 128 + SIGINT. */
  public static final int INTERRUPTED = 130;

  private ExitCodes() {
  }

  /** @return the exit code for an error code */
  public static int of(OrchException.ErrorCode code) {
    return switch (code) {
      case INVALID_ARGUMENT -> USAGE;
      case NOT_FOUND -> NOT_FOUND;
      case CONFLICT -> CONFLICT;
      case UNSUPPORTED, BACKEND -> BACKEND;
      case STORE, INTERNAL -> STORE;
    };
  }
}
