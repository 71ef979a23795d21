package dev.orch.core.internal;

import dev.orch.core.OrchException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How many runs of this process may be active at once (SPEC §12.2): {@code ORCH_MAX_RUNNING} (default
 * {@value #DEFAULT_MAX_RUNNING}) in all, and {@code ORCH_MAX_RUNNING_<BACKEND>} (e.g. {@code ORCH_MAX_RUNNING_CODEX},
 * {@code ORCH_MAX_RUNNING_CLAUDE_CODE}, {@code ORCH_MAX_RUNNING_REMOTE_A2A}; unset = no cap of its own) per backend.
 *
 * @param maxRunning the cap over all backends, ≥ 1
 * @param perBackend caps by backend id
 */
record Caps(int maxRunning, Map<String, Integer> perBackend) {
  /** Default of {@code ORCH_MAX_RUNNING}. */
  static final int DEFAULT_MAX_RUNNING = 8;
  private static final String PREFIX = "ORCH_MAX_RUNNING_";

  Caps {
    perBackend = Map.copyOf(perBackend);
  }

  /**
   * @param env the environment
   * @return the caps
   * @throws OrchException INVALID_ARGUMENT naming every variable that is not an integer ≥ 1
   */
  static Caps from(Map<String, String> env) {
    StringBuilder bad = new StringBuilder();
    int max = parse(env, "ORCH_MAX_RUNNING", DEFAULT_MAX_RUNNING, bad);
    Map<String, Integer> per = new HashMap<>();
    for (Map.Entry<String, String> e : env.entrySet()) {
      if (e.getKey().startsWith(PREFIX) && e.getKey().length() > PREFIX.length()) {
        int v = parse(env, e.getKey(), -1, bad);
        if (v > 0) {
          per.put(e.getKey().substring(PREFIX.length()), v);
        }
      }
    }
    if (bad.length() > 0) {
      throw OrchException.invalid("Invalid scheduling settings: " + bad);
    }
    return new Caps(max, per);
  }

  private static int parse(Map<String, String> env, String key, int dflt, StringBuilder bad) {
    String v = env.get(key);
    if (v == null || v.isBlank()) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    bad.append(bad.length() > 0 ? "; " : "").append(key).append(" must be an integer >= 1");
    return dflt;
  }

  /** @return the cap of a backend, or null when only the global cap applies */
  Integer capOf(String backendId) {
    return perBackend.get(backendId.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_"));
  }
}
