package dev.orch.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orch.core.OrchException;
import dev.orch.core.Orchestrator;
import dev.orch.core.spi.Backend;
import dev.orch.core.spi.BackendContext;
import dev.orch.core.spi.BackendDescriptor;
import dev.orch.core.spi.BackendProvider;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Backend registration and discovery (CONVENTIONS 3)")
class BackendRegistryTest {
  @TempDir
  Path home;

  Map<String, String> env() {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("NANOBOT_ORCHESTRATOR_HOME", home.toString());
    return env;
  }

  @Test
  @DisplayName("two providers with one id fail fast, naming both classes and where they come from")
  void duplicateIdsFailFast() {
    assertThatThrownBy(() -> Orchestrator.builder().discovery(false).storeProvider(new dev.orch.store.fs.FsRunStoreProvider()).environment(env())
        .backend(new ScriptedBackend()).backend(new OtherScripted()).build())
        .isInstanceOf(OrchException.class)
        .hasMessageContaining("Duplicate backend id 'scripted'")
        .hasMessageContaining(ScriptedBackend.class.getName())
        .hasMessageContaining(OtherScripted.class.getName());
  }

  @Test
  @DisplayName("a provider that throws becomes a diagnostic and the other backends keep working")
  void brokenProviderIsADiagnostic() {
    try (Orchestrator orch = Orchestrator.builder().discovery(false).storeProvider(new dev.orch.store.fs.FsRunStoreProvider()).environment(env())
        .backend(new ScriptedBackend()).backend(new Broken()).build()) {
      assertThat(orch.backends()).extracting(BackendDescriptor::id).containsExactly("scripted");
      assertThat(orch.diagnostics()).singleElement().asString().contains("broken").contains("no licence");
    }
  }

  @Test
  @DisplayName("a missing built-in backend names the artifact to add")
  void missingBuiltInNamesTheArtifact() {
    try (Orchestrator orch = Orchestrator.builder().discovery(false).storeProvider(new dev.orch.store.fs.FsRunStoreProvider()).environment(env())
        .backend(new ScriptedBackend()).build()) {
      assertThatThrownBy(() -> orch.spawn(dev.orch.core.SpawnRequest.builder("claude_code", dev.orch.core.Role.WORKER,
          home.toString(), dev.orch.core.SessionMode.NEW).prompt("p").build()))
          .hasMessage("Unsupported backend: claude_code. Known backends: scripted. Add dev.orch:orch-backend-claude"
              + " to the class path to enable it");
    }
  }

  @Test
  @DisplayName("the core refuses what a backend does not declare: output_schema without STRUCTURED_OUTPUT")
  void capabilitiesAreChecked() {
    try (Orchestrator orch = Orchestrator.builder().discovery(false)
        .storeProvider(new dev.orch.store.fs.FsRunStoreProvider()).environment(env())
        .backend(new ScriptedBackend()).build()) {
      assertThatThrownBy(() -> orch.spawn(dev.orch.core.SpawnRequest.builder("scripted", dev.orch.core.Role.WORKER,
          home.toString(), dev.orch.core.SessionMode.NEW).prompt("complete")
          .outputSchema(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()).build()))
          .hasMessage("Backend scripted cannot honour output_schema (it does not declare the STRUCTURED_OUTPUT"
              + " capability)");
      assertThat(orch.listRuns(null, null, null)).isEmpty();
    }
  }

  /** Another provider claiming the id "scripted". */
  static final class OtherScripted implements BackendProvider {
    @Override
    public BackendDescriptor descriptor() {
      return new BackendDescriptor("scripted", "2", Set.of(), "x:y", "impostor");
    }

    @Override
    public Backend create(BackendContext context) {
      throw new AssertionError("never created");
    }
  }

  /** A provider whose backend cannot be created. */
  static final class Broken implements BackendProvider {
    @Override
    public BackendDescriptor descriptor() {
      return new BackendDescriptor("broken", "1", Set.of(), "x:broken", "always fails");
    }

    @Override
    public Backend create(BackendContext context) {
      throw new IllegalStateException("no licence for this backend");
    }
  }
}
