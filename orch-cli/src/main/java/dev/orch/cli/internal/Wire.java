package dev.orch.cli.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.AgentInfo;
import dev.orch.core.ArtifactSlice;
import dev.orch.core.CancelResult;
import dev.orch.core.ContinueResult;
import dev.orch.core.InboxPage;
import dev.orch.core.InboxReceipt;
import dev.orch.core.SpawnResult;
import dev.orch.core.Timestamps;
import dev.orch.core.spi.InboxMessage;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The JSON the command lines print with {@code --output json|jsonl} / {@code --json}: the same shapes (snake_case
 * keys) as the MCP tools of SPEC §2, so a script can switch between {@code orch} and the MCP server. The MCP
 * server's own renderer is internal to orch-mcp-stdio, hence these few lines here.
 */
public final class Wire {
  /** Shared mapper (thread-safe). */
  public static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private Wire() {
  }

  /** @return the node pretty-printed (2-space indent) */
  public static String pretty(JsonNode n) {
    try {
      return JSON.writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** @return the node on one line */
  public static String line(JsonNode n) {
    try {
      return JSON.writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** @return {@code {run_id, backend, role, session_id, agent_name, status}} (spawn_run) */
  public static ObjectNode spawn(SpawnResult r) {
    ObjectNode n = F.objectNode();
    n.put("run_id", r.runId().value());
    n.put("backend", r.backend());
    n.put("role", r.role().wire());
    n.put("session_id", r.sessionId().value());
    n.put("agent_name", r.agentName());
    n.put("status", r.status().wire());
    return n;
  }

  /** @return {@code {run_id, status, cancelled_at}} (cancel_run) */
  public static ObjectNode cancel(CancelResult r) {
    ObjectNode n = F.objectNode();
    n.put("run_id", r.runId().value());
    n.put("status", r.status().wire());
    n.put("cancelled_at", r.cancelledAt() == null ? null : Timestamps.format(r.cancelledAt()));
    return n;
  }

  /** @return {@code {run_id, status, session_id, agent_name, mode, resumed_from_run_id}} (continue_run) */
  public static ObjectNode continued(ContinueResult r) {
    ObjectNode n = F.objectNode();
    n.put("run_id", r.runId().value());
    n.put("status", r.status().wire());
    n.put("session_id", r.sessionId() == null ? null : r.sessionId().value());
    n.put("agent_name", r.agentName());
    n.put("mode", r.mode());
    n.put("resumed_from_run_id", r.resumedFromRunId() == null ? null : r.resumedFromRunId().value());
    return n;
  }

  /** @return the artifact slice object (get_event_artifact) */
  public static ObjectNode artifact(ArtifactSlice s) {
    ObjectNode n = F.objectNode();
    n.put("run_id", s.runId().value());
    n.put("seq", s.seq());
    n.put("field_path", s.fieldPath());
    n.put("mime", s.mime());
    n.put("encoding", s.encoding());
    n.put("relpath", s.relpath());
    n.put("total_bytes", s.totalBytes());
    n.put("offset", s.offset());
    n.put("returned_bytes", s.returnedBytes());
    n.put("has_more", s.hasMore());
    n.put("content", s.content());
    return n;
  }

  /** @return one agent of list_agents */
  public static ObjectNode agent(AgentInfo a) {
    ObjectNode o = F.objectNode();
    o.put("agent_name", a.agentName());
    o.put("role", a.role() == null ? null : a.role().wire());
    o.put("session_id", a.sessionId().value());
    o.put("status", a.status());
    o.put("cwd", a.cwd() == null ? null : a.cwd().toString());
    o.put("last_run_id", a.lastRunId() == null ? null : a.lastRunId().value());
    o.put("updated_at", a.updatedAt() == null ? null : Timestamps.format(a.updatedAt()));
    return o;
  }

  /** @return {@code {agents: [...]}} (list_agents) */
  public static ObjectNode agents(List<AgentInfo> agents) {
    ObjectNode n = F.objectNode();
    ArrayNode arr = n.putArray("agents");
    agents.forEach(a -> arr.add(agent(a)));
    return n;
  }

  /** @return {@code {message_id, to_agent_name, to_session_id, seq, created_at}} (send_agent_message) */
  public static ObjectNode receipt(InboxReceipt r) {
    ObjectNode n = F.objectNode();
    n.put("message_id", r.messageId());
    n.put("to_agent_name", r.toAgentName());
    n.put("to_session_id", r.toSessionId().value());
    n.put("seq", r.seq());
    n.put("created_at", Timestamps.format(r.createdAt()));
    return n;
  }

  /** @return {@code {agent_name, session_id, messages: [...], next_after_seq}} (fetch_agent_messages) */
  public static ObjectNode inbox(InboxPage page) {
    ObjectNode n = F.objectNode();
    n.put("agent_name", page.agentName());
    n.put("session_id", page.sessionId().value());
    ArrayNode arr = n.putArray("messages");
    page.messages().forEach(m -> arr.add(message(m)));
    n.put("next_after_seq", page.nextAfterSeq());
    return n;
  }

  /** @return one inbox message with the keys of fetch_agent_messages */
  public static ObjectNode message(InboxMessage m) {
    ObjectNode o = F.objectNode();
    o.put("message_id", m.messageId());
    o.put("seq", m.seq());
    o.put("from_agent_name", m.fromAgentName());
    o.put("from_session_id", m.fromSessionId() == null ? null : m.fromSessionId().value());
    o.put("to_agent_name", m.toAgentName());
    o.put("to_session_id", m.toSessionId().value());
    o.put("created_at", Timestamps.format(m.createdAt()));
    o.set("body", m.body().toJson());
    o.set("metadata", m.metadata().deepCopy());
    return o;
  }
}
