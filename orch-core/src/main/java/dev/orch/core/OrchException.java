package dev.orch.core;

import java.util.Objects;

/**
 * The one unchecked exception root of Orch. Every error a caller can act on is an {@code OrchException}
 * with an {@link ErrorCode}; its message is the precise, user-facing text (the MCP server returns it as
 * the text of an {@code isError} tool result, prefixed with {@code "Error: "}).
 *
 * <p>A run that fails is an event ({@code run_failed}), never an exception: exceptions are for calls that
 * cannot be carried out (bad input, unknown ids, a backend that refuses to start, I/O failures of the store).
 */
public class OrchException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What kind of failure this is; lets callers map errors without parsing messages. */
  public enum ErrorCode {
    /** A caller-supplied value breaks a rule (bad cwd, bad profile, bad backend_config...). */
    INVALID_ARGUMENT,
    /** A run, session, agent name or artifact does not exist. */
    NOT_FOUND,
    /** The request conflicts with the current state (terminal run, name in use, session busy...). */
    CONFLICT,
    /** No backend or store with that id, or the backend lacks the capability. */
    UNSUPPORTED,
    /** The backend could not start or talk to its peer. */
    BACKEND,
    /** The store could not read or write its files. */
    STORE,
    /** A defect in Orch itself. */
    INTERNAL
  }

  private final ErrorCode code;

  /**
   * @param code the kind of failure, never null
   * @param message the user-facing message, never null
   */
  public OrchException(ErrorCode code, String message) {
    super(message);
    this.code = Objects.requireNonNull(code, "code");
  }

  /**
   * @param code the kind of failure, never null
   * @param message the user-facing message, never null
   * @param cause the underlying cause, may be null
   */
  public OrchException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = Objects.requireNonNull(code, "code");
  }

  /** @return the kind of failure, never null */
  public ErrorCode code() {
    return code;
  }

  /** Shorthand for {@code new OrchException(INVALID_ARGUMENT, message)}. */
  public static OrchException invalid(String message) {
    return new OrchException(ErrorCode.INVALID_ARGUMENT, message);
  }

  /** Shorthand for {@code new OrchException(NOT_FOUND, message)}. */
  public static OrchException notFound(String message) {
    return new OrchException(ErrorCode.NOT_FOUND, message);
  }

  /** Shorthand for {@code new OrchException(CONFLICT, message)}. */
  public static OrchException conflict(String message) {
    return new OrchException(ErrorCode.CONFLICT, message);
  }
}
