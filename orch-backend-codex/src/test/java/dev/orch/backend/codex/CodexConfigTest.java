package dev.orch.backend.codex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.OrchException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("CodexConfig reads backend_config and ORCH_CODEX_* settings")
class CodexConfigTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir
  Path dir;
  private Path bin;
  private Path fakeCodex;

  @BeforeEach
  void fakeExecutable() throws IOException {
    bin = Files.createDirectories(dir.resolve("bin"));
    fakeCodex = Files.writeString(bin.resolve("codex"), "#!/bin/sh\nexit 0\n");
    Files.setPosixFilePermissions(fakeCodex, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private static ObjectNode json(String s) throws IOException {
    return (ObjectNode) JSON.readTree(s);
  }

  @Test
  @DisplayName("defaults: codex from PATH, workspace-write, 30 min timeout, 3 s cancel grace, nothing else")
  void defaults() {
    CodexConfig c = CodexConfig.read(null, Map.of("PATH", "/nonexistent:" + bin));
    assertThat(c.executable()).isEqualTo(fakeCodex);
    assertThat(c.sandbox()).isEqualTo("workspace-write");
    assertThat(c.timeoutMs()).isEqualTo(1_800_000L);
    assertThat(c.cancelGraceMs()).isEqualTo(3_000L);
    assertThat(c.model()).isNull();
    assertThat(c.approvalPolicy()).isNull();
    assertThat(c.networkAccess()).isNull();
    assertThat(c.config()).isEmpty();
    assertThat(c.extraArgs()).isEmpty();
    assertThat(c.env()).isEmpty();
  }

  @Test
  @DisplayName("environment variables set server-wide values and backend_config wins over them")
  void precedence() throws IOException {
    Map<String, String> env = Map.of(
        "PATH", bin.toString(),
        "ORCH_CODEX_SANDBOX", "read-only",
        "ORCH_CODEX_MODEL", "env-model",
        "ORCH_CODEX_TIMEOUT_MS", "5000",
        "ORCH_CODEX_NETWORK_ACCESS", "true",
        "ORCH_CODEX_APPROVAL_POLICY", "never",
        "ORCH_CODEX_EXTRA_ARGS", "[\"--disable\",\"plugins\"]",
        "ORCH_CODEX_CONFIG", "{\"analytics.enabled\":false}",
        "ORCH_CODEX_ENV", "{\"A\":\"env\"}");
    CodexConfig fromEnv = CodexConfig.read(null, env);
    assertThat(fromEnv.sandbox()).isEqualTo("read-only");
    assertThat(fromEnv.model()).isEqualTo("env-model");
    assertThat(fromEnv.timeoutMs()).isEqualTo(5000);
    assertThat(fromEnv.networkAccess()).isTrue();
    assertThat(fromEnv.approvalPolicy()).isEqualTo("never");
    assertThat(fromEnv.extraArgs()).containsExactly("--disable", "plugins");
    assertThat(fromEnv.config()).containsOnlyKeys("analytics.enabled");
    assertThat(fromEnv.env()).containsExactly(Map.entry("A", "env"));

    CodexConfig perRun = CodexConfig.read(json("{\"sandbox\":\"danger-full-access\",\"model\":\"run-model\","
        + "\"timeout_ms\":7000,\"network_access\":false,\"extra_args\":[],\"env\":{\"A\":\"run\"},"
        + "\"executable\":\"" + fakeCodex + "\",\"cancel_grace_ms\":10}"), env);
    assertThat(perRun.sandbox()).isEqualTo("danger-full-access");
    assertThat(perRun.model()).isEqualTo("run-model");
    assertThat(perRun.timeoutMs()).isEqualTo(7000);
    assertThat(perRun.networkAccess()).isFalse();
    assertThat(perRun.extraArgs()).isEmpty();
    assertThat(perRun.env()).containsExactly(Map.entry("A", "run"));
    assertThat(perRun.cancelGraceMs()).isEqualTo(10);
    assertThat(perRun.approvalPolicy()).as("not overridden: env value stays").isEqualTo("never");
  }

  @Test
  @DisplayName("every bad key is named at once, unknown keys included")
  void allErrorsAtOnce() {
    assertThatThrownBy(() -> CodexConfig.read(json("{\"sandbox\":\"yolo\",\"approval_policy\":\"sometimes\","
        + "\"network_access\":\"maybe\",\"timeout_ms\":-1,\"extra_args\":\"--x\",\"env\":{\"A\":1},"
        + "\"config\":{\"a\":null},\"colour\":\"blue\",\"model\":7}"), Map.of("PATH", bin.toString())))
        .isInstanceOfSatisfying(OrchException.class, e -> assertThat(e.code()).isEqualTo(OrchException.ErrorCode.INVALID_ARGUMENT))
        .hasMessageStartingWith("Invalid codex configuration: ")
        .hasMessageContaining("backend_config.sandbox: expected one of")
        .hasMessageContaining("got \"yolo\"")
        .hasMessageContaining("backend_config.approval_policy: expected one of")
        .hasMessageContaining("backend_config.network_access: expected a boolean")
        .hasMessageContaining("backend_config.timeout_ms: expected an integer in [")
        .hasMessageContaining("backend_config.extra_args: expected an array of strings")
        .hasMessageContaining("backend_config.env.A: expected a string")
        .hasMessageContaining("backend_config.config: \"a\": null has no TOML form")
        .hasMessageContaining("backend_config.model: expected a string")
        .hasMessageContaining("backend_config.colour: unknown key");
  }

  @Test
  @DisplayName("bad environment values are named by their variable")
  void badEnv() {
    assertThatThrownBy(() -> CodexConfig.read(null, Map.of("PATH", bin.toString(), "ORCH_CODEX_SANDBOX", "nope",
        "ORCH_CODEX_CONFIG", "{not json")))
        .hasMessageContaining("ORCH_CODEX_SANDBOX: expected one of")
        .hasMessageContaining("ORCH_CODEX_CONFIG: not valid JSON");
  }

  @Test
  @DisplayName("a codex that is not on PATH fails validation with a clear message")
  void missingOnPath() {
    assertThatThrownBy(() -> CodexConfig.read(null, Map.of("PATH", dir.resolve("empty").toString())))
        .hasMessageContaining("ORCH_CODEX_EXECUTABLE: \"codex\" was not found on PATH")
        .hasMessageContaining("set backend_config.executable");
  }

  @Test
  @DisplayName("an executable path that does not exist or cannot be executed fails validation")
  void badExecutablePath() throws IOException {
    Path notExec = Files.writeString(dir.resolve("codex-text"), "plain file");
    assertThatThrownBy(() -> CodexConfig.read(json("{\"executable\":\"" + dir.resolve("missing") + "\"}"), Map.of()))
        .hasMessageContaining("backend_config.executable: \"" + dir.resolve("missing")
            + "\" does not exist or is not an executable file");
    assertThatThrownBy(() -> CodexConfig.read(json("{\"executable\":\"" + notExec + "\"}"), Map.of()))
        .hasMessageContaining("is not an executable file");
    assertThat(CodexConfig.read(json("{\"executable\":\"" + fakeCodex + "\"}"), Map.of()).executable()).isEqualTo(fakeCodex);
  }

  @Test
  @DisplayName("config entries keep their order and their JSON values")
  void configOrder() throws IOException {
    CodexConfig c = CodexConfig.read(json("{\"config\":{\"z\":1,\"a\":\"x\",\"m\":[true]}}"), Map.of("PATH", bin.toString()));
    assertThat(List.copyOf(c.config().keySet())).containsExactly("z", "a", "m");
  }
}
