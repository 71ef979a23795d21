package dev.orch.backend.a2a;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.backend.a2a.testing.JsA2aPeer;
import dev.orch.core.spi.BackendProvider;
import dev.orch.tck.BackendCompatibilityKit;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;

/**
 * The kit against the independent {@code @a2a-js/sdk} agent ({@link JsA2aPeer}, streaming). The peer is started once
 * per class, before the kit takes its snapshot of child processes, so only processes the backend starts (none)
 * count as leftovers. For remote_a2a the resumed conversation is the A2A context: {@code remote_ref.conversation_id}
 * is the context id, and the kit checks that it stays the same across continue_run.
 */
@DisplayName("The remote_a2a backend passes the compatibility kit against the @a2a-js/sdk agent and the engine")
class A2aCompatibilityTest extends BackendCompatibilityKit {
  private static JsA2aPeer peer;

  @BeforeAll
  static void startPeer() {
    peer = JsA2aPeer.start();
  }

  @AfterAll
  static void stopPeer() {
    A2aTestBase.stop(peer);
  }

  @Override
  protected BackendProvider provider() {
    return new A2aBackendProvider();
  }

  @Override
  protected ObjectNode backendConfig(Path cwd) {
    return JsonNodeFactory.instance.objectNode().put("agent_url", peer.baseUrl());
  }

  @Override
  protected String plainPrompt() {
    return "Say hello";
  }

  @Override
  protected String slowPrompt() {
    return "[slow] take your time";
  }
}
