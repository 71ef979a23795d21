package dev.orch.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.a2a.spec.A2AClientException;
import io.a2a.spec.AgentCard;
import io.a2a.spec.Artifact;
import io.a2a.spec.EventKind;
import io.a2a.spec.StreamingEventKind;
import io.a2a.spec.Task;
import io.a2a.spec.TaskArtifactUpdateEvent;
import io.a2a.spec.TaskState;
import io.a2a.spec.TaskStatusUpdateEvent;
import io.a2a.spec.TextPart;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The scripted test agent, driven by the A2A Java SDK client")
class TestAgentServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path dir;

  private static TestAgentServer server;
  private static A2aTestClient client;

  @BeforeAll
  static void start() throws Exception {
    server = TestAgentServer.builder(Flavour.SCRIPTED).defaultCwd(Files.createDirectories(dir.resolve("default")))
        .build().start();
    client = new A2aTestClient(server.baseUrl());
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private static String cwd() {
    return dir.toAbsolutePath().toString();
  }

  @Test
  @DisplayName("serves a 0.3.0 JSON-RPC card with streaming and one skill")
  void card() {
    AgentCard card = client.card();
    assertThat(card.name()).isEqualTo("Scripted Test Agent");
    assertThat(card.protocolVersion()).isEqualTo("0.3.0");
    assertThat(card.preferredTransport()).isEqualTo("JSONRPC");
    assertThat(card.url()).isEqualTo(server.jsonRpcUrl());
    assertThat(card.capabilities().streaming()).isTrue();
    assertThat(card.skills()).hasSize(1);
    assertThat(server.cardUrl()).isEqualTo(server.baseUrl() + "/.well-known/agent-card.json");
  }

  @Test
  @DisplayName("echoes a message: a blocking send returns the completed task with the final-response artifact")
  void echo() throws Exception {
    Task task = client.sendBlocking(A2aTestClient.message("hello there", cwd(), null, null));
    assertThat(task.getStatus().state()).isEqualTo(TaskState.COMPLETED);
    assertThat(finalText(task)).isEqualTo("Echo: hello there");
    assertThat(client.getTask(task.getId()).getStatus().state()).isEqualTo(TaskState.COMPLETED);
  }

  @Test
  @DisplayName("streams the task, working, the final-response artifact, then completed")
  void stream() throws Exception {
    List<StreamingEventKind> events = A2aTestClient.events();
    client.stream(A2aTestClient.message("streamed", cwd(), null, null), events);
    awaitEvent(events, e -> e instanceof TaskStatusUpdateEvent s && s.isFinal());
    assertThat(events.get(0)).isInstanceOf(Task.class);
    assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(TaskStatusUpdateEvent.class,
        s -> assertThat(s.getStatus().state()).isEqualTo(TaskState.WORKING)));
    assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(TaskArtifactUpdateEvent.class,
        a -> assertThat(a.getArtifact().name()).isEqualTo("final-response")));
    TaskStatusUpdateEvent last = (TaskStatusUpdateEvent) events.get(events.size() - 1);
    assertThat(last.getStatus().state()).isEqualTo(TaskState.COMPLETED);
  }

  @Test
  @DisplayName("asks for input, and the follow-up message in the same task completes it")
  void askForInput() throws Exception {
    Task asked = client.sendBlocking(A2aTestClient.message("[ask] who?", cwd(), null, null));
    assertThat(asked.getStatus().state()).isEqualTo(TaskState.INPUT_REQUIRED);
    assertThat(((TextPart) asked.getStatus().message().getParts().get(0)).getText()).isEqualTo("What is your name?");
    Task done = client.sendBlocking(A2aTestClient.message("Ada", null, asked.getContextId(), asked.getId()));
    assertThat(done.getId()).isEqualTo(asked.getId());
    assertThat(done.getStatus().state()).isEqualTo(TaskState.COMPLETED);
    assertThat(finalText(done)).isEqualTo("Echo: Ada");
  }

  @Test
  @DisplayName("fails on request with the script's message")
  void fail() throws Exception {
    Task task = client.sendBlocking(A2aTestClient.message("please [fail]", cwd(), null, null));
    assertThat(task.getStatus().state()).isEqualTo(TaskState.FAILED);
    assertThat(((TextPart) task.getStatus().message().getParts().get(0)).getText())
        .isEqualTo("Scripted failure on request");
  }

  @Test
  @DisplayName("a slow task is cancelled by tasks/cancel, and its stream ends with canceled")
  void cancelSlow() throws Exception {
    List<StreamingEventKind> events = A2aTestClient.events();
    client.stream(A2aTestClient.message("[slow] take your time", cwd(), null, null), events);
    awaitEvent(events, e -> e instanceof TaskStatusUpdateEvent s && s.getStatus().state() == TaskState.WORKING);
    String taskId = ((Task) events.get(0)).getId();
    long start = System.nanoTime();
    Task cancelled = client.cancel(taskId);
    assertThat(cancelled.getStatus().state()).isEqualTo(TaskState.CANCELED);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    awaitEvent(events, e -> e instanceof TaskStatusUpdateEvent s && s.getStatus().state() == TaskState.CANCELED);
    assertThat(client.getTask(taskId).getStatus().state()).isEqualTo(TaskState.CANCELED);
    assertThatThrownBy(() -> client.cancel(taskId)).isInstanceOf(A2AClientException.class);
  }

  @Test
  @DisplayName("pins a context to the cwd of its first message and refuses a relative or different cwd")
  void contextPinnedToCwd() throws Exception {
    String contextId = "ctx-" + UUID.randomUUID();
    assertThatThrownBy(() -> client.send(A2aTestClient.message("relative", "some/dir", contextId, null), true))
        .isInstanceOf(A2AClientException.class).hasMessageContaining("must be an absolute path: some/dir");

    Task first = client.sendBlocking(A2aTestClient.message("first", cwd(), contextId, null));
    assertThat(first.getContextId()).isEqualTo(contextId);
    assertThat(first.getStatus().state()).isEqualTo(TaskState.COMPLETED);

    Path other = Files.createDirectories(dir.resolve("other"));
    assertThatThrownBy(() -> client.send(A2aTestClient.message("moved", other.toString(), contextId, null), true))
        .isInstanceOf(A2AClientException.class).hasMessageContaining("is pinned to cwd " + cwd());

    Task sameCwd = client.sendBlocking(A2aTestClient.message("again", cwd(), contextId, null));
    assertThat(sameCwd.getStatus().state()).isEqualTo(TaskState.COMPLETED);
    Task noCwd = client.sendBlocking(A2aTestClient.message("pinned", null, contextId, null));
    assertThat(noCwd.getStatus().state()).isEqualTo(TaskState.COMPLETED);
    assertThat(finalText(noCwd)).isEqualTo("Echo: pinned");
  }

  @Test
  @DisplayName("a context whose first message names no cwd works in the default directory and stays pinned to it")
  void contextWithoutCwdPinnedToDefault() throws Exception {
    String contextId = "ctx-" + UUID.randomUUID();
    Task first = client.sendBlocking(A2aTestClient.message("plain", null, contextId, null));
    assertThat(first.getStatus().state()).isEqualTo(TaskState.COMPLETED);
    assertThat(finalText(first)).isEqualTo("Echo: plain");

    assertThatThrownBy(() -> client.send(A2aTestClient.message("moved", cwd(), contextId, null), true))
        .isInstanceOf(A2AClientException.class)
        .hasMessageContaining("is pinned to cwd " + server.defaultCwd() + "; refusing cwd " + cwd());
    Task explicitDefault = client.sendBlocking(A2aTestClient.message("same", server.defaultCwd().toString(),
        contextId, null));
    assertThat(explicitDefault.getStatus().state()).isEqualTo(TaskState.COMPLETED);
  }

  @Test
  @DisplayName("answers malformed JSON with JSON-RPC error -32700 (also on POST /) and an unknown method with -32601")
  void malformedJson() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    JsonNode parse = post(http, server.jsonRpcUrl(), "{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": ");
    assertThat(parse.path("error").path("code").asInt()).isEqualTo(-32700);
    JsonNode atRoot = post(http, server.baseUrl() + "/", "not json at all");
    assertThat(atRoot.path("error").path("code").asInt()).isEqualTo(-32700);
    JsonNode unknown = post(http, server.jsonRpcUrl(), "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tasks/explode\",\"params\":{}}");
    assertThat(unknown.path("error").path("code").asInt()).isEqualTo(-32601);
    assertThat(unknown.path("id").asInt()).isEqualTo(7);
  }

  @Test
  @DisplayName("a non-blocking send returns at once and the task completes in the background")
  void nonBlocking() throws Exception {
    EventKind kind = client.send(A2aTestClient.message("quick", cwd(), null, null), false);
    assertThat(kind).isInstanceOf(Task.class);
    String id = ((Task) kind).getId();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (client.getTask(id).getStatus().state() != TaskState.COMPLETED && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(finalText(client.getTask(id))).isEqualTo("Echo: quick");
  }

  private static JsonNode post(HttpClient http, String url, String body) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  static String finalText(Task task) {
    Artifact a = task.getArtifacts().stream().filter(x -> "final-response".equals(x.name())).findFirst()
        .orElseThrow(() -> new AssertionError("no final-response artifact in " + task.getArtifacts()));
    return ((TextPart) a.parts().get(0)).getText();
  }

  static void awaitEvent(List<StreamingEventKind> events, Predicate<StreamingEventKind> p) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (events.stream().noneMatch(p)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no matching event within 30 s; got " + events);
      }
      Thread.sleep(20);
    }
  }
}
