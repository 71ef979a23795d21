package dev.orch.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orch.backend.claude.testing.ClaudeTestSetup;
import dev.orch.backend.codex.testing.MockResponsesApi;
import dev.orch.cli.it.Processes.Result;
import dev.orch.core.Orchestrator;
import dev.orch.core.Role;
import dev.orch.core.RunRef;
import dev.orch.core.RunStatus;
import dev.orch.core.SessionMode;
import dev.orch.core.SpawnRequest;
import dev.orch.core.SpawnResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code peer} as the agents use it: a real codex run (mock model) whose scripted shell command calls
 * {@code peer whoami}, {@code peer send} and {@code peer list} — the command is found first on the agent's PATH
 * without anything written into the run's cwd — and {@code bin/peer inbox / wait} from outside.
 */
@DisplayName("peer: agent-to-agent messages from inside real codex runs")
class PeerIT {
  private static final Duration T = Duration.ofSeconds(60);

  @TempDir
  Path tmp;
  private MockResponsesApi model;
  private Map<String, String> env;
  private Path cwd;

  @BeforeEach
  void setUp() throws Exception {
    model = MockResponsesApi.start();
    env = Processes.isolatedEnv(tmp);
    Processes.useCodexWithMock(env, model.baseUrl());
    cwd = Files.createDirectories(tmp.resolve("work")).toRealPath();
  }

  @AfterEach
  void tearDown() throws Exception {
    model.close();
    assertThat(Processes.awaitNone(tmp.toString(), Duration.ofSeconds(5))).as("processes of this test left").isEmpty();
  }

  @Test
  @DisplayName("a codex run of the MCP server calls peer whoami / send / list; the message lands in the recipient's"
      + " inbox, and nothing is written into the cwd but the command's own files")
  void agentSendsThroughPeer() throws Exception {
    model.scriptCommand("PEER_TALK", "peer whoami --json > whoami.json && peer send reviewer \"hello from"
        + " $PEER_NAME\" --kind note && peer list > agents.txt");
    try (McpServer mcp = McpServer.start(env)) {
      String reviewer = mcp.spawn("codex", cwd, "hello", "reviewer", null).path("run_id").asText();
      mcp.awaitStatus(reviewer, Set.of("completed"), T);
      JsonNode talker = mcp.spawn("codex", cwd, "PEER_TALK please", "talker", null);
      String runId = talker.path("run_id").asText();
      JsonNode end = mcp.awaitStatus(runId, Set.of("completed", "failed"), T);
      List<JsonNode> events = mcp.events(runId);
      assertThat(end.path("status").asText()).as("events: %s", events).isEqualTo("completed");
      assertThat(events).as("events").anySatisfy(e -> {
        assertThat(e.path("type").asText()).isEqualTo("command_finished");
        assertThat(e.at("/data/exit_code").asInt()).as("the shell command: %s", e).isZero();
      });

      JsonNode whoami = Processes.JSON.readTree(cwd.resolve("whoami.json").toFile());
      assertThat(whoami.path("agent_name").asText()).isEqualTo("talker");
      assertThat(whoami.path("session_id").asText()).isEqualTo(talker.path("session_id").asText());
      assertThat(whoami.path("cwd").asText()).isEqualTo(cwd.toString());
      assertThat(Files.readString(cwd.resolve("agents.txt"))).contains("talker (you)").contains("reviewer");
      try (Stream<Path> s = Files.list(cwd)) {
        assertThat(s.map(p -> p.getFileName().toString()).toList())
            .containsExactlyInAnyOrder(".nanobot-orchestrator", "whoami.json", "agents.txt");
      }

      Result inbox = Processes.run(env, cwd, "peer", "inbox", "--as", "reviewer", "--json");
      assertThat(inbox.code()).as("%s", inbox).isZero();
      JsonNode msg = inbox.json().path("messages").get(0);
      assertThat(msg.path("from_agent_name").asText()).isEqualTo("talker");
      assertThat(msg.path("to_agent_name").asText()).isEqualTo("reviewer");
      assertThat(msg.at("/body/parts/0/text").asText()).isEqualTo("hello from talker");
      assertThat(msg.at("/metadata/kind").asText()).isEqualTo("note");
      assertThat(inbox.json().path("next_after_seq").asLong()).isEqualTo(1);
      Result text = Processes.run(env, cwd, "peer", "inbox", "--as", "reviewer");
      assertThat(text.out()).startsWith("#1 from talker [note] ").contains(": hello from talker");
      System.out.println("---- sample: $ peer list (inside the talker's run)\n" + Files.readString(cwd.resolve(
          "agents.txt")) + "---- end\n---- sample: $ peer inbox --as reviewer\n" + text.out() + "---- end");

      // peer wait long-polls: it is waiting for seq > 1 when the next message comes
      Process wait = Processes.start(env, cwd, "peer", "wait", "--as", "reviewer", "--after", "1", "--timeout",
          "60000", "--json");
      var out = Processes.read(wait.getInputStream());
      var err = Processes.read(wait.getErrorStream());
      mcp.call("send_agent_message", McpServer.object().put("to_agent_name", "reviewer")
          .put("from_agent_name", "talker").put("cwd", cwd.toString()).set("message", Processes.JSON.readTree(
              "{\"role\":\"agent\",\"parts\":[{\"type\":\"text\",\"text\":\"second\"}]}")));
      assertThat(wait.waitFor(30, TimeUnit.SECONDS)).as("peer wait returns when the message arrives").isTrue();
      assertThat(wait.exitValue()).as(err.get()).isZero();
      JsonNode waited = Processes.JSON.readTree(out.get());
      assertThat(waited.path("messages")).singleElement()
          .satisfies(m -> assertThat(m.at("/body/parts/0/text").asText()).isEqualTo("second"));

      Result timeout = Processes.run(env, cwd, "peer", "wait", "--as", "reviewer", "--after", "2", "--timeout",
          "200", "--json");
      assertThat(timeout.code()).isZero();
      assertThat(timeout.json().path("messages")).isEmpty();
      Result noIdentity = Processes.run(env, cwd, "peer", "inbox");
      assertThat(noIdentity.code()).isEqualTo(2);
      assertThat(noIdentity.err()).contains("PEER_NAME");
      Result unknown = Processes.run(env, cwd, "peer", "send", "nobody", "hi", "--as", "talker");
      assertThat(unknown.code()).isEqualTo(3);
    }
  }

