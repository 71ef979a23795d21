package dev.orch.backend.claude;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.RemoteRef;
import dev.orch.core.Role;
import dev.orch.core.RunId;
import dev.orch.core.SessionId;
import dev.orch.core.spi.Backend;
import dev.orch.core.spi.BackendContext;
import dev.orch.core.spi.RunSpec;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ThreadFactory;

/** Builds backends and run specs for the end-to-end tests. */
final class ClaudeRuns {
  private ClaudeRuns() {
  }

  static final ThreadFactory DAEMONS = r -> {
    Thread t = new Thread(r);
    t.setDaemon(true);
    return t;
  };

  static Backend backend() {
    return new ClaudeBackendProvider().create(new BackendContext(System.getenv(), DAEMONS, Clock.systemUTC()));
  }

  static RunSpec spec(SessionId session, Path cwd, String prompt, ObjectNode config) {
    return spec(session, cwd, prompt, config, null, null, null);
  }

  static RunSpec spec(SessionId session, Path cwd, String prompt, ObjectNode config, String systemPrompt,
      ObjectNode schema, RunSpec.Resume resume) {
    return new RunSpec(RunId.random(), session, "agent1", Role.WORKER, cwd, prompt, null, systemPrompt, schema,
        config, resume, Map.of("PEER_NAME", "agent1"), null);
  }

  static RunSpec.Resume resume(String claudeSessionId) {
    return new RunSpec.Resume(claudeSessionId, RemoteRef.conversation(ClaudeBackendProvider.ID, claudeSessionId));
  }
}
