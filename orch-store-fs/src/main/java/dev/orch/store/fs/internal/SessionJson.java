package dev.orch.store.fs.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.RemoteRef;
import dev.orch.core.Role;
import dev.orch.core.RunId;
import dev.orch.core.SessionId;
import dev.orch.core.spi.SessionRecord;
import java.nio.file.Path;

/**
 * {@code sessions/<session_id>.json} (SPEC §6): {@code sessionId, backend, cwd, agentName, backendSessionId,
 * remoteRef, createdAt, updatedAt, metadata}, then Orch's {@code role} and {@code lastRunId} when known. Reads
 * TS files that lack them.
 */
public final class SessionJson {
  private SessionJson() {
  }

  /** @return the session object, keys in SPEC order */
  public static ObjectNode toJson(SessionRecord s) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("sessionId", s.sessionId().value());
    n.put("backend", s.backend());
    n.put("cwd", s.cwd().toString());
    n.put("agentName", s.agentName());
    n.put("backendSessionId", s.backendSessionId());
    n.set("remoteRef", s.remoteRef() == null ? NullNode.instance : s.remoteRef().toJson());
    n.put("createdAt", RunJson.time(s.createdAt()));
    n.put("updatedAt", RunJson.time(s.updatedAt()));
    n.set("metadata", s.metadata());
    if (s.role() != null) {
      n.put("role", s.role().wire());
    }
    if (s.lastRunId() != null) {
      n.put("lastRunId", s.lastRunId().value());
    }
    return n;
  }

  /**
   * @throws IllegalArgumentException when sessionId, backend, cwd or agentName is missing, or a time is invalid
   */
  public static SessionRecord fromJson(JsonNode n) {
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException("session file is not an object");
    }
    String lastRun = RunJson.text(n, "lastRunId");
    return new SessionRecord(new SessionId(RunJson.required(n, "sessionId")), RunJson.required(n, "backend"),
        Path.of(RunJson.required(n, "cwd")), RunJson.required(n, "agentName"), RunJson.text(n, "backendSessionId"),
        RemoteRef.fromJson(n.get("remoteRef")), RunJson.instant(n, "createdAt"), RunJson.instant(n, "updatedAt"),
        RunJson.object(n, "metadata"), Role.fromWire(RunJson.text(n, "role")).orElse(null),
        lastRun == null || lastRun.isBlank() ? null : new RunId(lastRun));
  }
}
