package dev.orch.backend.codex.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orch.backend.codex.CodexConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("CodexCommand builds the codex exec command line and the stdin prompt")
class CodexCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path EXE = Path.of("/opt/codex/bin/codex");
  private static final Path CWD = Path.of("/work/project");

  private static JsonNode json(String s) {
    try {
      return JSON.readTree(s);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static CodexConfig config(String model, String sandbox, String approval, Boolean network,
      Map<String, JsonNode> config, List<String> extra) {
    return new CodexConfig(EXE, model, sandbox, approval, network, config, extra, Map.of(), 1000, 100);
  }

  @Test
  @DisplayName("the minimal command has exec --json, the default sandbox, cd and skip-git-repo-check")
  void minimal() {
    assertThat(CodexCommand.arguments(config(null, "workspace-write", null, null, Map.of(), List.of()), CWD, null, null))
        .containsExactly("/opt/codex/bin/codex", "exec", "--json", "--sandbox", "workspace-write", "--cd", "/work/project",
            "--skip-git-repo-check");
  }

  @Test
  @DisplayName("every option lands in its place, and extra args and resume come last")
  void everything() {
    Map<String, JsonNode> cfg = new LinkedHashMap<>();
    cfg.put("model_provider", json("\"mock\""));
    cfg.put("model_providers.mock.request_max_retries", json("0"));
    cfg.put("analytics.enabled", json("false"));
    CodexConfig c = config("gpt-5.5", "read-only", "never", true, cfg, List.of("--disable", "plugins"));
    assertThat(CodexCommand.arguments(c, CWD, Path.of("/tmp/schema.json"), "thread-1")).containsExactly(
        "/opt/codex/bin/codex", "exec", "--json",
        "-c", "model_provider=\"mock\"",
        "-c", "model_providers.mock.request_max_retries=0",
        "-c", "analytics.enabled=false",
        "-c", "sandbox_workspace_write.network_access=true",
        "--model", "gpt-5.5",
        "--sandbox", "read-only",
        "--cd", "/work/project",
        "--skip-git-repo-check",
        "--output-schema", "/tmp/schema.json",
        "-c", "approval_policy=\"never\"",
        "--disable", "plugins",
        "resume", "thread-1");
  }

  @Test
  @DisplayName("network access false is passed explicitly")
  void networkOff() {
    assertThat(CodexCommand.arguments(config(null, "danger-full-access", "on-request", false, Map.of(), List.of()), CWD,
        null, null)).containsSequence("-c", "sandbox_workspace_write.network_access=false")
        .containsSequence("--sandbox", "danger-full-access")
        .containsSequence("-c", "approval_policy=\"on-request\"");
  }

  @Test
  @DisplayName("TOML values: strings are escaped basic strings, numbers and booleans bare, arrays and tables inline")
  void toml() {
    assertThat(Toml.value(json("\"plain\""))).isEqualTo("\"plain\"");
    assertThat(Toml.value(json("\"quote \\\" back \\\\ nl \\n tab \\t bell \\u0007\"")))
        .isEqualTo("\"quote \\\" back \\\\ nl \\n tab \\t bell \\u0007\"");
    assertThat(Toml.value(json("42"))).isEqualTo("42");
    assertThat(Toml.value(json("-7"))).isEqualTo("-7");
    assertThat(Toml.value(json("1.5"))).isEqualTo("1.5");
    assertThat(Toml.value(json("true"))).isEqualTo("true");
    assertThat(Toml.value(json("[\"a\", 1, false]"))).isEqualTo("[\"a\", 1, false]");
    assertThat(Toml.value(json("[]"))).isEqualTo("[]");
    assertThat(Toml.value(json("{\"inherit\":\"all\",\"x.y\":1,\"n\":{\"k\":[1]}}")))
        .isEqualTo("{ inherit = \"all\", \"x.y\" = 1, n = { k = [1] } }");
    assertThat(Toml.value(json("{}"))).isEqualTo("{}");
    assertThat(Toml.value(json("\"ünïcødé ✓\""))).isEqualTo("\"ünïcødé ✓\"");
  }

  @Test
  @DisplayName("null has no TOML form, also nested")
  void tomlNull() {
    assertThat(Toml.problem(json("null"))).isEqualTo("null has no TOML form");
    assertThat(Toml.problem(json("[1, null]"))).isEqualTo("null has no TOML form");
    assertThat(Toml.problem(json("{\"a\":{\"b\":null}}"))).isEqualTo("null has no TOML form");
    assertThat(Toml.problem(json("{\"a\":1}"))).isNull();
    assertThatThrownBy(() -> Toml.value(json("null"))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("without a profile the prompt goes to stdin unchanged")
  void promptPlain() {
    assertThat(CodexCommand.stdinPrompt("Fix the bug", null)).isEqualTo("Fix the bug");
    assertThat(CodexCommand.stdinPrompt("Fix the bug", "  ")).isEqualTo("Fix the bug");
  }

  @Test
  @DisplayName("with a profile the prompt is wrapped in the system instructions block (SPEC §7)")
  void promptWithProfile() {
    assertThat(CodexCommand.stdinPrompt("Fix the bug", "Profile source: /p/reviewer.md\n\nBe strict.\n"))
        .isEqualTo("System instructions for this run:\n"
            + "<SYSTEM_PROMPT>\n"
            + "Profile source: /p/reviewer.md\n\nBe strict.\n"
            + "</SYSTEM_PROMPT>\n"
            + "\n"
            + "User request:\n"
            + "Fix the bug");
  }
}
