package dev.orch.backend.claude;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.spi.ConfigReader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Typed configuration of one {@code claude_code} run (SPEC §8, CONVENTIONS 9), read from the run's
 * {@code backend_config} (snake_case keys, wins) and server-wide environment variables {@code ORCH_CLAUDE_<KEY>}.
 *
 * @param executable absolute path of the native {@code claude} binary, found on {@code PATH} when the configured
 *     value (key {@code executable}, default {@code claude}) has no slash; never null
 * @param model model name or alias passed as {@code --model}, or null for the CLI default (key {@code model})
 * @param permissionMode {@code --permission-mode} (key {@code permission_mode}, default
 *     {@code bypassPermissions}); any other mode routes permission prompts to Orch (input_required)
 * @param allowedTools {@code --allowedTools} entries (key {@code allowed_tools}), never null
 * @param disallowedTools {@code --disallowedTools} entries (key {@code disallowed_tools}), never null
 * @param maxTurns {@code --max-turns}, or null for the CLI default (key {@code max_turns})
 * @param env extra environment variables of the CLI process (key {@code env}), never null
 * @param extraArgs extra CLI arguments appended verbatim (key {@code extra_args}), never null
 * @param timeoutMs watchdog: a run still going after this many ms is stopped and fails (key {@code timeout_ms},
 *     default {@value #DEFAULT_TIMEOUT_MS})
 * @param permissionTimeoutMs an unanswered permission prompt is denied after this many ms (fail closed; key
 *     {@code permission_timeout_ms}, default {@value #DEFAULT_PERMISSION_TIMEOUT_MS})
 * @param idleKeepaliveMs how long the session's CLI process stays alive after a result so that a resume reuses
 *     it; 0 closes it at once (key {@code idle_keepalive_ms}, default {@value #DEFAULT_IDLE_KEEPALIVE_MS})
 */
public record ClaudeConfig(Path executable, String model, String permissionMode, List<String> allowedTools,
    List<String> disallowedTools, Long maxTurns, Map<String, String> env, List<String> extraArgs, long timeoutMs,
    long permissionTimeoutMs, long idleKeepaliveMs) {

  /** Prefix of the server-wide environment variables. */
  public static final String ENV_PREFIX = "ORCH_CLAUDE_";
  /** Default executable, looked up on PATH. */
  public static final String DEFAULT_EXECUTABLE = "claude";
  /** Default permission mode: the CLI never asks (the TS server's only mode). */
  public static final String BYPASS = "bypassPermissions";
  /** Default run watchdog: 30 minutes. */
  public static final long DEFAULT_TIMEOUT_MS = 1_800_000L;
  /** Default wait for a permission answer: 10 minutes. */
  public static final long DEFAULT_PERMISSION_TIMEOUT_MS = 600_000L;
  /** Default keep-alive of an idle session process: 60 s. */
  public static final long DEFAULT_IDLE_KEEPALIVE_MS = 60_000L;
  /** The permission modes of Claude Code 2.1. */
  public static final Set<String> PERMISSION_MODES =
      Set.of("acceptEdits", "auto", BYPASS, "default", "dontAsk", "plan");

  /** Copies collections; @throws NullPointerException when executable or permissionMode is null. */
  public ClaudeConfig {
    Objects.requireNonNull(executable, "executable");
    Objects.requireNonNull(permissionMode, "permissionMode");
    allowedTools = List.copyOf(allowedTools);
    disallowedTools = List.copyOf(disallowedTools);
    env = Map.copyOf(env);
    extraArgs = List.copyOf(extraArgs);
  }

  /** @return true when the CLI bypasses every permission check (no prompts reach Orch) */
  public boolean bypassPermissions() {
    return BYPASS.equals(permissionMode);
  }

  /**
   * Reads and validates the configuration; every problem is reported at once.
   *
   * @param backendConfig the run's {@code backend_config}, or null
   * @param environment the server's environment (for {@code ORCH_CLAUDE_*} and {@code PATH})
   * @return the configuration
   * @throws dev.orch.core.OrchException INVALID_ARGUMENT {@code Invalid claude_code configuration: ...} naming
   *     each bad key (unknown keys, wrong types, out-of-range numbers, an executable that cannot be found)
   */
  public static ClaudeConfig read(ObjectNode backendConfig, Map<String, String> environment) {
    ConfigReader r = new ConfigReader(ClaudeBackendProvider.ID, backendConfig, environment, ENV_PREFIX);
    Path executable = r.executable("executable", DEFAULT_EXECUTABLE);
    String model = r.string("model", null);
    String mode = r.oneOf("permission_mode", BYPASS, PERMISSION_MODES);
    List<String> allowed = r.stringList("allowed_tools");
    List<String> disallowed = r.stringList("disallowed_tools");
    Long maxTurns = r.longValue("max_turns", null, 1, 10_000);
    Map<String, String> env = r.stringMap("env");
    List<String> extraArgs = r.stringList("extra_args");
    long timeout = r.longValue("timeout_ms", DEFAULT_TIMEOUT_MS, 1_000, 86_400_000L);
    long permissionTimeout = r.longValue("permission_timeout_ms", DEFAULT_PERMISSION_TIMEOUT_MS, 100, 86_400_000L);
    long keepalive = r.longValue("idle_keepalive_ms", DEFAULT_IDLE_KEEPALIVE_MS, 0, 3_600_000L);
    r.finish();
    return new ClaudeConfig(executable, model, mode, allowed, disallowed, maxTurns, env, extraArgs, timeout,
        permissionTimeout, keepalive);
  }
}
