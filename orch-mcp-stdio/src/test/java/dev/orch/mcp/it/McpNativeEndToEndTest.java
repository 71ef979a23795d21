package dev.orch.mcp.it;

import static dev.orch.mcp.it.McpRuns.object;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.backend.a2a.testing.JsA2aPeer;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC §12.9 through the real server process, with the MCP Java SDK client on the other end: progress notifications
 * during poll_events waits, resources and templates with subscriptions, logging notifications under
 * {@code logging/setLevel}, and opt-in elicitation with the client as the eliciting side (the real A2A JS peer asks
 * for input). Timing-driven parts use {@link ShellFakeCodex}.
 */
@DisplayName("MCP-native end to end: progress, resources and subscriptions, logging, elicitation over stdio")
class McpNativeEndToEndTest {
  private static final Duration T = Duration.ofSeconds(60);

  @TempDir
  Path tmp;
  private Path cwd;
  private Map<String, String> env;
  private ShellFakeCodex fake;
  private McpRuns mcp;

  @BeforeEach
  void setUp() throws Exception {
    cwd = ServerProcesses.mkdirs(tmp.resolve("work")).toRealPath();
    env = ServerProcesses.isolatedEnv(tmp);
    fake = ShellFakeCodex.create(tmp.resolve("fake"));
    fake.configure(env);
  }

  @AfterEach
  void tearDown() {
    if (mcp != null) {
      mcp.close();
    }
  }

  private ObjectNode spawnArgs(String prompt) {
    return object().put("backend", "codex").put("role", "worker").put("cwd", cwd.toString())
        .put("session_mode", "new").put("prompt", prompt);
  }

