package dev.orch.mcp.it;

import static dev.orch.mcp.it.McpRuns.object;
import static dev.orch.mcp.it.McpRuns.userText;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.backend.a2a.testing.JsA2aPeer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole stack against an independent A2A agent: the MCP SDK client talks over stdio to a real server process
 * ({@code target/orch-mcp.jar}), whose {@code remote_a2a} backend talks to {@link JsA2aPeer} (npm
 * {@code @a2a-js/sdk@1.3.0} + express, legacy compatibility on, run by the real node). Each test has its own
 * server, peer, cwd and NANOBOT_ORCHESTRATOR_HOME, and ends with neither left running.
 */
@DisplayName("remote_a2a end to end: MCP client → server process over stdio → @a2a-js/sdk agent")
class A2aEndToEndIT {
  private static final Duration T = Duration.ofSeconds(20);
  private static final String TOKEN = "tok-E2E-SECRET-7f3a";
  private static final String API_KEY = "key-E2E-SECRET-91bc";

  @TempDir
  Path tmp;
  private Path cwd;
  private Path home;
  private JsA2aPeer peer;
  private McpRuns mcp;

  @BeforeEach
  void start() throws Exception {
    cwd = Files.createDirectories(tmp.resolve("work")).toRealPath();
    CompletableFuture<JsA2aPeer> starting = CompletableFuture.supplyAsync(JsA2aPeer::start);
    Map<String, String> env = ServerProcesses.isolatedEnv(tmp);
    home = Path.of(env.get("NANOBOT_ORCHESTRATOR_HOME"));
    try {
      mcp = McpRuns.start(env);
    } finally {
      peer = starting.get(30, TimeUnit.SECONDS);
    }
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (mcp != null) {
        mcp.close();
      }
    } finally {
      if (peer != null) {
        ProcessHandle node = peer.process();
        peer.close();
        assertThat(node.isAlive()).as("the agent's node process is gone").isFalse();
      }
    }
  }

  private ObjectNode spawnArgs(String prompt, String agentUrl) {
    ObjectNode args = object().put("backend", "remote_a2a").put("role", "worker").put("cwd", cwd.toString())
        .put("session_mode", "new").put("prompt", prompt);
    args.putObject("backend_config").put("agent_url", agentUrl);
    return args;
  }

  private String spawn(String prompt) {
    return mcp.spawn(spawnArgs(prompt, peer.baseUrl())).path("run_id").asText();
  }

  private static String data(JsonNode event, String field) {
    return event.path("data").path(field).asText();
  }

  /** @return the peer's log entries whose message text contains the marker */
  private List<JsonNode> sentWith(String marker) {
    List<JsonNode> out = new ArrayList<>();
    peer.log().forEach(n -> {
      if (n.path("text").toString().contains(marker)) {
        out.add(n);
      }
    });
    return out;
  }

  @Test
  @DisplayName("a streamed answer completes with an artifact_added event and the artifact in run_completed")
  void streamingAnswerWithArtifact() {
    String runId = spawn("hello [e2e-stream]");
    assertThat(mcp.awaitTerminal(runId, T)).isEqualTo("completed");
    assertThat(mcp.types(runId)).startsWith("run_started", "status_changed")
        .contains("artifact_added", "agent_message").endsWith("run_completed");
    assertThat(mcp.terminalCount(runId)).isOne();
    JsonNode started = mcp.ofType(runId, "run_started").get(0);
    assertThat(data(started, "agent_name")).isEqualTo("JS Test Peer");
    assertThat(data(started, "agent_url")).isEqualTo(peer.baseUrl());
    JsonNode artifact = mcp.ofType(runId, "artifact_added").get(0);
    assertThat(data(artifact, "artifact_id")).isEqualTo("answer-1");
    assertThat(data(artifact, "text")).isEqualTo("Echo: hello [e2e-stream]");
    JsonNode done = mcp.ofType(runId, "run_completed").get(0);
    assertThat(data(done, "final_response")).isEqualTo("Echo: hello [e2e-stream]");
    assertThat(done.path("data").path("artifacts").get(0).path("name").asText()).isEqualTo("answer");
    assertThat(sentWith("[e2e-stream]")).singleElement()
        .satisfies(n -> assertThat(n.path("method").asText()).isEqualTo("message/stream"));
    JsonNode run = mcp.getRun(runId);
    assertThat(run.path("status").asText()).isEqualTo("completed");
    assertThat(run.path("remote_ref").path("context_id").asText()).isNotBlank();
    assertThat(run.path("remote_ref").path("agent_url").asText()).isEqualTo(peer.baseUrl());
  }

  @Test
  @DisplayName("input-required waits; continue_run delivers the answer live and the same task completes")
  void inputRequiredThenContinue() {
    String runId = spawn("[ask] who am I");
    assertThat(mcp.awaitStatus(runId, Set.of("input_required"), T)).isEqualTo("input_required");
    JsonNode asked = mcp.awaitEvent(runId, "input_required", T);
    assertThat(data(asked, "text")).isEqualTo("What is your name?");
    String taskId = data(asked, "task_id");
    assertThat(taskId).isNotBlank();

    JsonNode cont = mcp.call("continue_run", object().put("run_id", runId).set("input_message", userText("Ada")));
    assertThat(cont.path("mode").asText()).isEqualTo("live");
    assertThat(cont.path("run_id").asText()).isEqualTo(runId);
    assertThat(mcp.awaitTerminal(runId, T)).isEqualTo("completed");
    JsonNode done = mcp.ofType(runId, "run_completed").get(0);
    assertThat(data(done, "final_response")).isEqualTo("Hello, Ada");
    assertThat(data(done, "task_id")).isEqualTo(taskId);
    assertThat(mcp.ofType(runId, "input_required")).hasSize(1);
    assertThat(mcp.terminalCount(runId)).isOne();
    JsonNode reply = sentWith("Ada").get(0);
    assertThat(reply.path("task_id").asText()).as("the answer goes to the waiting task").isEqualTo(taskId);
    assertThat(reply.path("context_id").asText()).isEqualTo(data(asked, "context_id"));
  }

  @Test
  @DisplayName("auth-required waits as auth_required and continue_run completes the task")
  void authRequired() {
    String runId = spawn("[auth] secret stuff");
    assertThat(mcp.awaitStatus(runId, Set.of("auth_required"), T)).isEqualTo("auth_required");
    JsonNode asked = mcp.awaitEvent(runId, "auth_required", T);
    assertThat(data(asked, "text")).isEqualTo("Please sign in at https://auth.example");
    assertThat(mcp.getRun(runId).path("status").asText()).isEqualTo("auth_required");
    JsonNode cont = mcp.call("continue_run", object().put("run_id", runId)
        .set("input_message", userText("signed in")));
    assertThat(cont.path("mode").asText()).isEqualTo("live");
    assertThat(mcp.awaitTerminal(runId, T)).isEqualTo("completed");
    assertThat(data(mcp.ofType(runId, "run_completed").get(0), "final_response")).isEqualTo("Hello, signed in");
  }

  @Test
  @DisplayName("a rejected task ends the run rejected with the agent's reason, and it cannot be continued")
  void rejected() {
    String runId = spawn("[reject] do evil");
    assertThat(mcp.awaitTerminal(runId, T)).isEqualTo("rejected");
    assertThat(data(mcp.ofType(runId, "rejected").get(0), "message")).isEqualTo("I will not do that");
    assertThat(mcp.terminalCount(runId) + mcp.ofType(runId, "rejected").size()).isEqualTo(1);
    assertThat(mcp.callError("continue_run", object().put("run_id", runId).set("input_message", userText("pls"))))
        .contains("run is already terminal: rejected");
  }

  @Test
  @DisplayName("a remote failed state fails the run with the remote message")
  void remoteFailed() {
    String runId = spawn("[fail] try");
    assertThat(mcp.awaitTerminal(runId, T)).isEqualTo("failed");
    assertThat(mcp.terminalCount(runId)).isOne();
    assertThat(data(mcp.ofType(runId, "run_failed").get(0), "message")).isEqualTo("remote exploded");
    assertThat(mcp.getRun(runId).path("summary").asText()).contains("remote exploded");
  }

  @Test
  @DisplayName("cancel_run mid-task and while input is awaited: cancelled, the agent sees tasks/cancel, one terminal")
  void cancelMidTask() throws Exception {
    String runId = spawn("[slow] take your time");
    JsonNode working = mcp.awaitEvent(runId, e -> e.path("type").asText().equals("status_changed")
        && e.path("data").hasNonNull("task_id") && data(e, "status").equals("running"), T);
    String taskId = data(working, "task_id");
    assertThat(mcp.callError("continue_run", object().put("run_id", runId).set("input_message", userText("hurry"))))
        .contains("run is not awaiting additional input: running");
    JsonNode cancelled = mcp.call("cancel_run", object().put("run_id", runId));
    assertThat(cancelled.path("status").asText()).isEqualTo("cancelled");
    assertThat(cancelled.path("cancelled_at").asText()).isNotBlank();
    assertThat(peer.requests("tasks/cancel")).anySatisfy(n -> assertThat(n.path("task_id").asText())
        .isEqualTo(taskId));
    assertThat(mcp.awaitTerminal(runId, T)).isEqualTo("cancelled");
    Thread.sleep(500);
    mcp.awaitTerminal(runId, T);
    assertThat(mcp.terminalCount(runId)).isOne();
    assertThat(mcp.getRun(runId).path("status").asText()).isEqualTo("cancelled");

    String waiting = spawn("[ask] [e2e-cw] who am I");
    mcp.awaitStatus(waiting, Set.of("input_required"), T);
    String waitingTask = data(mcp.awaitEvent(waiting, "input_required", T), "task_id");
    assertThat(mcp.call("cancel_run", object().put("run_id", waiting)).path("status").asText())
        .as("cancel while the task waits for input").isEqualTo("cancelled");
    assertThat(mcp.awaitTerminal(waiting, T)).isEqualTo("cancelled");
    assertThat(peer.requests("tasks/cancel")).anySatisfy(n -> assertThat(n.path("task_id").asText())
        .isEqualTo(waitingTask));
    Thread.sleep(300);
    mcp.awaitTerminal(waiting, T);
    assertThat(mcp.terminalCount(waiting)).isOne();
  }

  @Test
  @DisplayName("continue_run and spawn_run resume of a completed run send and keep the same contextId")
  void resumeKeepsContext() {
    JsonNode first = mcp.spawn(spawnArgs("first turn [e2e-r0]", peer.baseUrl()));
    String firstRun = first.path("run_id").asText();
    assertThat(mcp.awaitTerminal(firstRun, T)).isEqualTo("completed");
    String contextId = mcp.getRun(firstRun).path("remote_ref").path("context_id").asText();
    assertThat(contextId).isNotBlank();

    JsonNode cont = mcp.call("continue_run", object().put("run_id", firstRun)
        .set("input_message", userText("second turn [e2e-r1]")));
    assertThat(cont.path("mode").asText()).isEqualTo("resume");
    assertThat(cont.path("resumed_from_run_id").asText()).isEqualTo(firstRun);
    String secondRun = cont.path("run_id").asText();
    assertThat(mcp.awaitTerminal(secondRun, T)).isEqualTo("completed");

    ObjectNode resume = object().put("backend", "remote_a2a").put("role", "worker").put("cwd", cwd.toString())
        .put("session_mode", "resume").put("session_id", first.path("session_id").asText())
        .put("prompt", "third turn [e2e-r2]");
    resume.putObject("backend_config").put("agent_url", peer.baseUrl());
    String thirdRun = mcp.spawn(resume).path("run_id").asText();
    assertThat(mcp.awaitTerminal(thirdRun, T)).isEqualTo("completed");

    assertThat(sentWith("[e2e-r0]").get(0).path("context_id").isNull()).as("a new conversation").isTrue();
    for (String marker : List.of("[e2e-r1]", "[e2e-r2]")) {
      assertThat(sentWith(marker)).as("messages with %s", marker).singleElement()
          .satisfies(n -> assertThat(n.path("context_id").asText()).isEqualTo(contextId));
    }
    for (String run : List.of(secondRun, thirdRun)) {
      assertThat(mcp.getRun(run).path("remote_ref").path("context_id").asText()).as("context of %s", run)
          .isEqualTo(contextId);
    }
  }

  @Test
  @DisplayName("an unreachable URL and a 404 card fail their runs while the server keeps serving other calls")
  void failuresDoNotStopTheServer() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    String down = mcp.spawn(spawnArgs("hello", "http://127.0.0.1:" + closedPort)).path("run_id").asText();
    ObjectNode missingCard = spawnArgs("hello", peer.baseUrl());
    ((ObjectNode) missingCard.get("backend_config")).put("agent_card_path", "no/such/card.json");
    String missing = mcp.spawn(missingCard).path("run_id").asText();

    assertThat(mcp.awaitTerminal(down, T)).isEqualTo("failed");
    assertThat(data(mcp.ofType(down, "run_failed").get(0), "message"))
        .contains("could not load the agent card from http://127.0.0.1:" + closedPort);
    assertThat(mcp.awaitTerminal(missing, T)).isEqualTo("failed");
    assertThat(data(mcp.ofType(missing, "run_failed").get(0), "message")).contains("HTTP 404")
        .contains(peer.baseUrl() + "/no/such/card.json");
    assertThat(mcp.terminalCount(down)).isOne();
    assertThat(mcp.terminalCount(missing)).isOne();

    JsonNode failedRuns = mcp.call("list_runs", object().put("status", "failed"));
    assertThat(failedRuns.path("runs").findValuesAsText("run_id")).containsExactlyInAnyOrder(down, missing);
    String ok = spawn("still there? [e2e-ok]");
    assertThat(mcp.awaitTerminal(ok, T)).isEqualTo("completed");
    assertThat(mcp.call("list_runs", object()).path("runs").findValuesAsText("run_id")).hasSize(3).contains(ok);
  }

  @Test
  @DisplayName("the bearer token and headers reach the agent, also on a resume, and appear in no file of the store")
  void secretsReachTheAgentButNoFile() throws IOException {
    ObjectNode args = spawnArgs("[e2e-hdr1] hi", peer.baseUrl());
    ObjectNode cfg = (ObjectNode) args.get("backend_config");
    cfg.put("auth_token", TOKEN);
    cfg.putObject("headers").put("X-Api-Key", API_KEY);
    String runId = mcp.spawn(args).path("run_id").asText();
    assertThat(mcp.awaitTerminal(runId, T)).isEqualTo("completed");
    JsonNode cont = mcp.call("continue_run", object().put("run_id", runId)
        .set("input_message", userText("[e2e-hdr2] again")));
    String resumed = cont.path("run_id").asText();
    assertThat(mcp.awaitTerminal(resumed, T)).isEqualTo("completed");

    for (String marker : List.of("[e2e-hdr1]", "[e2e-hdr2]")) {
      JsonNode headers = sentWith(marker).get(0).path("headers");
      assertThat(headers.path("authorization").asText()).as("Authorization with %s", marker)
          .isEqualTo("Bearer " + TOKEN);
      assertThat(headers.path("x-api-key").asText()).as("X-Api-Key with %s", marker).isEqualTo(API_KEY);
    }
    for (String run : List.of(runId, resumed)) {
      assertThat(mcp.events(run).toString()).doesNotContain(TOKEN).doesNotContain(API_KEY);
      assertThat(mcp.getRun(run).toString()).doesNotContain(TOKEN).doesNotContain(API_KEY);
    }
    List<Path> files = McpRuns.filesUnder(cwd.resolve(".nanobot-orchestrator"), home);
    assertThat(files).as("store files").anySatisfy(f -> assertThat(f.getFileName().toString()).isEqualTo("run.json"));
    assertThat(files).anySatisfy(f -> assertThat(f.startsWith(home)).isTrue());
    for (Path f : files) {
      String content = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
      assertThat(content).as("content of %s", f).doesNotContain(TOKEN).doesNotContain(API_KEY)
          .doesNotContain("E2E-SECRET");
    }
  }
}
