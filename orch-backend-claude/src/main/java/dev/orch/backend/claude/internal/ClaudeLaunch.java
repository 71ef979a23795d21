package dev.orch.backend.claude.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.backend.claude.ClaudeConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;

/**
 * How one Claude Code process is launched (SPEC §8 claude_code, REAL-PEERS "Claude Code against a mock Messages
 * API"): {@code <claude> --output-format stream-json --verbose --input-format stream-json --permission-mode=<mode>
 * [--permission-prompt-tool=stdio] [--model=M] [--max-turns=N] [--allowedTools=a,b] [--disallowedTools=a,b]
 * [--json-schema=<json>] [extra args…] (--resume=<id> | --session-id=<uuid>)}, process cwd = run cwd, and the
 * {@code initialize} control request written first to stdin.
 *
 * @param command the full argument vector, executable first
 * @param cwd the process working directory
 * @param env variables added to the inherited environment
 * @param initialize the {@code initialize} control request line (without newline)
 * @param fingerprint everything but the session argument; a pooled process is reused only for an equal one
 */
public record ClaudeLaunch(List<String> command, Path cwd, Map<String, String> env, ObjectNode initialize,
    String fingerprint) {

  /** Copies collections. */
  public ClaudeLaunch {
    command = List.copyOf(command);
    Objects.requireNonNull(cwd, "cwd");
    env = Map.copyOf(env);
    initialize = initialize.deepCopy();
  }

  /**
   * Builds a launch.
   *
   * @param config the run's configuration (its {@code executable} is the resolved absolute binary)
   * @param cwd the process working directory
   * @param systemPrompt the profile system prompt (appended), or null
   * @param outputSchema the JSON schema for structured output, or null
   * @param resumeId the Claude session to resume ({@code --resume}), or null for a new one
   * @param newSessionId the id for a new session ({@code --session-id}; only used when it is a UUID), or null
   * @param runEnv per-run variables ({@code PEER_*})
   * @param runningAsRoot whether this JVM runs as root: then {@code IS_SANDBOX=1} is set for
   *     {@code bypassPermissions}, which the CLI refuses for root otherwise
   * @return the launch
   */
  public static ClaudeLaunch of(ClaudeConfig config, Path cwd, String systemPrompt,
      ObjectNode outputSchema, String resumeId, String newSessionId, Map<String, String> runEnv,
      boolean runningAsRoot) {
    List<String> cmd = new ArrayList<>(List.of(config.executable().toString(), "--output-format", "stream-json",
        "--verbose", "--input-format", "stream-json", "--permission-mode=" + config.permissionMode()));
    if (!config.bypassPermissions()) {
      cmd.add("--permission-prompt-tool=stdio");
    }
    if (config.model() != null) {
      cmd.add("--model=" + config.model());
    }
    if (config.maxTurns() != null) {
      cmd.add("--max-turns=" + config.maxTurns());
    }
    if (!config.allowedTools().isEmpty()) {
      cmd.add("--allowedTools=" + String.join(",", config.allowedTools()));
    }
    if (!config.disallowedTools().isEmpty()) {
      cmd.add("--disallowedTools=" + String.join(",", config.disallowedTools()));
    }
    if (outputSchema != null) {
      cmd.add("--json-schema=" + outputSchema);
    }
    cmd.addAll(config.extraArgs());
    Map<String, String> env = new TreeMap<>(config.env());
    env.putAll(runEnv);
    if (runningAsRoot && config.bypassPermissions()) {
      env.put("IS_SANDBOX", "1");
    }
    ObjectNode request = JsonNodeFactory.instance.objectNode();
    request.put("subtype", "initialize");
    if (systemPrompt != null) {
      request.put("appendSystemPrompt", systemPrompt);
    }
    if (outputSchema != null) {
      request.set("jsonSchema", outputSchema.deepCopy());
    }
    ObjectNode init = JsonNodeFactory.instance.objectNode();
    init.put("type", "control_request");
    init.put("request_id", "orch_init_1");
    init.set("request", request);
    String fingerprint = String.join("\u0000", cmd) + "\u0001" + env + "\u0001" + cwd.toAbsolutePath().normalize()
        + "\u0001" + init;
    if (resumeId != null) {
      cmd.add("--resume=" + resumeId);
    } else if (isUuid(newSessionId)) {
      cmd.add("--session-id=" + newSessionId);
    }
    return new ClaudeLaunch(cmd, cwd, env, init, fingerprint);
  }

  /** @return the user message line for a prompt (stream-json input format) */
  public static ObjectNode userMessage(String text) {
    ObjectNode m = JsonNodeFactory.instance.objectNode();
    m.put("type", "user");
    m.put("session_id", "");
    ObjectNode message = m.putObject("message");
    message.put("role", "user");
    ObjectNode part = message.putArray("content").addObject();
    part.put("type", "text");
    part.put("text", text);
    m.putNull("parent_tool_use_id");
    return m;
  }

  /** @return a control request line {@code {type:"control_request", request_id, request:{subtype}}} */
  public static ObjectNode controlRequest(String requestId, String subtype) {
    ObjectNode m = JsonNodeFactory.instance.objectNode();
    m.put("type", "control_request");
    m.put("request_id", requestId);
    m.putObject("request").put("subtype", subtype);
    return m;
  }

  /** @return a successful control response line carrying {@code response} */
  public static ObjectNode controlSuccess(String requestId, JsonNode response) {
    ObjectNode m = controlResponse(requestId, "success");
    ((ObjectNode) m.get("response")).set("response", response);
    return m;
  }

  /** @return an error control response line */
  public static ObjectNode controlError(String requestId, String error) {
    ObjectNode m = controlResponse(requestId, "error");
    ((ObjectNode) m.get("response")).put("error", error);
    return m;
  }

  /** @return {@code {type:"control_response", response:{subtype, request_id}}} */
  private static ObjectNode controlResponse(String requestId, String subtype) {
    ObjectNode m = JsonNodeFactory.instance.objectNode();
    m.put("type", "control_response");
    ObjectNode r = m.putObject("response");
    r.put("subtype", subtype);
    r.put("request_id", requestId);
    return m;
  }

  private static boolean isUuid(String s) {
    if (s == null) {
      return false;
    }
    try {
      return UUID.fromString(s).toString().equalsIgnoreCase(s);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