  static <T> T await(List<T> seen, Predicate<T> match, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (T t : seen) {
        if (match.test(t)) {
          return t;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("nothing matching within " + timeout + " in " + seen);
  }

  @Test
  @DisplayName("poll_events with a progressToken sends a heartbeat at least every 5 s while it waits (progress = "
      + "last_seq, message = summary) and one for the new events before it answers; without a token nothing is sent")
  void progressDuringPollEvents() throws Exception {
    List<McpSchema.ProgressNotification> progress = new CopyOnWriteArrayList<>();
    List<Long> arrivals = new CopyOnWriteArrayList<>();
    mcp = McpRuns.start(env, spec -> spec.progressConsumer(n -> {
      progress.add(n);
      arrivals.add(System.nanoTime());
    }));
    String run = mcp.spawn(spawnArgs("HOLD:p")).path("run_id").asText();
    // quiet from here on: the fake has announced its thread (the last event before it holds)
    mcp.awaitEvent(run, e -> e.path("data").path("thread_id").isTextual(), T);
    JsonNode now = mcp.getRun(run);
    long lastSeq = now.path("last_seq").asLong();

    Map<String, Object> args = McpRuns.JSON.convertValue(object().put("run_id", run).put("after_seq", lastSeq)
        .put("wait_ms", 20000), new TypeReference<Map<String, Object>>() {
        });
    CompletableFuture<McpSchema.CallToolResult> poll = CompletableFuture.supplyAsync(() -> mcp.client().callTool(
        McpSchema.CallToolRequest.builder("poll_events").arguments(args).progressToken("tok-1").build()));
    await(progress, n -> true, Duration.ofSeconds(10));
    await(progress, n -> true, Duration.ofSeconds(10));
    assertThat(progress).hasSizeGreaterThanOrEqualTo(1);
    McpSchema.ProgressNotification beat = progress.get(0);
    assertThat(beat.progressToken()).isEqualTo("tok-1");
    assertThat(beat.progress()).isEqualTo((double) lastSeq);
    assertThat(beat.message()).isEqualTo(now.path("summary").asText());
    long firstBeatAt = arrivals.get(0);
    await(progress, n -> progress.size() >= 2, Duration.ofSeconds(10));
    long beatGapMs = (arrivals.get(1) - firstBeatAt) / 1_000_000;
    assertThat(poll.isDone()).as("the poll is still waiting").isFalse();

    fake.release("p");
    McpSchema.CallToolResult result = poll.get(30, TimeUnit.SECONDS);
    JsonNode page = McpRuns.JSON.valueToTree(result.structuredContent());
    assertThat(page.path("events")).isNotEmpty();
    long newest = page.path("next_after_seq").asLong();
    McpSchema.ProgressNotification onEvent = await(progress, n -> n.progress() == newest, Duration.ofSeconds(10));
    assertThat(onEvent.message()).isNotBlank();
    assertThat(progress).allSatisfy(n -> assertThat(n.progressToken()).isEqualTo("tok-1"));
    System.err.println("[figure] progress heartbeat interval while poll_events waits: " + beatGapMs + " ms");

    int before = progress.size();
    String quick = mcp.spawn(spawnArgs("quick")).path("run_id").asText();
    mcp.awaitTerminal(quick, T);
    assertThat(progress).as("polls without a progress token get no notifications").hasSize(before);
  }

  @Test
  @DisplayName("resources: the four lists and two run templates read as JSON; a subscribed run sends "
      + "resources/updated on each status change; an unknown run is resource-not-found")
  void resourcesAndSubscriptions() throws Exception {
    env.put("ORCH_MAX_RUNNING", "1");
    List<JsonNode> updates = new CopyOnWriteArrayList<>();
    mcp = McpRuns.start(env, spec -> spec.resourcesUpdateConsumer(contents -> contents.forEach(c -> {
      try {
        JsonNode doc = McpRuns.JSON.readTree(((McpSchema.TextResourceContents) c).text());
        ((ObjectNode) doc).put("_uri", c.uri());
        updates.add(doc);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    })));
    var client = mcp.client();
    assertThat(client.getServerCapabilities().resources().subscribe()).isTrue();
    assertThat(client.listResources().resources()).extracting(McpSchema.Resource::uri)
        .containsExactlyInAnyOrder("orch://runs", "orch://backends", "orch://workflow-templates", "orch://profiles");
    assertThat(client.listResourceTemplates().resourceTemplates()).extracting(McpSchema.ResourceTemplate::uriTemplate)
        .containsExactlyInAnyOrder("orch://runs/{run_id}", "orch://runs/{run_id}/events");

    Files.writeString(cwd.resolve("reviewer.md"), "You review code.");
    String blocker = mcp.spawn(spawnArgs("HOLD:block").put("profile", "reviewer.md")).path("run_id").asText();
    mcp.awaitStatus(blocker, Set.of("running"), T);
    String run = mcp.spawn(spawnArgs("HOLD:r")).path("run_id").asText();
    String uri = "orch://runs/" + run;
    client.subscribeResource(McpSchema.SubscribeRequest.builder(uri).build());
    fake.release("block");
    await(updates, d -> d.path("_uri").asText().equals(uri) && d.path("status").asText().equals("running"), T);
    fake.release("r");
    await(updates, d -> d.path("_uri").asText().equals(uri) && d.path("status").asText().equals("completed"), T);
    mcp.awaitTerminal(run, T);
    assertThat(updates).filteredOn(d -> d.path("_uri").asText().equals(uri)).extracting(d -> d.path("status")
        .asText()).containsSubsequence("running", "completed");
    assertThat(updates).as("the unsubscribed blocker sends no updates")
        .noneMatch(d -> d.path("_uri").asText().equals("orch://runs/" + blocker));

    JsonNode summary = read(client, uri);
    assertThat(summary).isEqualTo(mcp.getRun(run));
    JsonNode events = read(client, uri + "/events");
    assertThat(events.path("run_id").asText()).isEqualTo(run);
    assertThat(events.path("status").asText()).isEqualTo("completed");
    assertThat(events.path("events")).hasSize(summary.path("last_seq").asInt());
    assertThat(events.path("events").get(0).path("type").asText()).isEqualTo("run_started");
    JsonNode runs = read(client, "orch://runs");
    assertThat(runs.path("total").asInt()).isEqualTo(2);
    assertThat(runs.path("runs").get(0).path("run_id").asText()).isEqualTo(run);
    assertThat(ControlAssertions.backend(read(client, "orch://backends"), "codex")
        .path("availability_state").asText()).isEqualTo("available");
    JsonNode profiles = read(client, "orch://profiles");
    assertThat(profiles.path("profiles")).singleElement().satisfies(p -> {
      assertThat(p.path("path").asText()).isEqualTo(cwd.resolve("reviewer.md").toString());
      assertThat(p.path("exists").asBoolean()).isTrue();
      assertThat(p.path("runs").asInt()).isOne();
    });
    Path workflows = Files.createDirectories(cwd.resolve(".nanobot-orchestrator/workflows"));
    Files.writeString(workflows.resolve("review.json"), "{\"description\": \"Review a change\", \"steps\": []}");
    Files.writeString(workflows.resolve("broken.json"), "{oops");
    JsonNode templates = read(client, "orch://workflow-templates");
    List<JsonNode> all = new java.util.ArrayList<>();
    templates.path("templates").forEach(all::add);
    assertThat(all).filteredOn(t -> t.path("source").asText().equals("builtin")).extracting(t -> t.path("name")
        .asText()).containsExactly("code_review", "feature_development", "bug_fix", "refactoring");
    List<JsonNode> mine = all.stream().filter(t -> !t.path("source").asText().equals("builtin")).toList();
    assertThat(mine).hasSize(2);
    assertThat(mine.get(0).path("name").asText()).isEqualTo("broken");
    assertThat(mine.get(0).path("error").asText()).startsWith("not valid JSON");
    assertThat(mine.get(1).path("name").asText()).isEqualTo("review");
    assertThat(mine.get(1).path("description").asText()).isEqualTo("Review a change");

    assertThatThrownBy(() -> client.readResource(McpSchema.ReadResourceRequest.builder("orch://runs/nope").build()))
        .isInstanceOfSatisfying(McpError.class, e -> {
          assertThat(e.getJsonRpcError().code()).isEqualTo(McpSchema.ErrorCodes.RESOURCE_NOT_FOUND);
          assertThat(e.getJsonRpcError().message()).isEqualTo("Unknown run_id: nope");
        });
  }

  static JsonNode read(io.modelcontextprotocol.client.McpSyncClient client, String uri) throws Exception {
    McpSchema.ReadResourceResult r = client.readResource(McpSchema.ReadResourceRequest.builder(uri).build());
    McpSchema.TextResourceContents c = (McpSchema.TextResourceContents) r.contents().get(0);
    assertThat(c.mimeType()).isEqualTo("application/json");
    assertThat(c.uri()).isEqualTo(uri);
    return McpRuns.JSON.readTree(c.text());
  }

  @Test
  @DisplayName("logging notifications follow logging/setLevel: at warning only the failed run is reported; at debug "
      + "every status change is")
  void loggingLevels() throws Exception {
    List<McpSchema.LoggingMessageNotification> logs = new CopyOnWriteArrayList<>();
    mcp = McpRuns.start(env, spec -> spec.loggingConsumer(logs::add));
    mcp.client().setLoggingLevel(McpSchema.LoggingLevel.WARNING);
    String ok = mcp.spawn(spawnArgs("quick")).path("run_id").asText();
    assertThat(mcp.awaitTerminal(ok, T)).isEqualTo("completed");
    String bad = mcp.spawn(spawnArgs("FAIL now")).path("run_id").asText();
    assertThat(mcp.awaitTerminal(bad, T)).isEqualTo("failed");
    McpSchema.LoggingMessageNotification failure = await(logs, l -> l.data().contains(bad), T);
    assertThat(failure.level()).isEqualTo(McpSchema.LoggingLevel.ERROR);
    assertThat(failure.logger()).isEqualTo("orch");
    assertThat(failure.data()).contains("is failed").contains("fake failure");
    assertThat(logs).as("nothing below warning").allSatisfy(l -> assertThat(l.level().level())
        .isGreaterThanOrEqualTo(McpSchema.LoggingLevel.WARNING.level()));
    assertThat(logs).noneMatch(l -> l.data().contains(ok));

    mcp.client().setLoggingLevel(McpSchema.LoggingLevel.DEBUG);
    String next = mcp.spawn(spawnArgs("quick again")).path("run_id").asText();
    mcp.awaitTerminal(next, T);
    await(logs, l -> l.data().contains(next) && l.level() == McpSchema.LoggingLevel.INFO, T);
    assertThat(logs).anyMatch(l -> l.data().contains(next) && l.level() == McpSchema.LoggingLevel.DEBUG
        && l.data().contains("is running"));
  }

  @Test
  @DisplayName("ORCH_ELICIT=1: an input_required run makes Orch ask the client (elicitation/create); the answer "
      + "continues the run; a decline leaves it waiting for continue_run; remote usage metadata reaches get_run")
  void elicitation() throws Exception {
    try (JsA2aPeer peer = JsA2aPeer.start()) {
      env.put("ORCH_ELICIT", "1");
      List<McpSchema.ElicitFormRequest> asked = new CopyOnWriteArrayList<>();
      List<String> answers = new ArrayList<>(List.of("accept:Ada", "decline"));
      List<McpSchema.LoggingMessageNotification> logs = new CopyOnWriteArrayList<>();
      mcp = McpRuns.start(env, spec -> spec
          .capabilities(McpSchema.ClientCapabilities.builder().elicitation().build())
          .loggingConsumer(logs::add)
          .elicitation(req -> {
            asked.add(req);
            String a = answers.isEmpty() ? "decline" : answers.remove(0);
            return a.startsWith("accept:")
                ? McpSchema.ElicitResult.builder(McpSchema.ElicitResult.Action.ACCEPT)
                    .content(Map.of("answer", a.substring("accept:".length()))).build()
                : McpSchema.ElicitResult.builder(McpSchema.ElicitResult.Action.DECLINE).build();
          }));
      ObjectNode args = object().put("backend", "remote_a2a").put("role", "worker").put("cwd", cwd.toString())
          .put("session_mode", "new").put("prompt", "[ask] who are you talking to?");
      args.putObject("backend_config").put("agent_url", peer.baseUrl());
      String answered = mcp.spawn(args).path("run_id").asText();
      assertThat(mcp.awaitTerminal(answered, T)).isEqualTo("completed");
      assertThat(asked).hasSize(1);
      assertThat(asked.get(0).message()).contains(answered).contains("What is your name?");
      assertThat(asked.get(0).requestedSchema().toString()).contains("answer");
      assertThat(mcp.ofType(answered, "run_completed").get(0).path("data").path("final_response").asText())
          .isEqualTo("Hello, Ada");
      assertThat(mcp.ofType(answered, "message_added")).anyMatch(e -> e.path("data").path("text").asText()
          .equals("Ada"));

      String declined = mcp.spawn(args.put("nickname", "second").put("prompt", "[ask] again")).path("run_id")
          .asText();
      await(logs, l -> l.data().contains(declined) && l.data().contains("keeps waiting"), T);
      assertThat(asked).hasSize(2);
      assertThat(mcp.getRun(declined).path("status").asText()).isEqualTo("input_required");
      mcp.call("continue_run", object().put("run_id", declined).set("input_message", McpRuns.userText("Bob")));
      assertThat(mcp.awaitTerminal(declined, T)).isEqualTo("completed");
      assertThat(mcp.ofType(declined, "run_completed").get(0).path("data").path("final_response").asText())
          .isEqualTo("Hello, Bob");

      ObjectNode usageArgs = args.deepCopy().put("nickname", "third").put("prompt", "count me [usage]");
      String metered = mcp.spawn(usageArgs).path("run_id").asText();
      assertThat(mcp.awaitTerminal(metered, T)).isEqualTo("completed");
      assertThat(mcp.getRun(metered).path("usage")).isEqualTo(ControlAssertions.read("{\"input_tokens\":1500,"
          + "\"cached_input_tokens\":500,\"output_tokens\":250,\"reasoning_output_tokens\":50,\"total_tokens\":1750,"
          + "\"cost_usd\":0.0123,\"cost_source\":\"reported\",\"model\":\"remote-model-1\"}"));
    }
  }
}
