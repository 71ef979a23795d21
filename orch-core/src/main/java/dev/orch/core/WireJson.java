package dev.orch.core;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.spi.InboxMessage;
import java.util.List;

/**
 * The wire shapes of the tool results (SPEC §2, {@code outputSchema} of each tool in
 * {@code fixtures/seed-mcp/tools-list.json}): snake_case keys, ISO-8601 UTC times with milliseconds, nullable ids
 * as JSON null. The one place where API values become wire payloads: the MCP server's tool results and the
 * {@code --output json|jsonl} of the {@code orch} and {@code peer} command lines use these same shapes.
 */
public final class WireJson {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private WireJson() {
  }

  /** @return {@code {run_id, backend, role, session_id, agent_name, status}} */
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

  /**
   * @param page the events page
   * @param count how many of its events to include (the first {@code count}; see {@link ResultBudget})
   * @return {@code {run_id, status, events, next_after_seq}}; next_after_seq is the last included seq, else the
   *     page's own value
   */
  public static ObjectNode poll(EventPage page, int count) {
    ObjectNode n = F.objectNode();
    n.put("run_id", page.runId().value());
    n.put("status", page.status().wire());
    ArrayNode events = n.putArray("events");
    List<NormalizedEvent> included = page.events().subList(0, count);
    included.forEach(e -> events.add(e.toJson()));
    n.put("next_after_seq", count < page.events().size() ? included.get(count - 1).seq() : page.nextAfterSeq());
    return n;
  }

  /** @return {@code {run_id, status, cancelled_at}} */
  public static ObjectNode cancel(CancelResult r) {
    ObjectNode n = F.objectNode();
    n.put("run_id", r.runId().value());
    n.put("status", r.status().wire());
    n.put("cancelled_at", r.cancelledAt() == null ? null : Timestamps.format(r.cancelledAt()));
    return n;
  }

  /**
   * @return cancel_run with scope workflow: the seed keys {@code {run_id, status, cancelled_at}} of the referenced
   *     run, plus {@code workflow_id}, {@code runs: [{run_id, step, status, cancelled_at}]} (every run cancelled) and
   *     {@code errors: [{run_id, step, error}]} when some run could not be cancelled
   */
  public static ObjectNode workflowCancel(WorkflowCancel w) {
    ObjectNode n = cancel(w.run());
    n.put("workflow_id", w.workflowId());
    ArrayNode runs = n.putArray("runs");
    for (WorkflowCancel.Cancelled c : w.cancelled()) {
      ObjectNode o = runs.addObject();
      o.put("run_id", c.result().runId().value());
      o.put("step", c.step());
      o.put("status", c.result().status().wire());
      o.put("cancelled_at", Timestamps.format(c.result().cancelledAt()));
    }
    if (!w.failures().isEmpty()) {
      ArrayNode errors = n.putArray("errors");
      for (WorkflowCancel.Failure f : w.failures()) {
        errors.addObject().put("run_id", f.runId().value()).put("step", f.step()).put("error", f.error());
      }
    }
    return n;
  }

  /** @return {@code {index, run_id, session_id, agent_name, status}} of a started spawn_runs item */
  public static ObjectNode spawned(int index, SpawnResult r) {
    ObjectNode n = F.objectNode();
    n.put("index", index);
    n.put("run_id", r.runId().value());
    n.put("session_id", r.sessionId().value());
    n.put("agent_name", r.agentName());
    n.put("status", r.status().wire());
    return n;
  }

  /** @return {@code {index, error}} of a refused spawn_runs item */
  public static ObjectNode refused(int index, String error) {
    return F.objectNode().put("index", index).put("error", error);
  }

  /** @return {@code {done, runs: [RunSummary + result + error]}} */
  public static ObjectNode waited(WaitResult w) {
    ObjectNode n = F.objectNode();
    n.put("done", w.done());
    ArrayNode runs = n.putArray("runs");
    w.runs().forEach(r -> runs.add(r.toJson()));
    return n;
  }

  /** @return {@code {workflow_id, runs: [{step, run_id}]}} */
  public static ObjectNode workflow(WorkflowStarted w) {
    ObjectNode n = F.objectNode();
    n.put("workflow_id", w.workflowId());
    ArrayNode runs = n.putArray("runs");
    w.runs().forEach(r -> runs.addObject().put("step", r.step()).put("run_id", r.runId().value()));
    return n;
  }

  /** @return {@code {templates: [...]}} ({@link WorkflowTemplate#toJson}) */
  public static ObjectNode templates(List<WorkflowTemplate> templates) {
    ObjectNode n = F.objectNode();
    ArrayNode arr = n.putArray("templates");
    templates.forEach(t -> arr.add(t.toJson()));
    return n;
  }

  /** @return {@code {run_id, status, session_id, agent_name, mode, resumed_from_run_id}} (null ids omitted) */
  public static ObjectNode continued(ContinueResult r) {
    ObjectNode n = F.objectNode();
    n.put("run_id", r.runId().value());
    n.put("status", r.status().wire());
    if (r.sessionId() != null) {
      n.put("session_id", r.sessionId().value());
    }
    if (r.agentName() != null) {
      n.put("agent_name", r.agentName());
    }
    if (r.mode() != null) {
      n.put("mode", r.mode());
    }
    n.put("resumed_from_run_id", r.resumedFromRunId() == null ? null : r.resumedFromRunId().value());
    return n;
  }

  /** @return {@code {runs: [RunSummary...]}} */
  public static ObjectNode runs(List<RunSummary> runs) {
    ObjectNode n = F.objectNode();
    ArrayNode arr = n.putArray("runs");
    runs.forEach(r -> arr.add(r.toJson()));
    return n;
  }

  /** @return the artifact slice object */
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

  /** @return {@code {agent_name, role, session_id, status, cwd, last_run_id, updated_at}} (list_agents' items) */
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

  /** @return {@code {agents: [{agent_name, role, session_id, status, cwd, last_run_id, updated_at}...]}} */
  public static ObjectNode agents(List<AgentInfo> agents) {
    ObjectNode n = F.objectNode();
    ArrayNode arr = n.putArray("agents");
    agents.forEach(a -> arr.add(agent(a)));
    return n;
  }

  /** @return {@code {message_id, to_agent_name, to_session_id, seq, created_at}} */
  public static ObjectNode receipt(InboxReceipt r) {
    ObjectNode n = F.objectNode();
    n.put("message_id", r.messageId());
    n.put("to_agent_name", r.toAgentName());
    n.put("to_session_id", r.toSessionId().value());
    n.put("seq", r.seq());
    n.put("created_at", Timestamps.format(r.createdAt()));
    return n;
  }

  /** @return {@code {agent_name, session_id, messages: [...], next_after_seq}} */
  public static ObjectNode inbox(InboxPage page) {
    ObjectNode n = F.objectNode();
    n.put("agent_name", page.agentName());
    n.put("session_id", page.sessionId().value());
    ArrayNode arr = n.putArray("messages");
    page.messages().forEach(m -> arr.add(message(m)));
    n.put("next_after_seq", page.nextAfterSeq());
    return n;
  }

  /** @return one inbox message with the wire keys of SPEC §2 fetch_agent_messages */
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
