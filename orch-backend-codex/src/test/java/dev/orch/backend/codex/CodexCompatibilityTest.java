package dev.orch.backend.codex;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.backend.codex.testing.CodexTestSetup;
import dev.orch.backend.codex.testing.MockResponsesApi;
import dev.orch.core.spi.BackendProvider;
import dev.orch.tck.BackendCompatibilityKit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;

@DisplayName("The codex backend passes the compatibility kit on the real codex CLI and the engine")
class CodexCompatibilityTest extends BackendCompatibilityKit {
  private MockResponsesApi api;
  private Path codexHome;

  @BeforeEach
  void startMock() throws IOException {
    api = MockResponsesApi.start();
    codexHome = Files.createTempDirectory("codex-home");
  }

  @AfterEach
  void stopMock() {
    api.close();
  }

  @Override
  protected BackendProvider provider() {
    return new CodexBackendProvider();
  }

  @Override
  protected ObjectNode backendConfig(Path cwd) {
    return CodexTestSetup.backendConfig(api, codexHome);
  }

  @Override
  protected String plainPrompt() {
    return "Say hello";
  }

  @Override
  protected String slowPrompt() {
    return MockResponsesApi.SLOW;
  }
}
