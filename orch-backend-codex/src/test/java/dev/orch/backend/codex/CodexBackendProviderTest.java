package dev.orch.backend.codex;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orch.core.spi.BackendProvider;
import dev.orch.core.spi.Capability;
import java.util.ServiceLoader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("CodexBackendProvider describes itself and is found by ServiceLoader")
class CodexBackendProviderTest {

  @Test
  @DisplayName("ServiceLoader finds the provider with id codex, its artifact and capabilities")
  void discovered() {
    BackendProvider provider = ServiceLoader.load(BackendProvider.class).stream().map(ServiceLoader.Provider::get)
        .filter(p -> p.descriptor().id().equals("codex")).findFirst().orElseThrow();
    assertThat(provider).isInstanceOf(CodexBackendProvider.class);
    assertThat(provider.descriptor().artifact()).isEqualTo("dev.orch:orch-backend-codex");
    assertThat(provider.descriptor().capabilities()).containsExactlyInAnyOrder(Capability.STREAMING,
        Capability.RESUME, Capability.CANCEL, Capability.STRUCTURED_OUTPUT, Capability.PROFILES,
        Capability.REATTACH);
    assertThat(provider.descriptor().has(Capability.CONTINUE)).isFalse();
  }
}
