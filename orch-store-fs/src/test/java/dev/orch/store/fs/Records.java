package dev.orch.store.fs;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.AgentMessage;
import dev.orch.core.EventType;
import dev.orch.core.NormalizedEvent;
import dev.orch.core.Role;
import dev.orch.core.RunId;
import dev.orch.core.RunStatus;
import dev.orch.core.SessionId;
import dev.orch.core.spi.InboxMessage;
import dev.orch.core.spi.RunRecord;
import dev.orch.core.spi.SessionRecord;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/** Builders of store records for tests. */
final class Records {
  private Records() {
  }

  static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MILLIS);
  }

  static RunRecord queuedRun(Path cwd, SessionId session, String agentName) {
    ObjectNode meta = JsonNodeFactory.instance.objectNode().put("task", "test");
    return new RunRecord(RunId.random(), "codex", Role.WORKER, session, agentName, RunStatus.QUEUED, cwd,
        "do something", null, meta, null, now(), now(), null, 0, "Queued", null, null, null, null, null, null, null);
  }

  static SessionRecord session(Path cwd, String agentName) {
    return new SessionRecord(SessionId.random(), "codex", cwd, agentName, null, null, now(), now(), null, null,
        null);
  }

  static NormalizedEvent event(RunRecord run, long seq, String text) {
    ObjectNode data = JsonNodeFactory.instance.objectNode().put("text", text);
    return new NormalizedEvent(seq, now(), run.runId(), run.sessionId(), run.backend(), EventType.AGENT_MESSAGE,
        data);
  }

  static InboxMessage message(SessionRecord to, String from, String text) {
    return new InboxMessage(UUID.randomUUID().toString(), 0, from, null, to.agentName(), to.sessionId(), now(),
        AgentMessage.userText(text), null);
  }
}
