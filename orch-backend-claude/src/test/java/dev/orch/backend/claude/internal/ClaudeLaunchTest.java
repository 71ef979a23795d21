package dev.orch.backend.claude.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.backend.claude.ClaudeConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ClaudeLaunch builds the SDK-style command line and initialize request")
class ClaudeLaunchTest {
  static final Path EXE = Path.of("/opt/claude");
  static final String SESSION = "0b0e4f3a-7a51-4a3e-9c53-2f1f6d8f4a10";

  static ClaudeConfig config(String mode) {
    return new ClaudeConfig(EXE, "sonnet", mode, List.of("Read", "Bash"), List.of("WebFetch"), 3L,
        Map.of("X", "1"), List.of("--effort", "low"), 60_000, 1_000, 0);
  }

  @Test
  @DisplayName("bypass mode: no prompt tool, IS_SANDBOX=1 for root, --session-id for a new session")
  void bypassNewSession() {
    ClaudeLaunch l = ClaudeLaunch.of(config("bypassPermissions"), Path.of("/w"), null, null, null, SESSION,
        Map.of("PEER_NAME", "a"), true);
    assertThat(l.command()).containsExactly("/opt/claude", "--output-format", "stream-json", "--verbose",
        "--input-format", "stream-json", "--permission-mode=bypassPermissions", "--model=sonnet", "--max-turns=3",
        "--allowedTools=Read,Bash", "--disallowedTools=WebFetch", "--effort", "low", "--session-id=" + SESSION);
    assertThat(l.env()).containsEntry("IS_SANDBOX", "1").containsEntry("X", "1").containsEntry("PEER_NAME", "a");
    assertThat(l.initialize().toString()).isEqualTo(
        "{\"type\":\"control_request\",\"request_id\":\"orch_init_1\",\"request\":{\"subtype\":\"initialize\"}}");
  }

  @Test
  @DisplayName("default mode routes prompts over stdio; a resume passes --resume; profile and schema go into initialize")
  void promptsAndResume() throws Exception {
    ObjectNode schema = (ObjectNode) new ObjectMapper().readTree("{\"type\":\"object\"}");
    ClaudeLaunch l = ClaudeLaunch.of(config("default"), Path.of("/w"), "Profile source: p\n\nhi", schema,
        "resume-id", SESSION, Map.of(), true);
    assertThat(l.command()).contains("--permission-prompt-tool=stdio", "--json-schema={\"type\":\"object\"}")
        .endsWith("--resume=resume-id").noneMatch(a -> a.startsWith("--session-id"));
    assertThat(l.env()).doesNotContainKey("IS_SANDBOX");
    assertThat(l.initialize().path("request").path("appendSystemPrompt").asText()).isEqualTo("Profile source: p\n\nhi");
    assertThat(l.initialize().path("request").path("jsonSchema")).isEqualTo(schema);
  }

  @Test
  @DisplayName("the fingerprint ignores the session argument but not the configuration")
  void fingerprint() {
    ClaudeLaunch a = ClaudeLaunch.of(config("default"), Path.of("/w"), null, null, "s1", SESSION, Map.of(), false);
    ClaudeLaunch b = ClaudeLaunch.of(config("default"), Path.of("/w"), null, null, null, SESSION, Map.of(), false);
    ClaudeLaunch c = ClaudeLaunch.of(config("plan"), Path.of("/w"), null, null, "s1", SESSION, Map.of(), false);
    ClaudeLaunch d = ClaudeLaunch.of(config("default"), Path.of("/w"), "profile", null, "s1", SESSION, Map.of(),
        false);
    assertThat(a.fingerprint()).isEqualTo(b.fingerprint()).isNotEqualTo(c.fingerprint()).isNotEqualTo(d.fingerprint());
  }

  @Test
  @DisplayName("a session id that is not a UUID is not passed (Claude then picks one and init reports it)")
  void nonUuidSession() {
    ClaudeLaunch l = ClaudeLaunch.of(config("default"), Path.of("/w"), null, null, null, "legacy-id", Map.of(),
        false);
    assertThat(l.command()).noneMatch(a -> a.startsWith("--session-id") || a.startsWith("--resume"));
  }
}