  @Test
  @DisplayName("a claude_code run finds peer on its PATH too (its Bash tool calls peer whoami)")
  void claudeFindsPeer() throws Exception {
    try (ClaudeTestSetup claude = ClaudeTestSetup.start(tmp)) {
      claude.api().scriptCommand("PEER_WHO", "peer whoami > claude-who.txt");
      env.putAll(claude.serverEnvironment());
      try (McpServer mcp = McpServer.start(env)) {
        String runId = mcp.spawn("claude_code", cwd, "PEER_WHO now", "clawd", null).path("run_id").asText();
        JsonNode end = mcp.awaitStatus(runId, Set.of("completed", "failed"), T);
        assertThat(end.path("status").asText()).as("%s", mcp.events(runId)).isEqualTo("completed");
        JsonNode finished = mcp.events(runId).stream()
            .filter(e -> e.path("type").asText().equals("command_finished")).findFirst().orElseThrow();
        assertThat(finished.at("/data/is_error").asBoolean()).as("%s", finished).isFalse();
        assertThat(Files.readString(cwd.resolve("claude-who.txt"))).startsWith("clawd (session ");
      }
      claude.awaitNoClaudeProcesses(Duration.ofSeconds(10));
    }
  }

  @Test
  @DisplayName("without ORCH_PEER_PATH an embedding Orchestrator writes a peer wrapper into the store home and"
      + " puts it first on the agent's PATH")
  void wrapperFallback() throws Exception {
    model.scriptCommand("PEER_WHO", "peer whoami > who.txt");
    Map<String, String> engineEnv = new HashMap<>(env);
    engineEnv.remove("ORCH_PEER_PATH");
    // codex inherits this JVM's environment: its key and home come through the backend's env setting
    engineEnv.put("ORCH_CODEX_ENV", "{\"MOCK_API_KEY\":\"dummy\",\"CODEX_HOME\":\"" + env.get("CODEX_HOME")
        + "\"}");
    try (Orchestrator orch = Orchestrator.builder().environment(engineEnv).build()) {
      SpawnResult r = orch.spawn(SpawnRequest.builder("codex", Role.WORKER, cwd.toString(), SessionMode.NEW)
          .nickname("solo").prompt("PEER_WHO now").build());
      long deadline = System.nanoTime() + T.toNanos();
      while (!orch.getRun(RunRef.of(r.runId())).status().isTerminal() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(orch.getRun(RunRef.of(r.runId())).status()).as("%s", orch.getRun(RunRef.of(r.runId())))
          .isEqualTo(RunStatus.COMPLETED);
    }
    Path wrapper = tmp.resolve("orch-home/bin/peer");
    assertThat(wrapper).isExecutable();
    assertThat(Files.readString(wrapper)).contains("dev.orch.cli.PeerMain");
    assertThat(Files.readString(cwd.resolve("who.txt"))).startsWith("solo (session ").contains(" in " + cwd);
  }
}
