package dev.orch.agents;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orch.backend.claude.testing.ClaudeTestSetup;
import dev.orch.backend.claude.testing.MockMessagesApi;
import io.a2a.spec.Task;
import io.a2a.spec.TaskState;
import io.a2a.spec.TextPart;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The claude_code test agent (real Claude Code CLI on the mock Messages API)")
class ClaudeAgentTest {
  @TempDir
  static Path tmp;

  private static ClaudeTestSetup claude;
  private static TestAgentServer agent;

  @BeforeAll
  static void start() throws Exception {
    claude = ClaudeTestSetup.start(tmp);
    Map<String, String> env = new HashMap<>(System.getenv());
    env.putAll(claude.serverEnvironment());
    env.put("ORCH_CLAUDE_PERMISSION_MODE", "default");
    env.put("ORCH_CLAUDE_IDLE_KEEPALIVE_MS", "0");
    env.put("NANOBOT_ORCHESTRATOR_HOME", Files.createDirectories(tmp.resolve("orch-home")).toString());
    agent = TestAgentServer.builder(Flavour.CLAUDE_CODE).environment(env).build().start();
  }

  @AfterAll
  static void stop() {
    if (agent != null) {
      agent.close();
    }
    if (claude != null) {
      claude.awaitNoClaudeProcesses(Duration.ofSeconds(15));
      claude.close();
    }
  }

  private static Path newCwd() throws Exception {
    return Files.createDirectories(tmp.resolve("cwd-" + UUID.randomUUID()));
  }

  @Test
  @DisplayName("an @a2a-js/sdk message/send completes with the model's answer as final-response")
  void sendFromJs() throws Exception {
    JsonNode out = JsA2aClient.run(agent.baseUrl(), newCwd(), "send", "Say hello", tmp);
    assertThat(out.at("/card/name").asText()).isEqualTo("Claude Code Test Agent");
    assertThat(out.at("/result/state").asText()).isEqualTo("TASK_STATE_COMPLETED");
    assertThat(out.at("/result/artifacts/0/name").asText()).isEqualTo("final-response");
    assertThat(out.at("/result/artifacts/0/texts/0").asText()).isEqualTo(MockMessagesApi.HELLO_TEXT);
  }

  @Test
  @DisplayName("a permission prompt passes through as input-required; the follow-up in the same task allows it")
  void inputRequiredPassesThrough() throws Exception {
    Path cwd = newCwd();
    try (A2aTestClient client = new A2aTestClient(agent.baseUrl())) {
      Task asked = client.sendBlocking(A2aTestClient.message("RUN_BASH create allowed.txt", cwd.toString(), null,
          null));
      assertThat(asked.getStatus().state()).isEqualTo(TaskState.INPUT_REQUIRED);
      assertThat(((TextPart) asked.getStatus().message().getParts().get(0)).getText()).contains("Bash");
      Task done = client.sendBlocking(A2aTestClient.message("allow", null, asked.getContextId(), asked.getId()));
      assertThat(done.getId()).isEqualTo(asked.getId());
      assertThat(done.getStatus().state()).isEqualTo(TaskState.COMPLETED);
      assertThat(TestAgentServerTest.finalText(done)).isEqualTo(MockMessagesApi.DONE_TEXT);
    }
    assertThat(cwd.resolve("allowed.txt")).exists();
  }
}
