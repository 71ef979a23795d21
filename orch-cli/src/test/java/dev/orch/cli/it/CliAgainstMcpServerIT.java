package dev.orch.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.backend.claude.testing.ClaudeTestSetup;
import dev.orch.backend.codex.testing.MockResponsesApi;
import dev.orch.cli.it.Processes.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/orch} as a child process against runs owned by a live {@code bin/orch-mcp} (driven by the MCP Java SDK
 * client), both on one store home: the real codex CLI on {@link MockResponsesApi}, the real claude CLI on the mock
 * Messages API. Checks output shapes, exit codes, and that cancel / continue reach the server that owns the run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("bin/orch against runs owned by a live bin/orch-mcp")
class CliAgainstMcpServerIT {
  private static final Duration T = Duration.ofSeconds(60);

  @TempDir
  static Path tmp;
  private MockResponsesApi model;
  private ClaudeTestSetup claude;
  private Map<String, String> env;
  private McpServer mcp;
  private Path cwd;

  @BeforeAll
  void startServer() throws Exception {
    model = MockResponsesApi.start();
    claude = ClaudeTestSetup.start(tmp);
    env = Processes.isolatedEnv(tmp);
    Processes.useCodexWithMock(env, model.baseUrl());
    env.putAll(claude.serverEnvironment());
    mcp = McpServer.start(env);
  }

  @AfterAll
  void stopServer() throws Exception {
    try {
      mcp.close();
    } finally {
      model.close();
      claude.close();
    }
    assertThat(Processes.awaitNone(tmp.toString(), Duration.ofSeconds(5))).as("processes of this test left").isEmpty();
  }

  @BeforeEach
  void newCwd() throws Exception {
    cwd = Files.createTempDirectory(tmp, "work").toRealPath();
  }

  private Result orch(String... args) {
    return Processes.run(env, cwd, "orch", args);
  }

  @Test
  @DisplayName("runs list / show, events tail and artifacts get read a finished run of the server, as text and JSON")
  void readSide() throws Exception {
    String runId = mcp.spawn("codex", cwd, "Make noise " + MockResponsesApi.BIG_SHELL, "noisy", null)
        .path("run_id").asText();
    mcp.awaitStatus(runId, Set.of("completed"), T);

    Result list = orch("runs", "list", "--cwd", cwd.toString(), "--output", "json");
    assertThat(list.code()).as("%s", list).isZero();
    JsonNode runs = list.json().path("runs");
    assertThat(runs).singleElement().satisfies(r -> {
      assertThat(r.path("run_id").asText()).isEqualTo(runId);
      assertThat(r.path("status").asText()).isEqualTo("completed");
      assertThat(r.path("agent_name").asText()).isEqualTo("noisy");
      assertThat(fieldNames(r)).contains("run_id", "backend", "role", "session_id", "agent_name", "status",
          "started_at", "updated_at", "summary", "last_seq", "cwd", "metadata", "remote_ref");
    });
    Result table = orch("runs", "list");
    assertThat(table.code()).isZero();
    assertThat(table.out().lines().findFirst().orElse("")).startsWith("RUN ID").contains("STATUS", "SUMMARY");
    assertThat(table.out()).contains(runId).contains("completed").contains("noisy").doesNotContain("\u001b[");

    Result show = orch("runs", "show", "noisy", "--cwd", cwd.toString(), "--output", "json");
    assertThat(show.code()).as("%s", show).isZero();
    assertThat(show.json().path("run_id").asText()).isEqualTo(runId);
    assertThat(show.json().at("/result/final_response").asText()).isEqualTo(MockResponsesApi.SHELL_DONE);
    assertThat(show.json().at("/result/usage/input_tokens").asInt()).isPositive();
    assertThat(show.json().path("error").isNull()).isTrue();
    Result showText = orch("runs", "show", runId);
    assertThat(showText.out()).contains("status").contains("completed").contains("final response:")
        .contains(MockResponsesApi.SHELL_DONE);

    Result tail = orch("events", "tail", runId, "--output", "jsonl", "--limit", "1000");
    assertThat(tail.code()).isZero();
    List<JsonNode> events = tail.jsonLines();
    assertThat(events).isNotEmpty();
    for (int i = 0; i < events.size(); i++) {
      assertThat(events.get(i).path("seq").asLong()).isEqualTo(i + 1L);
      assertThat(events.get(i).path("run_id").asText()).isEqualTo(runId);
    }
    assertThat(events.get(events.size() - 1).path("type").asText()).isEqualTo("run_completed");
    Result page = orch("events", "tail", runId, "--after", "2", "--limit", "3", "--output", "json");
    assertThat(page.json().path("events")).extracting(e -> e.path("seq").asLong()).containsExactly(3L, 4L, 5L);
    assertThat(page.json().path("next_after_seq").asLong()).isEqualTo(5);
    assertThat(page.json().path("status").asText()).isEqualTo("completed");
    Result text = orch("events", "tail", runId);
    assertThat(text.out().lines().findFirst().orElse("")).contains("#1").contains("run_started");
    sample("orch runs list", table);
    sample("orch runs show " + runId, showText);
    sample("orch events tail " + runId, text);

    JsonNode big = events.stream().filter(e -> e.path("type").asText().equals("command_finished")
        && e.at("/data/artifact_refs/~1output").isObject()).findFirst().orElseThrow();
    long seq = big.path("seq").asLong();
    Result slice = orch("artifacts", "get", runId, Long.toString(seq), "/output", "--limit", "100", "--output",
        "json");
    assertThat(slice.code()).as("%s", slice).isZero();
    assertThat(slice.json().path("returned_bytes").asLong()).isEqualTo(100);
    assertThat(slice.json().path("has_more").asBoolean()).isTrue();
    assertThat(slice.json().path("total_bytes").asLong()).isGreaterThan(50_000);
    Result raw = orch("artifacts", "get", runId, Long.toString(seq), "/output", "--offset", "100", "--limit", "64");
    assertThat(raw.out()).hasSize(64);
    assertThat(raw.err()).contains("more byte(s): --offset 164");
  }

