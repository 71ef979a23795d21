package dev.orch.agents;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orch.agents.internal.AgentCards;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC §9: a generic A2A client, one that knows nothing of Orch's {@code metadata.nanobot_orchestrator}, can use a
 * test agent. The client is {@code @a2a-js/sdk@1.3.0}'s (its v0.3 layer) sending plain messages with no metadata; the
 * error codes are checked with raw JSON-RPC POSTs, since the JS client refuses push-notification calls locally when
 * the card says {@code pushNotifications: false}.
 */
@DisplayName("Any A2A client uses the scripted test agent with plain messages (no Orch metadata)")
class AnyA2aClientTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path tmp;

  private static TestAgentServer agent;

  @BeforeAll
  static void start() throws Exception {
    agent = TestAgentServer.builder(Flavour.SCRIPTED).defaultCwd(Files.createDirectories(tmp.resolve("agent-cwd")))
        .build().start();
  }

  @AfterAll
  static void stop() {
    if (agent != null) {
      agent.close();
    }
  }

  @Test
  @DisplayName("message/send without metadata completes with the final-response artifact, and tasks/get agrees")
  void send() throws Exception {
    JsonNode out = JsA2aClient.run(agent.baseUrl(), null, "send", "hello from anywhere", tmp);
    assertThat(out.at("/result/state").asText()).as("in %s", out).isEqualTo("TASK_STATE_COMPLETED");
    assertThat(artifactText(out.get("result"))).isEqualTo("Echo: hello from anywhere");
    assertThat(out.at("/task/id").asText()).isEqualTo(out.at("/result/id").asText());
    assertThat(out.at("/task/state").asText()).isEqualTo("TASK_STATE_COMPLETED");
    assertThat(artifactText(out.get("task"))).isEqualTo("Echo: hello from anywhere");
  }

  @Test
  @DisplayName("message/stream without metadata gives the task, working, the artifact, then completed")
  void stream() throws Exception {
    JsonNode out = JsA2aClient.run(agent.baseUrl(), null, "stream", "streamed plainly", tmp);
    List<String> kinds = new ArrayList<>();
    out.get("events").forEach(e -> kinds.add(e.path("kind").asText() + ":" + e.path("state").asText()));
    assertThat(kinds.get(0)).isEqualTo("task:TASK_STATE_SUBMITTED");
    assertThat(kinds).contains("status:TASK_STATE_WORKING", "artifact:");
    assertThat(kinds.get(kinds.size() - 1)).isEqualTo("status:TASK_STATE_COMPLETED");
    assertThat(out.get("events")).anySatisfy(e -> assertThat(e.path("texts").path(0).asText())
        .isEqualTo("Echo: streamed plainly"));
    assertThat(out.at("/task/state").asText()).isEqualTo("TASK_STATE_COMPLETED");
  }

  @Test
  @DisplayName("tasks/cancel of a task that is still working answers canceled; the stream and tasks/get agree")
  void cancelOpenTask() throws Exception {
    // the built-in script's [slow] step works for 60 s: the task is open when the client cancels it
    JsonNode out = JsA2aClient.run(agent.baseUrl(), null, "cancel", "[slow] take your time", tmp);
    assertThat(out.at("/cancel/state").asText()).as("cancel answer in %s", out).isEqualTo("TASK_STATE_CANCELED");
    JsonNode events = out.get("events");
    assertThat(events.get(events.size() - 1).path("state").asText()).isEqualTo("TASK_STATE_CANCELED");
    assertThat(events).noneSatisfy(e -> assertThat(e.path("state").asText()).isEqualTo("TASK_STATE_COMPLETED"));
    assertThat(out.at("/task/state").asText()).isEqualTo("TASK_STATE_CANCELED");
  }

  @Test
  @DisplayName("the card declares metadata.nanobot_orchestrator.cwd as an optional extension")
  void cardDeclaresOptionalCwdExtension() throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(agent.cardUrl()))
        .GET().build(), HttpResponse.BodyHandlers.ofString());
    JsonNode ext = JSON.readTree(r.body()).at("/capabilities/extensions/0");
    assertThat(ext.path("uri").asText()).isEqualTo(AgentCards.CWD_EXTENSION_URI);
    assertThat(ext.path("required").isBoolean()).as("required is stated: %s", ext).isTrue();
    assertThat(ext.path("required").asBoolean()).isFalse();
    assertThat(ext.path("description").asText()).contains("nanobot_orchestrator.cwd");
    assertThat(ext.at("/params/metadata_key").asText()).isEqualTo("nanobot_orchestrator");
    assertThat(ext.at("/params/field").asText()).isEqualTo("cwd");

    JsonNode seenByJs = JsA2aClient.run(agent.baseUrl(), null, "send", "card check", tmp).at("/card/extensions");
    assertThat(seenByJs).hasSize(1);
    assertThat(seenByJs.at("/0/uri").asText()).isEqualTo(AgentCards.CWD_EXTENSION_URI);
    assertThat(seenByJs.at("/0/required").asBoolean()).isFalse();
  }

  @Test
  @DisplayName("the four push-notification methods answer -32003 (PushNotificationNotSupportedError)")
  void pushNotificationsNotSupported() throws Exception {
    String config = "{\"taskId\":\"t-1\",\"pushNotificationConfig\":{\"url\":\"http://127.0.0.1:9/hook\"}}";
    String[][] calls = {
        {"tasks/pushNotificationConfig/set", config},
        {"tasks/pushNotificationConfig/get", "{\"id\":\"t-1\"}"},
        {"tasks/pushNotificationConfig/list", "{\"id\":\"t-1\"}"},
        {"tasks/pushNotificationConfig/delete", "{\"id\":\"t-1\",\"pushNotificationConfigId\":\"c-1\"}"},
    };
    int id = 100;
    for (String[] call : calls) {
      JsonNode answer = rpc(++id, call[0], call[1]);
      assertThat(answer.at("/error/code").asInt()).as("%s -> %s", call[0], answer).isEqualTo(-32003);
      assertThat(answer.at("/error/message").asText()).containsIgnoringCase("push notification");
      assertThat(answer.path("id").asInt()).isEqualTo(id);
      assertThat(answer.has("result")).isFalse();
    }
  }

  @Test
  @DisplayName("agent/getAuthenticatedExtendedCard answers -32007 (AuthenticatedExtendedCardNotConfiguredError)")
  void noAuthenticatedExtendedCard() throws Exception {
    JsonNode answer = rpc(7, "agent/getAuthenticatedExtendedCard", null);
    assertThat(answer.at("/error/code").asInt()).as("%s", answer).isEqualTo(-32007);
    assertThat(answer.at("/error/message").asText()).containsIgnoringCase("extended card");
    assertThat(answer.path("id").asInt()).isEqualTo(7);
  }

  private static JsonNode rpc(int id, String method, String params) throws Exception {
    String body = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\""
        + (params == null ? "" : ",\"params\":" + params) + "}";
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(agent.jsonRpcUrl()))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return JSON.readTree(r.body());
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
