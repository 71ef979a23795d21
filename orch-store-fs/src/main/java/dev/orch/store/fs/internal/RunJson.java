package dev.orch.store.fs.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.RemoteRef;
import dev.orch.core.Role;
import dev.orch.core.RunId;
import dev.orch.core.RunOptions;
import dev.orch.core.RunStatus;
import dev.orch.core.SessionId;
import dev.orch.core.Timestamps;
import dev.orch.core.Usage;
import dev.orch.core.spi.RunRecord;
import dev.orch.core.spi.RunResult;
import java.nio.file.Path;
import java.time.Instant;

/**
 * {@code run.json} and {@code result.json} (SPEC §6), camelCase as the TS server writes them: {@code runId,
 * backend, role, sessionId, agentName, status, cwd, prompt, profile (only when set), metadata, remoteRef
 * (snake_case inside), startedAt, updatedAt, completedAt, lastSeq, summary, result, error}, then Orch's
 * {@code outputSchema} (when set), {@code backendConfig}, {@code usage} (SPEC §12.4, when reported), {@code options}
 * (priority, depends_on, limits, workspace request; when not the defaults) and {@code workspace} (SPEC §12.7, worktree
 * runs). Reads TS files that lack Orch's keys.
 */
public final class RunJson {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private RunJson() {
  }

  /** @return the run.json object, keys in SPEC order */
  public static ObjectNode toJson(RunRecord r) {
    ObjectNode n = F.objectNode();
    n.put("runId", r.runId().value());
    n.put("backend", r.backend());
    n.put("role", r.role() == null ? null : r.role().wire());
    n.put("sessionId", r.sessionId().value());
    n.put("agentName", r.agentName());
    n.put("status", r.status().wire());
    n.put("cwd", r.cwd().toString());
    n.put("prompt", r.prompt());
    if (r.profile() != null) {
      n.put("profile", r.profile());
    }
    n.set("metadata", r.metadata());
    n.set("remoteRef", r.remoteRef() == null ? NullNode.instance : r.remoteRef().toJson());
    n.put("startedAt", time(r.startedAt()));
    n.put("updatedAt", time(r.updatedAt()));
    n.put("completedAt", time(r.completedAt()));
    n.put("lastSeq", r.lastSeq());
    n.put("summary", r.summary());
    n.set("result", resultJson(r.result()));
    n.put("error", r.error());
    if (r.outputSchema() != null) {
      n.set("outputSchema", r.outputSchema());
    }
    n.set("backendConfig", r.backendConfig());
    if (r.usage() != null) {
      n.set("usage", r.usage().toJson());
    }
    if (!r.options().equals(RunOptions.DEFAULT)) {
      n.set("options", r.options().toJson());
    }
    if (r.workspace() != null) {
      n.set("workspace", r.workspace());
    }
    return n;
  }

  /** @return {@code {finalResponse, structuredOutput?, usage?, artifacts?}}, or JSON null for a null result */
  public static JsonNode resultJson(RunResult result) {
    if (result == null) {
      return NullNode.instance;
    }
    ObjectNode n = F.objectNode();
    n.put("finalResponse", result.finalResponse());
    putIf(n, "structuredOutput", result.structuredOutput());
    putIf(n, "usage", result.usage());
    putIf(n, "artifacts", result.artifacts());
    return n;
  }

  /** @return the content of {@code result.json} for the run: its result when completed, else JSON null */
  public static JsonNode resultFile(RunRecord r) {
    return r.status() == RunStatus.COMPLETED ? resultJson(r.result()) : NullNode.instance;
  }

  /**
   * Parses a run.json written by Orch or by the TS server.
   *
   * @throws IllegalArgumentException when a required key (runId, backend, sessionId, status, cwd) is missing or
   *     invalid, or a time is not ISO-8601
   */
  public static RunRecord fromJson(JsonNode n) {
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException("run.json is not an object");
    }
    String statusText = text(n, "status");
    RunStatus status = RunStatus.fromWire(statusText)
        .orElseThrow(() -> new IllegalArgumentException("unknown status: " + statusText));
    return new RunRecord(new RunId(required(n, "runId")), required(n, "backend"),
        Role.fromWire(text(n, "role")).orElse(null), new SessionId(required(n, "sessionId")), text(n, "agentName"),
        status, Path.of(required(n, "cwd")), text(n, "prompt"), text(n, "profile"), object(n, "metadata"),
        RemoteRef.fromJson(n.get("remoteRef")), instant(n, "startedAt"), instant(n, "updatedAt"),
        instant(n, "completedAt"), n.path("lastSeq").asLong(0), text(n, "summary"), result(n.get("result")),
        text(n, "error"), object(n, "outputSchema"), object(n, "backendConfig"), Usage.fromJson(n.get("usage")),
        RunOptions.fromJson(n.get("options")), object(n, "workspace"));
  }

  /** @return the result in a run.json {@code result} value, or null */
  public static RunResult result(JsonNode n) {
    if (n == null || !n.isObject()) {
      return null;
    }
    return new RunResult(text(n, "finalResponse"), present(n.get("structuredOutput")), present(n.get("usage")),
        present(n.get("artifacts")));
  }

  static String time(Instant t) {
    return t == null ? null : Timestamps.format(t);
  }

  static Instant instant(JsonNode n, String key) {
    String t = text(n, key);
    return t == null ? null : Timestamps.parse(t);
  }

  static String text(JsonNode n, String key) {
    JsonNode v = n.get(key);
    return v == null || v.isNull() ? null : v.asText();
  }

  static String required(JsonNode n, String key) {
    String v = text(n, key);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException("missing " + key);
    }
    return v;
  }

  static ObjectNode object(JsonNode n, String key) {
    JsonNode v = n.get(key);
    return v != null && v.isObject() ? (ObjectNode) v : null;
  }

  private static JsonNode present(JsonNode v) {
    return v == null || v.isNull() ? null : v;
  }

  private static void putIf(ObjectNode n, String key, JsonNode v) {
    if (v != null && !v.isNull()) {
      n.set(key, v);
    }
  }
}