  @Test
  @DisplayName("runs cancel reaches the MCP server that owns a running codex run: cancelled within about a second,"
      + " codex gone")
  void cancelAcrossProcesses() throws Exception {
    String runId = mcp.spawn("codex", cwd, "Take your time " + MockResponsesApi.SLOW, null, null)
        .path("run_id").asText();
    mcp.awaitStatus(runId, Set.of("running"), T);
    awaitSlowStream();

    Result cancel = orch("runs", "cancel", runId, "--output", "json");
    assertThat(cancel.code()).as("%s", cancel).isZero();
    assertThat(cancel.json().path("run_id").asText()).isEqualTo(runId);
    assertThat(cancel.json().path("status").asText()).isEqualTo("cancelled");
    assertThat(cancel.json().path("cancelled_at").asText()).isNotBlank();
    System.out.println("orch runs cancel across processes (JVM start included): " + cancel.took().toMillis() + " ms");
    assertThat(mcp.getRun(runId).path("status").asText()).isEqualTo("cancelled");
    assertThat(Processes.awaitNone("--cd " + cwd, Duration.ofSeconds(5))).as("codex after cancel").isEmpty();

    Result again = orch("runs", "cancel", runId);
    assertThat(again.code()).as("%s", again).isEqualTo(4);
    assertThat(again.err()).contains("run is already terminal: cancelled");
    Result late = orch("runs", "continue", runId, "more");
    assertThat(late.code()).as("%s", late).isEqualTo(4);
    assertThat(late.err()).contains("run is already terminal: cancelled");
  }

