package dev.orch.backend.claude;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.backend.claude.testing.ClaudeTestSetup;
import dev.orch.core.spi.BackendProvider;
import dev.orch.tck.BackendCompatibilityKit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;

@DisplayName("The claude_code backend passes the compatibility kit on the real claude CLI and the engine")
class ClaudeCompatibilityTest extends BackendCompatibilityKit {
  private ClaudeTestSetup setup;

  @BeforeEach
  void startMock() throws IOException {
    setup = ClaudeTestSetup.start(Files.createTempDirectory("claude-tck"));
  }

  @AfterEach
  void stopMock() {
    setup.close();
  }

  @Override
  protected BackendProvider provider() {
    return new ClaudeBackendProvider();
  }

  @Override
  protected ObjectNode backendConfig(Path cwd) {
    return setup.backendConfig();
  }

  @Override
  protected String plainPrompt() {
    return "Say hello";
  }

  @Override
  protected String slowPrompt() {
    return "SLOW please";
  }
}
