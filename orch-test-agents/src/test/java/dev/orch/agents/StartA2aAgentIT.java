package dev.orch.agents;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("bin/start-a2a-agent (the shaded launcher jar as a process)")
class StartA2aAgentIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration START = Duration.ofSeconds(30);

  @TempDir
  Path tmp;

  private Map<String, String> env() throws Exception {
    return Map.of("NANOBOT_ORCHESTRATOR_HOME", Files.createDirectories(tmp.resolve("orch-home")).toString());
  }

  @Test
  @DisplayName("--backend scripted --port 0 prints a card URL serving a valid card, and SIGTERM stops it cleanly")
  void scriptedCard() throws Exception {
    try (LauncherProcess p = LauncherProcess.start(List.of("--backend", "scripted", "--port", "0"), env(), tmp)) {
      String cardUrl = p.awaitLine(StartA2aAgent.CARD_URL_LABEL, START);
      String baseUrl = p.awaitLine(StartA2aAgent.BASE_URL_LABEL, START);
      String jsonRpcUrl = p.awaitLine(StartA2aAgent.JSON_RPC_LABEL, START);
      assertThat(cardUrl).isEqualTo(baseUrl + "/.well-known/agent-card.json");
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(cardUrl)).GET()
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      JsonNode card = JSON.readTree(r.body());
      assertThat(card.path("name").asText()).isEqualTo("Scripted Test Agent");
      assertThat(card.path("protocolVersion").asText()).isEqualTo("0.3.0");
      assertThat(card.path("url").asText()).isEqualTo(jsonRpcUrl);
      assertThat(card.path("preferredTransport").asText()).isEqualTo("JSONRPC");
      assertThat(card.at("/capabilities/streaming").asBoolean()).isTrue();
      assertThat(card.path("skills")).isNotEmpty();

      assertThat(p.stdout()).contains("\"backend\" : \"remote_a2a\"").contains("\"agent_url\" : \"" + baseUrl + "\"");
      int code = p.stop(Duration.ofSeconds(5));
      assertThat(code).as("exit code after SIGTERM (128 + 15)").isIn(0, 143);
      assertThat(String.join("\n", p.err)).contains("stopping Scripted Test Agent")
          .contains("Scripted Test Agent on " + baseUrl + " stopped");
    }
  }

  @Test
  @DisplayName("asks which backend to wrap (again after a bad answer) and the directory, then starts the claude_code agent")
  void interactive() throws Exception {
    Path work = Files.createDirectories(tmp.resolve("work"));
    try (LauncherProcess p = LauncherProcess.start(List.of(), env(), tmp)) {
      p.write("x\n2\n" + work + "\n");
      String cardUrl = p.awaitLine(StartA2aAgent.CARD_URL_LABEL, START);
      assertThat(p.awaitLine(StartA2aAgent.CWD_LABEL, START)).startsWith(work.toString());
      p.awaitLine("Press Ctrl+C to stop.", START);
      assertThat(p.stdout()).contains("Please answer 1 (codex), 2 (claude_code)")
          .contains(StartA2aAgent.CWD_QUESTION)
          .contains("Claude Code Test Agent is running.")
          .contains("\"cwd\" : \"" + work + "\"");
      assertThat(p.stdout().split(java.util.regex.Pattern.quote("Which backend"), -1)).hasSize(3);
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(cardUrl)).GET()
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(JSON.readTree(r.body()).path("name").asText()).isEqualTo("Claude Code Test Agent");
      assertThat(p.stop(Duration.ofSeconds(5))).isIn(0, 143);
    }
  }
}