  @Test
  @DisplayName("runs continue answers a permission prompt of a claude run the server owns; the command then runs")
  void continueAcrossProcesses() throws Exception {
    ObjectNode config = McpServer.object().put("permission_mode", "default");
    String runId = mcp.spawn("claude_code", cwd, "RUN_BASH create allowed.txt", "asker", config).path("run_id")
        .asText();
    mcp.awaitStatus(runId, Set.of("input_required"), T);
    Result waiting = orch("runs", "show", "asker", "--cwd", cwd.toString(), "--output", "json");
    assertThat(waiting.json().path("status").asText()).isEqualTo("input_required");

    Result cont = orch("runs", "continue", "asker", "--cwd", cwd.toString(), "allow", "--output", "json");
    assertThat(cont.code()).as("%s", cont).isZero();
    assertThat(cont.json().path("mode").asText()).isEqualTo("live");
    assertThat(cont.json().path("run_id").asText()).isEqualTo(runId);
    System.out.println("orch runs continue across processes (JVM start included): " + cont.took().toMillis() + " ms");
    mcp.awaitStatus(runId, Set.of("completed"), T);
    assertThat(cwd.resolve("allowed.txt")).hasContent("hi");

    Result resumed = orch("runs", "continue", runId, "RECALL", "--output", "json");
    assertThat(resumed.code()).as("a completed run resumes in a new run this command follows: %s", resumed)
        .isZero();
    assertThat(resumed.json().path("status").asText()).isEqualTo("completed");
    assertThat(resumed.json().path("run_id").asText()).isNotEqualTo(runId);
    assertThat(resumed.json().at("/metadata/resumed_from_run_id").asText()).isEqualTo(runId);
  }

  @Test
  @DisplayName("events tail -f follows a server-owned run until it ends and prints every event once")
  void tailFollow() throws Exception {
    String runId = mcp.spawn("codex", cwd, "Take your time " + MockResponsesApi.SLOW, null, null)
        .path("run_id").asText();
    mcp.awaitStatus(runId, Set.of("running"), T);
    Process tail = Processes.start(env, cwd, "orch", "events", "tail", "-f", runId, "--output", "jsonl");
    var out = Processes.read(tail.getInputStream());
    var err = Processes.read(tail.getErrorStream());
    // the same in text on a terminal (util-linux script gives it a pty): a live status line redrawn in place
    ProcessBuilder pty = new ProcessBuilder("script", "-qec", Processes.bin("orch") + " events tail -f " + runId,
        "/dev/null").directory(cwd.toFile());
    pty.environment().clear();
    pty.environment().putAll(env);
    pty.environment().put("TERM", "xterm");
    Process onTty = pty.start();
    StringBuffer screen = new StringBuffer();
    Thread reader = new Thread(() -> {
      try (var in = new java.io.InputStreamReader(onTty.getInputStream(), java.nio.charset.StandardCharsets.UTF_8)) {
        char[] buf = new char[4096];
        for (int n; (n = in.read(buf)) > 0; ) {
          screen.append(buf, 0, n);
        }
      } catch (java.io.IOException e) {
        // the pty closed
      }
    });
    reader.start();
    awaitSlowStream();
    long deadline = System.nanoTime() + T.toNanos();
    while (!screen.toString().contains("running · ") && System.nanoTime() < deadline) {
      Thread.sleep(50); // until the status line is drawn on the terminal
    }
    mcp.call("cancel_run", McpServer.object().put("run_id", runId));
    assertThat(tail.waitFor(30, TimeUnit.SECONDS)).as("tail -f ends with the run").isTrue();
    assertThat(tail.exitValue()).as(err.get()).isZero();
    Result parsed = new Result(0, out.get(), err.get(), Duration.ZERO);
    List<JsonNode> events = parsed.jsonLines();
    assertThat(events).extracting(e -> e.path("seq").asLong())
        .containsExactlyElementsOf(seqs(mcp.events(runId).size()));
    JsonNode last = events.get(events.size() - 1);
    assertThat(last.path("type").asText()).isEqualTo("status_changed");
    assertThat(last.at("/data/status").asText()).isEqualTo("cancelled");

    assertThat(onTty.waitFor(30, TimeUnit.SECONDS)).isTrue();
    reader.join(5000);
    assertThat(screen.toString()).as("status line drawn and erased in place").contains("\r\u001b[2K")
        .contains("running · ").contains("status_changed  cancelled (user)").contains("ended cancelled");
  }

