package dev.orch.backend.codex;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.backend.codex.internal.Toml;
import dev.orch.core.spi.ConfigReader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Typed configuration of one codex run (SPEC §8, CONVENTIONS 9), read from the run's {@code backend_config}
 * (snake_case keys, wins) and the server's environment ({@code ORCH_CODEX_<KEY>}). See
 * {@code docs/backend-codex.md} for every key.
 *
 * @param executable absolute path of the codex binary, resolved against {@code PATH} when the configured value
 *     has no slash; never null
 * @param model {@code --model} value, or null to let codex choose
 * @param sandbox {@code read-only}, {@code workspace-write} (default) or {@code danger-full-access}
 * @param approvalPolicy {@code untrusted}, {@code on-failure}, {@code on-request}, {@code never}, or null to omit
 * @param networkAccess {@code sandbox_workspace_write.network_access}, or null to omit
 * @param config extra {@code -c key=value} overrides: dotted key → JSON value rendered as TOML (insertion
 *     order kept); never null
 * @param extraArgs raw arguments inserted before {@code resume}; never null
 * @param env variables added to the child's environment; never null
 * @param timeoutMs watchdog in milliseconds (default 1 800 000 = 30 min)
 * @param cancelGraceMs milliseconds between SIGINT and SIGTERM of the tree on cancel (default 3000)
 */
public record CodexConfig(Path executable, String model, String sandbox, String approvalPolicy,
    Boolean networkAccess, Map<String, JsonNode> config, List<String> extraArgs, Map<String, String> env,
    long timeoutMs, long cancelGraceMs) {

  /** Environment prefix of server-wide settings. */
  public static final String ENV_PREFIX = "ORCH_CODEX_";
  /** Default executable name, looked up on {@code PATH}. */
  public static final String DEFAULT_EXECUTABLE = "codex";
  /** Default sandbox mode. */
  public static final String DEFAULT_SANDBOX = "workspace-write";
  /** Default watchdog: 30 minutes, in ms. */
  public static final long DEFAULT_TIMEOUT_MS = 1_800_000L;
  /** Default grace between SIGINT and the tree kill, in ms. */
  public static final long DEFAULT_CANCEL_GRACE_MS = 3_000L;
  /** Allowed sandbox modes ({@code codex exec --sandbox}). */
  public static final Set<String> SANDBOXES = Set.of("read-only", "workspace-write", "danger-full-access");
  /** Allowed approval policies. */
  public static final Set<String> APPROVAL_POLICIES = Set.of("untrusted", "on-failure", "on-request", "never");

  /** Copies the collections; checks the required parts. */
  public CodexConfig {
    Objects.requireNonNull(executable, "executable");
    Objects.requireNonNull(sandbox, "sandbox");
    config = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(config));
    extraArgs = List.copyOf(extraArgs);
    env = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
  }

  /**
   * Reads and validates the configuration of one run. Every problem is reported at once.
   *
   * @param backendConfig the run's {@code backend_config}, may be null
   * @param environment the server's environment (source of {@code ORCH_CODEX_*} and of {@code PATH})
   * @return the configuration
   * @throws dev.orch.core.OrchException INVALID_ARGUMENT {@code Invalid codex configuration: ...} naming every
   *     bad key (wrong type, bad value, unknown key, an executable that cannot be found or executed)
   */
  public static CodexConfig read(ObjectNode backendConfig, Map<String, String> environment) {
    ConfigReader r = new ConfigReader("codex", backendConfig, environment, ENV_PREFIX);
    Path executable = r.executable("executable", DEFAULT_EXECUTABLE);
    String model = r.string("model", null);
    String sandbox = r.oneOf("sandbox", DEFAULT_SANDBOX, SANDBOXES);
    String approval = r.oneOf("approval_policy", null, APPROVAL_POLICIES);
    Boolean network = r.bool("network_access", null);
    ObjectNode configObject = r.object("config");
    List<String> extraArgs = r.stringList("extra_args");
    Map<String, String> env = r.stringMap("env");
    long timeout = r.longValue("timeout_ms", DEFAULT_TIMEOUT_MS, 100, 7L * 24 * 3_600_000);
    long grace = r.longValue("cancel_grace_ms", DEFAULT_CANCEL_GRACE_MS, 0, 60_000);

    Map<String, JsonNode> config = new LinkedHashMap<>();
    if (configObject != null) {
      configObject.properties().forEach(e -> {
        String problem = Toml.problem(e.getValue());
        if (e.getKey().isBlank()) {
          r.error("config", "keys must not be blank");
        } else if (problem != null) {
          r.error("config", "\"" + e.getKey() + "\": " + problem);
        } else {
          config.put(e.getKey(), e.getValue());
        }
      });
    }
    if (model != null && model.isBlank()) {
      r.error("model", "must not be blank");
      model = null;
    }
    r.finish();
    return new CodexConfig(executable, model, sandbox, approval, network, config, extraArgs, env, timeout, grace);
  }
}
