package dev.orch.core;

import dev.orch.core.spi.InboxMessage;
import java.util.List;

/**
 * Output of {@link Orchestrator#fetchAgentMessages}: {@code {agent_name, session_id, messages, next_after_seq}}.
 *
 * @param agentName the agent
 * @param sessionId its session
 * @param messages messages with seq &gt; after_seq, oldest first
 * @param nextAfterSeq last returned seq, else after_seq
 */
public record InboxPage(String agentName, SessionId sessionId, List<InboxMessage> messages, long nextAfterSeq) {
  /** Copies messages. */
  public InboxPage {
    messages = List.copyOf(messages);
  }
}
