package dev.orch.cli.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.AgentMessage;
import dev.orch.core.OrchException;
import dev.orch.core.Role;
import dev.orch.core.SessionMode;
import dev.orch.core.SpawnRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The spawn and continue requests of the command line as JSON (the spawn_run / continue_run argument names of
 * SPEC §2), so that a request can be handed to the detached background process unchanged
 * ({@link Detach}): {@code {"op":"spawn", "spawn": {backend, role, cwd, session_mode, session_id?, nickname?,
 * prompt, profile?, output_schema?, backend_config?}}} or {@code {"op":"continue", "run_id"|"agent_name", "cwd"?,
 * "input_message": AgentMessage}}.
 */
public final class Requests {
  private Requests() {
  }

  /** @return a spawn operation */
  public static ObjectNode spawn(String backend, Role role, Path cwd, String resumeSession, String nickname,
      String prompt, String profile, ObjectNode schema, ObjectNode backendConfig) {
    ObjectNode op = JsonNodeFactory.instance.objectNode().put("op", "spawn");
    ObjectNode s = op.putObject("spawn");
    s.put("backend", backend);
    s.put("role", role.wire());
    s.put("cwd", cwd.toString());
    s.put("session_mode", resumeSession == null ? "new" : "resume");
    if (resumeSession != null) {
      s.put("session_id", resumeSession);
    }
    if (nickname != null) {
      s.put("nickname", nickname);
    }
    s.put("prompt", prompt);
    if (profile != null) {
      s.put("profile", profile);
    }
    if (schema != null) {
      s.set("output_schema", schema);
    }
    if (backendConfig != null) {
      s.set("backend_config", backendConfig);
    }
    return op;
  }

  /** @return a continue operation */
  public static ObjectNode continueOp(String runOrAgent, String cwd, AgentMessage message) {
    ObjectNode op = JsonNodeFactory.instance.objectNode().put("op", "continue");
    op.put("run", runOrAgent);
    if (cwd != null) {
      op.put("cwd", cwd);
    }
    op.set("input_message", message.toJson());
    return op;
  }

  /** @return the core request of a spawn operation */
  public static SpawnRequest toSpawnRequest(JsonNode op) {
    JsonNode s = op.path("spawn");
    Role role = Role.fromWire(s.path("role").asText()).orElse(Role.WORKER);
    SessionMode mode = "resume".equals(s.path("session_mode").asText()) ? SessionMode.RESUME : SessionMode.NEW;
    SpawnRequest.Builder b = SpawnRequest.builder(s.path("backend").asText(), role, s.path("cwd").asText(), mode)
        .prompt(s.path("prompt").asText());
    if (s.hasNonNull("session_id")) {
      b.sessionId(s.path("session_id").asText());
    }
    if (s.hasNonNull("nickname")) {
      b.nickname(s.path("nickname").asText());
    }
    if (s.hasNonNull("profile")) {
      b.profile(s.path("profile").asText());
    }
    if (s.path("output_schema").isObject()) {
      b.outputSchema((ObjectNode) s.get("output_schema"));
    }
    if (s.path("backend_config").isObject()) {
      b.backendConfig((ObjectNode) s.get("backend_config"));
    }
    return b.build();
  }

  /**
   * Reads a JSON object given inline or as {@code @file} (for --backend-config), or from a file (for --schema).
   *
   * @param what option name for messages
   * @param text JSON text, or {@code @path}
   * @return the object
   * @throws OrchException INVALID_ARGUMENT when unreadable or not a JSON object
   */
  public static ObjectNode jsonObject(String what, String text, boolean isFile) {
    String json = text;
    Path file = null;
    if (isFile || text.startsWith("@")) {
      file = Path.of(isFile ? text : text.substring(1));
      try {
        json = Files.readString(file);
      } catch (IOException e) {
        throw OrchException.invalid(what + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
      }
    }
    try {
      JsonNode n = Wire.JSON.readTree(json);
      if (n == null || !n.isObject()) {
        throw OrchException.invalid(what + ": expected a JSON object" + (file == null ? "" : " in " + file));
      }
      return (ObjectNode) n;
    } catch (IOException e) {
      throw OrchException.invalid(what + ": not valid JSON" + (file == null ? "" : " in " + file) + ": "
          + e.getMessage().lines().findFirst().orElse(""));
    }
  }
}
