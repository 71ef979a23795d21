package dev.orch.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;

/**
 * Input of {@link Orchestrator#spawn} (SPEC §2 spawn_run). Build with {@link #builder(String, Role, String, SessionMode)}.
 *
 * @param backend backend id, e.g. {@code codex}
 * @param role role
 * @param cwd working directory as given (must be absolute and an existing directory)
 * @param sessionMode new or resume
 * @param sessionId required for resume, else null
 * @param nickname requested agent name for a new session, or null
 * @param prompt prompt text or null (one of prompt / inputMessage required; blank counts as missing)
 * @param inputMessage structured input or null
 * @param profile profile path (absolute or relative to cwd) or null
 * @param outputSchema JSON Schema or null
 * @param metadata stored verbatim, or null
 * @param backendConfig backend-specific settings, or null
 * @param options priority, dependencies, limits and workspace (SPEC §12.2, §12.3, §12.5, §12.7); null = defaults
 */
public record SpawnRequest(String backend, Role role, String cwd, SessionMode sessionMode, String sessionId,
    String nickname, String prompt, AgentMessage inputMessage, String profile, ObjectNode outputSchema,
    ObjectNode metadata, ObjectNode backendConfig, RunOptions options) {

  /** Validates required fields. */
  public SpawnRequest {
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(cwd, "cwd");
    Objects.requireNonNull(sessionMode, "sessionMode");
    options = options == null ? RunOptions.DEFAULT : options;
  }

  /** @return a builder with the required fields set */
  public static Builder builder(String backend, Role role, String cwd, SessionMode sessionMode) {
    return new Builder(backend, role, cwd, sessionMode);
  }

  /** Required-first builder for {@link SpawnRequest}. */
  public static final class Builder {
    private final String backend;
    private final Role role;
    private final String cwd;
    private final SessionMode sessionMode;
    private String sessionId;
    private String nickname;
    private String prompt;
    private AgentMessage inputMessage;
    private String profile;
    private ObjectNode outputSchema;
    private ObjectNode metadata;
    private ObjectNode backendConfig;
    private int priority = RunOptions.DEFAULT_PRIORITY;
    private List<RunId> dependsOn = List.of();
    private RunLimits limits = RunLimits.NONE;
    private ObjectNode workspace;

    private Builder(String backend, Role role, String cwd, SessionMode sessionMode) {
      this.backend = backend;
      this.role = role;
      this.cwd = cwd;
      this.sessionMode = sessionMode;
    }

    /** @return this */
    public Builder sessionId(String v) {
      this.sessionId = v;
      return this;
    }

    /** @return this */
    public Builder nickname(String v) {
      this.nickname = v;
      return this;
    }

    /** @return this */
    public Builder prompt(String v) {
      this.prompt = v;
      return this;
    }

    /** @return this */
    public Builder inputMessage(AgentMessage v) {
      this.inputMessage = v;
      return this;
    }

    /** @return this */
    public Builder profile(String v) {
      this.profile = v;
      return this;
    }

    /** @return this */
    public Builder outputSchema(ObjectNode v) {
      this.outputSchema = v;
      return this;
    }

    /** @return this */
    public Builder metadata(ObjectNode v) {
      this.metadata = v;
      return this;
    }

    /** @return this */
    public Builder backendConfig(ObjectNode v) {
      this.backendConfig = v;
      return this;
    }

    /** @param v priority 0–9, higher starts first (SPEC §12.2) @return this */
    public Builder priority(int v) {
      this.priority = v;
      return this;
    }

    /** @param v runs that must complete first (SPEC §12.5) @return this */
    public Builder dependsOn(List<RunId> v) {
      this.dependsOn = v == null ? List.of() : List.copyOf(v);
      return this;
    }

    /** @param v the run's limits (SPEC §12.3) @return this */
    public Builder limits(RunLimits v) {
      this.limits = v == null ? RunLimits.NONE : v;
      return this;
    }

    /** @param v the workspace request {@code {mode, base_ref?, branch?, cleanup?}} (SPEC §12.7) @return this */
    public Builder workspace(ObjectNode v) {
      this.workspace = v;
      return this;
    }

    /**
     * @return the request
     * @throws OrchException INVALID_ARGUMENT for a priority outside 0–9 or bad dependencies
     */
    public SpawnRequest build() {
      return new SpawnRequest(backend, role, cwd, sessionMode, sessionId, nickname, prompt, inputMessage, profile,
          outputSchema, metadata, backendConfig, new RunOptions(priority, dependsOn, limits, workspace));
    }
  }
}