  @Test
  @DisplayName("ask follows its own run to the end (json summary, exit 0); a failing run exits 1; --detach returns at"
      + " once and a background owner keeps the run going and answers a cancel from another process")
  void spawnFromTheCli() throws Exception {
    Result ask = orch("ask", "What", "is", "up?", "--backend", "codex", "--cwd", cwd.toString(), "--name", "oracle",
        "--output", "json");
    assertThat(ask.code()).as("%s", ask).isZero();
    assertThat(ask.json().path("status").asText()).isEqualTo("completed");
    assertThat(ask.json().path("role").asText()).isEqualTo("planner");
    assertThat(ask.json().path("agent_name").asText()).isEqualTo("oracle");
    assertThat(ask.json().at("/result/final_response").asText()).isEqualTo(MockResponsesApi.PLAIN_ANSWER);
    assertThat(MockResponsesApi.latestUserText(model.requests().get(model.requests().size() - 1)))
        .contains("Do not change any files").contains("What is up?");

    Result text = orch("run", "--backend", "codex", "--cwd", cwd.toString(), "say", "hi");
    assertThat(text.code()).isZero();
    assertThat(text.out().strip()).isEqualTo(MockResponsesApi.PLAIN_ANSWER);

    Result failed = orch("review", "--backend", "codex", "--cwd", cwd.toString(), MockResponsesApi.HTTP_500);
    assertThat(failed.code()).as("%s", failed).isEqualTo(1);
    assertThat(failed.err()).contains("ended failed");

    Result detached = orch("run", "--detach", "--backend", "codex", "--cwd", cwd.toString(), "--output", "json",
        "Take your time " + MockResponsesApi.SLOW);
    assertThat(detached.code()).as("%s", detached).isZero();
    String runId = detached.json().path("run_id").asText();
    assertThat(detached.json().path("status").asText()).isEqualTo("queued");
    mcp.awaitStatus(runId, Set.of("running"), T);
    awaitSlowStream();
    assertThat(mcp.getRun(runId).path("status").asText()).as("the run outlives the command").isEqualTo("running");
    assertThat(Processes.awaitNoneWithEnv("DetachedMain", "NANOBOT_ORCHESTRATOR_HOME="
        + env.get("NANOBOT_ORCHESTRATOR_HOME"), Duration.ZERO)).as("its background owner").hasSize(1);

    Result cancel = orch("runs", "cancel", runId);
    assertThat(cancel.code()).as("%s", cancel).isZero();
    assertThat(cancel.out()).startsWith("cancelled " + runId);
    assertThat(mcp.getRun(runId).path("status").asText()).isEqualTo("cancelled");
    String home = "NANOBOT_ORCHESTRATOR_HOME=" + env.get("NANOBOT_ORCHESTRATOR_HOME");
    assertThat(Processes.awaitNoneWithEnv("DetachedMain", home, Duration.ofSeconds(10)))
        .as("the background owner exits when its run ended").isEmpty();
    assertThat(Files.list(tmp.resolve("orch-home/logs")).toList()).as("detached logs").isNotEmpty();

    // runs continue --detach: a background process resumes the finished ask run's session and owns the new run
    Result resumed = orch("runs", "continue", "oracle", "--cwd", cwd.toString(), "--detach", "--output", "json",
        "and", "now?");
    assertThat(resumed.code()).as("%s", resumed).isZero();
    assertThat(resumed.json().path("mode").asText()).isEqualTo("resume");
    assertThat(resumed.json().path("resumed_from_run_id").asText()).isEqualTo(ask.json().path("run_id").asText());
    assertThat(mcp.awaitStatus(resumed.json().path("run_id").asText(), Set.of("completed"), T)
        .path("agent_name").asText()).isEqualTo("oracle");
    Result refused = orch("runs", "continue", runId, "--detach", "more");
    assertThat(refused.code()).as("the background process's error comes back: %s", refused).isEqualTo(4);
    assertThat(refused.err()).contains("run is already terminal: cancelled");
  }

