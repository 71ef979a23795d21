package dev.orch.core;

import java.time.Instant;

/**
 * Output of {@link Orchestrator#sendAgentMessage}: {@code {message_id, to_agent_name, to_session_id, seq,
 * created_at}}.
 *
 * @param messageId new message id
 * @param toAgentName recipient
 * @param toSessionId recipient session
 * @param seq position in the inbox (≥ 1)
 * @param createdAt when stored
 */
public record InboxReceipt(String messageId, String toAgentName, SessionId toSessionId, long seq,
    Instant createdAt) {
}
