package dev.orch.core.spi;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.AgentMessage;
import dev.orch.core.SessionId;
import java.time.Instant;
import java.util.Objects;

/**
 * One message of a session inbox ({@code sessions/<session_id>.inbox.jsonl}, SPEC §2 tools 9–10), wire keys
 * {@code message_id, seq, from_agent_name, from_session_id, to_agent_name, to_session_id, created_at, body,
 * metadata}.
 *
 * @param messageId random id
 * @param seq 1-based position in the recipient's inbox
 * @param fromAgentName sender agent name or null
 * @param fromSessionId sender session or null
 * @param toAgentName recipient agent name
 * @param toSessionId recipient session
 * @param createdAt when appended
 * @param body the message
 * @param metadata caller metadata, never null
 */
public record InboxMessage(String messageId, long seq, String fromAgentName, SessionId fromSessionId,
    String toAgentName, SessionId toSessionId, Instant createdAt, AgentMessage body, ObjectNode metadata) {

  /** Validates required fields. */
  public InboxMessage {
    Objects.requireNonNull(messageId, "messageId");
    Objects.requireNonNull(toAgentName, "toAgentName");
    Objects.requireNonNull(toSessionId, "toSessionId");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(body, "body");
    metadata = metadata == null ? JsonNodeFactory.instance.objectNode() : metadata.deepCopy();
  }

  /** @return a copy with the given seq (assigned by the store under its lock) */
  public InboxMessage withSeq(long newSeq) {
    return new InboxMessage(messageId, newSeq, fromAgentName, fromSessionId, toAgentName, toSessionId, createdAt,
        body, metadata);
  }
}
