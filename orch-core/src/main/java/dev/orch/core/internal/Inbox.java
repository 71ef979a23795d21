package dev.orch.core.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.AgentMessage;
import dev.orch.core.InboxPage;
import dev.orch.core.InboxReceipt;
import dev.orch.core.OrchException;
import dev.orch.core.Timestamps;
import dev.orch.core.spi.InboxMessage;
import dev.orch.core.spi.RunStore;
import dev.orch.core.spi.SessionRecord;
import java.time.Clock;
import java.util.List;
import java.util.UUID;

/**
 * Agent-to-agent messages (SPEC §2 tools 9–10): point-to-point, appended to the recipient session's inbox,
 * within one cwd (cross-cwd messaging is refused).
 */
final class Inbox {
  private final RunStore store;
  private final RunResolver resolver;
  private final Clock clock;

  Inbox(RunStore store, RunResolver resolver, Clock clock) {
    this.store = store;
    this.resolver = resolver;
    this.clock = clock;
  }

  InboxReceipt send(String to, String from, String cwd, AgentMessage message, ObjectNode metadata) {
    SessionRecord recipient = resolver.session(to, cwd);
    SessionRecord sender = null;
    if (from != null && !from.isBlank()) {
      try {
        sender = resolver.session(from, recipient.cwd().toString());
      } catch (OrchException e) {
        if (e.code() == OrchException.ErrorCode.NOT_FOUND) {
          throw OrchException.invalid("Cross-cwd messaging is refused: " + from + " is not an agent in cwd "
              + recipient.cwd() + " (where " + to + " lives)");
        }
        throw e;
      }
    }
    InboxMessage m = new InboxMessage(UUID.randomUUID().toString(), 0, sender == null ? null : sender.agentName(),
        sender == null ? null : sender.sessionId(), recipient.agentName(), recipient.sessionId(),
        Timestamps.now(clock), message, metadata);
    InboxMessage stored = store.appendInbox(recipient, m);
    return new InboxReceipt(stored.messageId(), stored.toAgentName(), stored.toSessionId(), stored.seq(),
        stored.createdAt());
  }

  InboxPage fetch(String agentName, String cwd, long afterSeq, int limit) {
    if (afterSeq < 0) {
      throw OrchException.invalid("after_seq must be >= 0");
    }
    if (limit < 1 || limit > 1000) {
      throw OrchException.invalid("limit must be between 1 and 1000");
    }
    SessionRecord s = resolver.session(agentName, cwd);
    List<InboxMessage> msgs = store.readInbox(s, afterSeq, limit);
    long next = msgs.isEmpty() ? afterSeq : msgs.get(msgs.size() - 1).seq();
    return new InboxPage(s.agentName(), s.sessionId(), msgs, next);
  }
}
