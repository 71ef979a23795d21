package dev.orch.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * Where a run's conversation lives on the backend side (SPEC §2 RemoteRef):
 * {@code {provider, conversation_id?, task_id?, context_id?, agent_url?, agent_name?, metadata?}}.
 * For codex the conversation id is the thread id; for claude_code the Claude session id; for remote_a2a the
 * A2A context id (and task id).
 *
 * @param provider backend id, never null
 * @param conversationId or null
 * @param taskId or null
 * @param contextId or null
 * @param agentUrl or null
 * @param agentName or null
 * @param metadata object or null
 */
public record RemoteRef(String provider, String conversationId, String taskId, String contextId, String agentUrl,
    String agentName, ObjectNode metadata) {

  /** @throws NullPointerException when provider is null */
  public RemoteRef {
    Objects.requireNonNull(provider, "provider");
    metadata = metadata == null ? null : metadata.deepCopy();
  }

  /** @return a reference holding only a provider and a conversation id */
  public static RemoteRef conversation(String provider, String conversationId) {
    return new RemoteRef(provider, conversationId, null, null, null, null, null);
  }

  /** @return the wire JSON (snake_case; null fields omitted, as the TS server writes it) */
  public ObjectNode toJson() {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("provider", provider);
    putIf(n, "conversation_id", conversationId);
    putIf(n, "task_id", taskId);
    putIf(n, "context_id", contextId);
    putIf(n, "agent_url", agentUrl);
    putIf(n, "agent_name", agentName);
    if (metadata != null) {
      n.set("metadata", metadata.deepCopy());
    }
    return n;
  }

  private static void putIf(ObjectNode n, String key, String value) {
    if (value != null) {
      n.put(key, value);
    }
  }

  /**
   * @param node wire JSON or null/JSON null
   * @return the reference, or null when node is null, JSON null or has no provider
   */
  public static RemoteRef fromJson(JsonNode node) {
    if (node == null || !node.isObject() || !node.path("provider").isTextual()) {
      return null;
    }
    JsonNode meta = node.get("metadata");
    return new RemoteRef(node.get("provider").asText(), text(node, "conversation_id"), text(node, "task_id"),
        text(node, "context_id"), text(node, "agent_url"), text(node, "agent_name"),
        meta != null && meta.isObject() ? (ObjectNode) meta : null);
  }

  private static String text(JsonNode n, String key) {
    JsonNode v = n.get(key);
    return v == null || v.isNull() ? null : v.asText();
  }
}