  @Test
  @DisplayName("exit codes: 2 for usage errors, 3 for unknown runs, 4 for conflicts; errors are one line on stderr")
  void exitCodes() {
    Result noCommand = orch();
    assertThat(noCommand.code()).isEqualTo(2);
    Result badFlag = orch("runs", "list", "--bogus");
    assertThat(badFlag.code()).isEqualTo(2);
    assertThat(badFlag.err()).contains("--bogus");
    Result badOutput = orch("runs", "list", "--output", "yaml");
    assertThat(badOutput.code()).isEqualTo(2);
    Result unknown = orch("runs", "show", "123e4567-e89b-12d3-a456-426614174000");
    assertThat(unknown.code()).isEqualTo(3);
    assertThat(unknown.err().strip()).isEqualTo("orch: Unknown run_id: 123e4567-e89b-12d3-a456-426614174000");
    Result unknownAgent = orch("events", "tail", "nobody", "--cwd", cwd.toString());
    assertThat(unknownAgent.code()).isEqualTo(3);
    Result badBackend = orch("run", "--backend", "nope", "--cwd", cwd.toString(), "x");
    assertThat(badBackend.code()).isEqualTo(5);
    assertThat(badBackend.err()).contains("Unsupported backend: nope");
    Result badCwd = orch("run", "--cwd", cwd.resolve("missing").toString(), "x");
    assertThat(badCwd.code()).isEqualTo(2);
    assertThat(badCwd.err()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  @DisplayName("backends lists the three built-ins with capabilities (probe finds the codex binary), usage sums the"
      + " reported tokens, completion prints a bash script")
  void backendsUsageCompletion() throws Exception {
    String runId = mcp.spawn("codex", cwd, "hello", null, null).path("run_id").asText();
    mcp.awaitStatus(runId, Set.of("completed"), T);

    Result backends = orch("backends", "--probe", "--output", "json");
    assertThat(backends.code()).as("%s", backends).isZero();
    JsonNode list = backends.json().path("backends");
    assertThat(list).extracting(b -> b.path("backend").asText())
        .containsExactlyInAnyOrder("codex", "claude_code", "remote_a2a");
    JsonNode codex = list.findParents("backend").stream().filter(b -> b.path("backend").asText().equals("codex"))
        .findFirst().orElseThrow();
    assertThat(codex.path("capabilities")).extracting(JsonNode::asText).contains("RESUME", "CANCEL");
    assertThat(codex.at("/probe/state").asText()).isEqualTo("available");
    assertThat(codex.at("/probe/version").asText()).contains("codex");

    Result usage = orch("usage", "--cwd", cwd.toString(), "--output", "json");
    assertThat(usage.code()).as("%s", usage).isZero();
    JsonNode row = usage.json().path("backends").get(0);
    assertThat(row.path("backend").asText()).isEqualTo("codex");
    assertThat(row.path("runs").asLong()).isEqualTo(1);
    assertThat(row.path("input_tokens").asLong()).isEqualTo(120);
    assertThat(row.path("output_tokens").asLong()).isEqualTo(12);
    assertThat(usage.json().path("source").asText()).contains("not normalized");

    sample("orch backends --probe", orch("backends", "--probe"));
    sample("orch usage", orch("usage"));
    Result completion = orch("completion", "bash");
    assertThat(completion.code()).isZero();
    assertThat(completion.out()).contains("complete -F").contains("runs").contains("artifacts").contains("--output");
  }

  /** Prints a command's real output (the samples in docs/cli.md come from here). */
  private static void sample(String command, Result r) {
    System.out.println("---- sample: $ " + command + " (exit " + r.code() + ")\n" + r.out() + r.err() + "---- end");
  }

  private void awaitSlowStream() throws InterruptedException {
    long deadline = System.nanoTime() + T.toNanos();
    while (model.slowStreamsOpen() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(model.slowStreamsOpen()).as("codex holds the slow model stream").isPositive();
  }

  private static List<Long> seqs(int n) {
    List<Long> out = new ArrayList<>();
    for (long i = 1; i <= n; i++) {
      out.add(i);
    }
    return out;
  }

  private static List<String> fieldNames(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.fieldNames().forEachRemaining(out::add);
    return out.stream().collect(Collectors.toList());
  }
}
