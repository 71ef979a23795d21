package dev.orch.agents.internal;

import io.a2a.spec.InvalidParamsError;
import io.a2a.spec.Message;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Pins each A2A {@code contextId} to the working directory of its first message (SPEC §9): the cwd comes from
 * {@code metadata.nanobot_orchestrator.cwd} (must be absolute) or, when the message carries none — any generic A2A
 * client — from the agent's default directory ({@code start-a2a-agent --cwd}); a different cwd later in the same
 * context is refused. Also remembers the Orch session that serves a context, so later messages resume it.
 * Thread-safe.
 */
public final class ContextPins {
  private final Map<String, Pin> pins = new ConcurrentHashMap<>();
  private final String defaultCwd;

  /**
   * @param defaultCwd the working directory of contexts whose first message names none: absolute, normalized
   * @throws IllegalArgumentException when {@code defaultCwd} is not absolute
   */
  public ContextPins(Path defaultCwd) {
    if (!defaultCwd.isAbsolute()) {
      throw new IllegalArgumentException("the default cwd must be absolute: " + defaultCwd);
    }
    this.defaultCwd = defaultCwd.normalize().toString();
  }

  /**
   * The pin of one context.
   *
   * @param cwd the normalized absolute working directory
   * @param sessionId the Orch session serving the context, or null before its first run was spawned
   */
  public record Pin(String cwd, String sessionId) {
  }

  /**
   * Checks a message before any task is created: a given cwd must be absolute and match the context's pin (a
   * message without one uses the pin, or the default cwd for a new context).
   *
   * @param message the incoming message
   * @throws InvalidParamsError (JSON-RPC -32602) naming the rule that was broken
   */
  public void check(Message message) {
    String contextId = message.getContextId();
    resolve(contextId, A2aMessages.cwdOf(message));
  }

  /**
   * Pins the context (first message) or checks the message's cwd against the pin.
   *
   * @param contextId the context, never null
   * @param requestedCwd the cwd of the message, or null to use the pinned one (the default cwd for a new context)
   * @return the pinned cwd
   * @throws InvalidParamsError when the cwd is relative or differs from the pin
   */
  public String pin(String contextId, String requestedCwd) {
    String cwd = resolve(contextId, requestedCwd);
    Pin pin = pins.computeIfAbsent(contextId, id -> new Pin(cwd, null));
    if (!pin.cwd().equals(cwd)) {
      throw differentCwd(contextId, pin.cwd(), cwd);
    }
    return cwd;
  }

  /**
   * @param contextId a context
   * @return the Orch session bound to the context, or null
   */
  public String sessionOf(String contextId) {
    Pin pin = pins.get(contextId);
    return pin == null ? null : pin.sessionId();
  }

  /**
   * Binds a pinned context to the Orch session that now serves it.
   *
   * @param contextId a pinned context
   * @param sessionId the Orch session id
   */
  public void bindSession(String contextId, String sessionId) {
    pins.computeIfPresent(contextId, (id, p) -> new Pin(p.cwd(), sessionId));
  }

  private String resolve(String contextId, String requestedCwd) {
    Pin pin = contextId == null ? null : pins.get(contextId);
    if (requestedCwd == null) {
      return pin == null ? defaultCwd : pin.cwd();
    }
    Path p = Path.of(requestedCwd);
    if (!p.isAbsolute()) {
      throw new InvalidParamsError("metadata." + A2aMessages.ORCH_METADATA + ".cwd must be an absolute path: "
          + requestedCwd);
    }
    String cwd = p.normalize().toString();
    if (pin != null && !pin.cwd().equals(cwd)) {
      throw differentCwd(contextId, pin.cwd(), cwd);
    }
    return cwd;
  }

  private static InvalidParamsError differentCwd(String contextId, String pinned, String requested) {
    return new InvalidParamsError("context " + contextId + " is pinned to cwd " + pinned + "; refusing cwd "
        + requested);
  }
}
