package dev.orch.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The start-a2a-agent launcher, in-process")
class StartA2aAgentTest {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  @TempDir
  Path tmp;

  private String printed() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("re-asks after a bad answer and starts the chosen flavour, printing URLs and a spawn_run payload")
  void interactiveChoice() {
    try (TestAgentServer server = StartA2aAgent.launch(new String[0], new StringReader("nope\n3\n"), out, Map.of())) {
      assertThat(server.flavour()).isEqualTo(Flavour.SCRIPTED);
      assertThat(printed()).contains("Please answer 1 (codex), 2 (claude_code) or 3 (scripted); got 'nope'.")
          .contains(StartA2aAgent.BASE_URL_LABEL + server.baseUrl())
          .contains(StartA2aAgent.JSON_RPC_LABEL + server.jsonRpcUrl())
          .contains(StartA2aAgent.CARD_URL_LABEL + server.cardUrl())
          .contains("\"backend\" : \"remote_a2a\"")
          .contains("\"agent_url\" : \"" + server.baseUrl() + "\"");
    }
  }

  @Test
  @DisplayName("accepts backend names as answers and flags in both --name value and --name=value forms")
  void namesAndFlags() {
    assertThat(LaunchOptions.parse(List.of("--backend=claude_code", "--port", "0")).flavour())
        .isEqualTo(Flavour.CLAUDE_CODE);
    LaunchOptions o = LaunchOptions.parse(List.of("--backend", "codex", "--host", "127.0.0.1", "--port=8123",
        "--backend-config", "{\"model\":\"m\"}"));
    assertThat(o.flavour()).isEqualTo(Flavour.CODEX);
    assertThat(o.port()).isEqualTo(8123);
    assertThat(o.backendConfig().path("model").asText()).isEqualTo("m");
    assertThat(Flavour.parse("Claude-Code")).contains(Flavour.CLAUDE_CODE);
  }

  @Test
  @DisplayName("refuses bad arguments naming them, and stdin ending before an answer")
  void refusals() {
    assertThatThrownBy(() -> LaunchOptions.parse(List.of("--backend", "gpt"))).hasMessageContaining(
        "--backend: expected codex, claude_code or scripted, got 'gpt'");
    assertThatThrownBy(() -> LaunchOptions.parse(List.of("--port", "70000"))).hasMessageContaining("0..65535");
    assertThatThrownBy(() -> LaunchOptions.parse(List.of("--backend-config", "[1]")))
        .hasMessageContaining("expected a JSON object");
    assertThatThrownBy(() -> LaunchOptions.parse(List.of("--verbose"))).hasMessageContaining("unknown argument");
    assertThatThrownBy(() -> StartA2aAgent.launch(new String[0], new StringReader("x\n"), out, Map.of()))
        .hasMessageContaining("no backend chosen");
  }

  @Test
  @DisplayName("--cwd sets the default directory: printed, used in the spawn_run payload, served to plain messages")
  void cwdFlag() throws Exception {
    Path work = Files.createDirectories(tmp.resolve("work dir"));
    try (TestAgentServer server = StartA2aAgent.launch(new String[] {"--backend", "scripted", "--cwd", work.toString()},
        new StringReader(""), out, Map.of())) {
      assertThat(server.defaultCwd()).isEqualTo(work);
      assertThat(printed()).contains(StartA2aAgent.CWD_LABEL + work)
          .contains("\"cwd\" : \"" + work + "\"");
    }
  }

  @Test
  @DisplayName("--cwd resolves a relative path against the start directory and refuses a missing or non-directory path")
  void cwdValidation() throws Exception {
    Path start = Path.of(System.getProperty("user.dir"));
    assertThat(LaunchOptions.parse(List.of("--cwd", ".")).cwd()).isEqualTo(start.toAbsolutePath().normalize());
    assertThat(LaunchOptions.parse(List.of("--cwd=" + tmp)).cwd()).isEqualTo(tmp);
    Path missing = tmp.resolve("missing");
    assertThatThrownBy(() -> LaunchOptions.parse(List.of("--cwd", missing.toString())))
        .hasMessage("--cwd: no such directory: " + missing);
    Path file = Files.writeString(tmp.resolve("a-file"), "x");
    assertThatThrownBy(() -> LaunchOptions.parse(List.of("--cwd", file.toString())))
        .hasMessage("--cwd: not a directory: " + file);
    assertThatThrownBy(() -> LaunchOptions.parse(List.of("--cwd", " "))).hasMessage("--cwd: expected a directory");
    assertThatThrownBy(() -> LaunchOptions.parse(List.of("--cwd"))).hasMessage("--cwd needs a value");
    assertThatThrownBy(() -> TestAgentServer.builder(Flavour.SCRIPTED).defaultCwd(Path.of("rel")))
        .hasMessageContaining("must be an absolute path: rel");
  }

  @Test
  @DisplayName("interactively asks for the directory after the backend, re-asks after a bad one, Enter keeps the start dir")
  void interactiveCwd() throws Exception {
    Path work = Files.createDirectories(tmp.resolve("chosen"));
    try (TestAgentServer server = StartA2aAgent.launch(new String[0],
        new StringReader("3\n" + tmp.resolve("nope") + "\n" + work + "\n"), out, Map.of())) {
      assertThat(server.defaultCwd()).isEqualTo(work);
      assertThat(printed()).contains(StartA2aAgent.CWD_QUESTION)
          .contains("Please answer with an existing directory").contains("no such directory: " + tmp.resolve("nope"))
          .contains(StartA2aAgent.CWD_LABEL + work);
    }
    bytes.reset();
    try (TestAgentServer server = StartA2aAgent.launch(new String[0], new StringReader("3\n\n"), out, Map.of())) {
      assertThat(server.defaultCwd()).isEqualTo(Path.of(System.getProperty("user.dir")).toAbsolutePath().normalize());
    }
  }

  @Test
  @DisplayName("--help prints the usage and starts nothing")
  void help() {
    assertThat(StartA2aAgent.launch(new String[] {"--help"}, new StringReader(""), out, Map.of())).isNull();
    assertThat(printed()).contains("Usage: start-a2a-agent");
  }
}
