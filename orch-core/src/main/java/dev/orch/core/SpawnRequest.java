package dev.orch.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
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
 */
public record SpawnRequest(String backend, Role role, String cwd, SessionMode sessionMode, String sessionId,
    String nickname, String prompt, AgentMessage inputMessage, String profile, ObjectNode outputSchema,
    ObjectNode metadata, ObjectNode backendConfig) {

  /** Validates required fields. */
  public SpawnRequest {
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(cwd, "cwd");
    Objects.requireNonNull(sessionMode, "sessionMode");
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

    /** @return the request */
    public SpawnRequest build() {
      return new SpawnRequest(backend, role, cwd, sessionMode, sessionId, nickname, prompt, inputMessage, profile,
          outputSchema, metadata, backendConfig);
    }
  }
}
