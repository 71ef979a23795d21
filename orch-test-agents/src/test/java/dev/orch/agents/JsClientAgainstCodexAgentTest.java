package dev.orch.agents;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.backend.codex.testing.CodexTestSetup;
import dev.orch.backend.codex.testing.MockResponsesApi;
import io.a2a.spec.Task;
import io.a2a.spec.TaskState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("An @a2a-js/sdk client against the codex test agent (real codex CLI on the mock Responses API)")
class JsClientAgainstCodexAgentTest {
  @TempDir
  static Path tmp;

  private static MockResponsesApi api;
  private static TestAgentServer agent;

  @BeforeAll
  static void start() throws Exception {
    api = MockResponsesApi.start();
    agent = TestAgentServer.builder(Flavour.CODEX).environment(codexEnvironment(api, tmp))
        .defaultCwd(Files.createDirectories(tmp.resolve("agent-default-cwd"))).build().start();
  }

  @AfterAll
  static void stop() {
    if (agent != null) {
      agent.close();
    }
    if (api != null) {
      api.close();
    }
    assertThat(CodexTestSetup.awaitNoCodexProcesses(Duration.ofSeconds(10))).as("codex processes left").isEmpty();
  }

  /**
   * The server-wide codex settings of {@link CodexTestSetup#backendConfig} as {@code ORCH_CODEX_*} variables, plus a
   * private {@code NANOBOT_ORCHESTRATOR_HOME} and a short cancel grace.
   */
  static Map<String, String> codexEnvironment(MockResponsesApi api, Path tmp) throws Exception {
    ObjectNode cfg = CodexTestSetup.backendConfig(api, Files.createDirectories(tmp.resolve("codex-home")));
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("ORCH_CODEX_EXECUTABLE", cfg.get("executable").asText());
    env.put("ORCH_CODEX_CONFIG", cfg.get("config").toString());
    env.put("ORCH_CODEX_EXTRA_ARGS", cfg.get("extra_args").toString());
    env.put("ORCH_CODEX_ENV", cfg.get("env").toString());
    env.put("ORCH_CODEX_CANCEL_GRACE_MS", "500");
    env.put("NANOBOT_ORCHESTRATOR_HOME", Files.createDirectories(tmp.resolve("orch-home")).toString());
    return env;
  }

  private static Path newCwd() throws Exception {
    return Files.createDirectories(tmp.resolve("cwd-" + UUID.randomUUID()));
  }

  @Test
  @DisplayName("message/send (blocking) completes with the final-response artifact, and tasks/get agrees")
  void send() throws Exception {
    JsonNode out = JsA2aClient.run(agent.baseUrl(), newCwd(), "send", "Say hello", tmp);
    assertThat(out.at("/card/name").asText()).isEqualTo("Codex Test Agent");
    assertThat(out.at("/result/state").asText()).isEqualTo("TASK_STATE_COMPLETED");
    assertThat(artifactText(out.get("result"))).isEqualTo(MockResponsesApi.PLAIN_ANSWER);
    assertThat(out.at("/task/state").asText()).isEqualTo("TASK_STATE_COMPLETED");
    assertThat(out.at("/task/id").asText()).isEqualTo(out.at("/result/id").asText());
  }

  @Test
  @DisplayName("message/stream gives the task, working updates with the agent's text, the artifact, then completed")
  void stream() throws Exception {
    Path cwd = newCwd();
    JsonNode out = JsA2aClient.run(agent.baseUrl(), cwd, "stream", "Please " + MockResponsesApi.SHELL, tmp);
    List<String> kinds = new ArrayList<>();
    out.get("events").forEach(e -> kinds.add(e.path("kind").asText() + ":" + e.path("state").asText()));
    assertThat(kinds.get(0)).isEqualTo("task:TASK_STATE_SUBMITTED");
    assertThat(kinds).contains("status:TASK_STATE_WORKING", "artifact:");
    assertThat(kinds.get(kinds.size() - 1)).isEqualTo("status:TASK_STATE_COMPLETED");
    assertThat(out.get("events")).anySatisfy(e -> assertThat(e.path("text").asText())
        .isEqualTo(MockResponsesApi.SHELL_DONE));
    assertThat(out.at("/task/state").asText()).isEqualTo("TASK_STATE_COMPLETED");
    assertThat(artifactText(out.get("task"))).isEqualTo(MockResponsesApi.SHELL_DONE);
    assertThat(cwd.resolve("out.txt")).as("created by codex's shell tool in the pinned cwd").hasContent("hi");
  }

