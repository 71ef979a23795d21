package dev.orch.backend.claude;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.OrchException;
import dev.orch.core.spi.ConfigReader;
import dev.orch.core.testing.Peers;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ClaudeConfig reads backend_config and ORCH_CLAUDE_* settings")
class ClaudeConfigTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String EXE = Peers.claudeBinary().toString();

  static ObjectNode cfg(String json) throws Exception {
    return (ObjectNode) JSON.readTree(json);
  }

  @Test
  @DisplayName("defaults: bypassPermissions, 30 min watchdog, 10 min permission timeout, 60 s keep-alive")
  void defaults() throws Exception {
    ClaudeConfig c = ClaudeConfig.read(cfg("{\"executable\":\"" + EXE + "\"}"), Map.of());
    assertThat(c.permissionMode()).isEqualTo("bypassPermissions");
    assertThat(c.bypassPermissions()).isTrue();
    assertThat(c.timeoutMs()).isEqualTo(1_800_000L);
    assertThat(c.permissionTimeoutMs()).isEqualTo(600_000L);
    assertThat(c.idleKeepaliveMs()).isEqualTo(60_000L);
    assertThat(c.model()).isNull();
    assertThat(c.maxTurns()).isNull();
    assertThat(c.allowedTools()).isEmpty();
  }

  @Test
  @DisplayName("server-wide env settings apply and per-run backend_config wins over them")
  void envAndOverride() throws Exception {
    Map<String, String> env = Map.of("ORCH_CLAUDE_EXECUTABLE", EXE, "ORCH_CLAUDE_MODEL", "sonnet",
        "ORCH_CLAUDE_PERMISSION_MODE", "acceptEdits", "ORCH_CLAUDE_ALLOWED_TOOLS", "[\"Read\",\"Bash(git *)\"]",
        "ORCH_CLAUDE_MAX_TURNS", "7", "ORCH_CLAUDE_ENV", "{\"A\":\"1\"}", "ORCH_CLAUDE_IDLE_KEEPALIVE_MS", "0");
    ClaudeConfig c = ClaudeConfig.read(cfg("{\"model\":\"opus\",\"extra_args\":[\"--effort\",\"low\"]}"), env);
    assertThat(c.executable()).isEqualTo(Path.of(EXE).toAbsolutePath());
    assertThat(c.model()).isEqualTo("opus");
    assertThat(c.permissionMode()).isEqualTo("acceptEdits");
    assertThat(c.allowedTools()).containsExactly("Read", "Bash(git *)");
    assertThat(c.maxTurns()).isEqualTo(7L);
    assertThat(c.env()).containsEntry("A", "1");
    assertThat(c.extraArgs()).containsExactly("--effort", "low");
    assertThat(c.idleKeepaliveMs()).isZero();
  }

  @Test
  @DisplayName("every bad key is named at once, including unknown keys")
  void allErrorsAtOnce() throws Exception {
    assertThatThrownBy(() -> ClaudeConfig.read(cfg("{\"executable\":\"" + EXE + "\",\"permission_mode\":\"yolo\","
        + "\"max_turns\":\"x\",\"env\":{\"A\":1},\"timeout_ms\":5,\"colour\":\"red\"}"), Map.of()))
        .isInstanceOf(OrchException.class)
        .hasMessageStartingWith("Invalid claude_code configuration: ")
        .hasMessageContaining("backend_config.permission_mode: expected one of")
        .hasMessageContaining("backend_config.max_turns: expected an integer")
        .hasMessageContaining("backend_config.env.A: expected a string")
        .hasMessageContaining("backend_config.timeout_ms: expected an integer in [1000")
        .hasMessageContaining("backend_config.colour: unknown key");
  }

  @Test
  @DisplayName("the default executable is looked up on PATH and a missing one is reported")
  void executableOnPath() throws Exception {
    String dir = Peers.claudeBinary().getParent().toString();
    assertThat(ConfigReader.findExecutable("claude.exe", "/nonexistent:" + dir)).isEqualTo(Peers.claudeBinary()
        .toAbsolutePath());
    assertThatThrownBy(() -> ClaudeConfig.read(null, Map.of("PATH", "/nonexistent")))
        .isInstanceOf(OrchException.class)
        .hasMessageContaining("ORCH_CLAUDE_EXECUTABLE").hasMessageContaining("on PATH");
  }
}
