package dev.orch.backend.claude;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orch.core.spi.BackendDescriptor;
import dev.orch.core.spi.BackendProvider;
import dev.orch.core.spi.Capability;
import java.util.ServiceLoader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ClaudeBackendProvider describes itself and is found by ServiceLoader")
class ClaudeBackendProviderTest {
  @Test
  @DisplayName("the descriptor names claude_code, its artifact and all six capabilities")
  void descriptor() {
    BackendDescriptor d = new ClaudeBackendProvider().descriptor();
    assertThat(d.id()).isEqualTo("claude_code");
    assertThat(d.artifact()).isEqualTo("dev.orch:orch-backend-claude");
    assertThat(d.capabilities()).containsExactlyInAnyOrder(Capability.STREAMING, Capability.RESUME,
        Capability.CANCEL, Capability.CONTINUE, Capability.STRUCTURED_OUTPUT, Capability.PROFILES, Capability.REATTACH);
  }

  @Test
  @DisplayName("META-INF/services registers the provider")
  void serviceLoader() {
    assertThat(ServiceLoader.load(BackendProvider.class).stream().map(ServiceLoader.Provider::type))
        .contains(ClaudeBackendProvider.class);
  }
}