  @Test
  @DisplayName("a plain message without metadata runs codex in the agent's default directory (--cwd)")
  void plainMessageWorksInDefaultCwd() throws Exception {
    JsonNode out = JsA2aClient.run(agent.baseUrl(), null, "stream", "Please " + MockResponsesApi.SHELL, tmp);
    assertThat(out.at("/task/state").asText()).as("in %s", out).isEqualTo("TASK_STATE_COMPLETED");
    assertThat(artifactText(out.get("task"))).isEqualTo(MockResponsesApi.SHELL_DONE);
    assertThat(agent.defaultCwd().resolve("out.txt")).as("created by codex's shell tool in the default cwd")
        .hasContent("hi");
  }

  @Test
  @DisplayName("tasks/cancel of a slow task answers canceled and leaves no codex process")
  void cancel() throws Exception {
    JsonNode out = JsA2aClient.run(agent.baseUrl(), newCwd(), "cancel", "Be " + MockResponsesApi.SLOW, tmp);
    assertThat(out.at("/cancel/state").asText()).as("cancel answer in %s", out).isEqualTo("TASK_STATE_CANCELED");
    assertThat(out.at("/task/state").asText()).isEqualTo("TASK_STATE_CANCELED");
    JsonNode events = out.get("events");
    assertThat(events.get(events.size() - 1).path("state").asText()).isEqualTo("TASK_STATE_CANCELED");
    // a cancel that lands while the run is still starting stops codex from the start thread (SIGINT, grace, kill)
    assertThat(CodexTestSetup.awaitNoCodexProcesses(Duration.ofSeconds(20))).as("codex processes left").isEmpty();
  }

  @Test
  @DisplayName("a later message in the same context resumes the codex thread (A2A Java SDK client)")
  void resumeWithinContext() throws Exception {
    Path cwd = newCwd();
    String contextId = "ctx-" + UUID.randomUUID();
    api.script("REMEMBER_ME", "noted");
    try (A2aTestClient client = new A2aTestClient(agent.baseUrl())) {
      Task first = client.sendBlocking(A2aTestClient.message("REMEMBER_ME banana", cwd.toString(), contextId, null));
      assertThat(first.getStatus().state()).isEqualTo(TaskState.COMPLETED);
      assertThat(TestAgentServerTest.finalText(first)).isEqualTo("noted");
      int before = api.requests().size();
      Task second = client.sendBlocking(A2aTestClient.message("What did I say?", null, contextId, null));
      assertThat(second.getStatus().state()).isEqualTo(TaskState.COMPLETED);
      assertThat(second.getId()).isNotEqualTo(first.getId());
      JsonNode request = api.requests().get(api.requests().size() - 1);
      assertThat(api.requests().size()).isGreaterThan(before);
      assertThat(MockResponsesApi.userTexts(request)).as("the resumed thread carries the first message")
          .anySatisfy(t -> assertThat(t).contains("REMEMBER_ME banana"))
          .anySatisfy(t -> assertThat(t).contains("What did I say?"));
    }
  }

  private static String artifactText(JsonNode task) {
    for (JsonNode a : task.get("artifacts")) {
      if ("final-response".equals(a.path("name").asText())) {
        return a.path("texts").path(0).asText();
      }
    }
    throw new AssertionError("no final-response artifact in " + task);
  }
}
