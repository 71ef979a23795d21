package dev.orch.mcp.it;

import static dev.orch.mcp.it.McpRuns.object;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.backend.a2a.testing.JsA2aPeer;
import dev.orch.backend.codex.testing.MockResponsesApi;
import dev.orch.core.testing.Peers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * SPEC §12.1 and §12.4 through the real server process over stdio (MCP Java SDK client): list_backends with the real
 * CLIs and the real A2A JS peer, bad input for every new argument, and usage and cost from the real codex CLI on the
 * mock model (price table, ORCH_PRICES, get_usage). Figures are printed as {@code [figure]} lines; nothing asserts on
 * time.
 */
@DisplayName("Control tools end to end: list_backends, bad input, usage, price table and get_usage over stdio")
class ControlToolsEndToEndTest extends CodexServerCase {
  private static final Duration T = Duration.ofSeconds(60);

  @Test
  @DisplayName("list_backends: installed CLIs are available with version and executable, the default A2A agent is "
      + "reachable, an ORCH_BACKENDS name without a jar is declared_not_installed, probe:false is unknown; missing "
      + "executables and a dead agent are unavailable")
  void listBackendsStates() throws Exception {
    try (JsA2aPeer peer = JsA2aPeer.start()) {
      env.put("ORCH_CODEX_EXECUTABLE", Peers.codexBinary().toString());
      env.put("ORCH_CLAUDE_EXECUTABLE", Peers.claudeBinary().toString());
      env.put("ORCH_A2A_AGENT_URL", peer.baseUrl());
      env.put("ORCH_BACKENDS", "codex,claude_code,remote_a2a,gemini");
      env.put("ORCH_MAX_RUNNING_CODEX", "3");
      // claude --version (a 245 MB binary) takes 1.2–2.7 s here and more than the default 5 s cap when the machine is
      // loaded by parallel builds; the cap itself (unknown, then the cached late result) is covered by the engine kit
      env.put("ORCH_PROBE_TIMEOUT_MS", "30000");
      McpRuns mcp = start(env);
      mcp.call("list_runs", object()); // warm the server up before timing

      long t0 = System.nanoTime();
      JsonNode quick = mcp.call("list_backends", object().put("probe", false));
      long noProbeMs = (System.nanoTime() - t0) / 1_000_000;
      for (String id : List.of("codex", "claude_code", "remote_a2a")) {
        assertThat(ControlAssertions.backend(quick, id).path("availability_state").asText()).as(id).isEqualTo("unknown");
        assertThat(ControlAssertions.backend(quick, id).path("version").isNull()).isTrue();
      }
      assertThat(ControlAssertions.backend(quick, "gemini").path("availability_state").asText()).isEqualTo("declared_not_installed");
      assertThat(ControlAssertions.backend(quick, "gemini").path("availability_detail").asText()).contains("ORCH_BACKENDS");

      t0 = System.nanoTime();
      JsonNode probed = mcp.call("list_backends", object());
      long uncachedMs = (System.nanoTime() - t0) / 1_000_000;
      t0 = System.nanoTime();
      JsonNode again = mcp.call("list_backends", object().put("probe", true));
      long cachedMs = (System.nanoTime() - t0) / 1_000_000;

      JsonNode codex = ControlAssertions.backend(probed, "codex");
      assertThat(codex.path("availability_state").asText()).as(codex.toString()).isEqualTo("available");
      assertThat(codex.path("version").asText()).matches("\\d+\\.\\d+\\.\\d+.*");
      assertThat(codex.path("executable").asText()).isEqualTo(Peers.codexBinary().toString());
      assertThat(codex.path("capabilities").toString()).contains("\"resume\"", "\"structured_output\"");
      assertThat(codex.path("running").asInt()).isZero();
      assertThat(codex.path("queued").asInt()).isZero();
      assertThat(codex.path("max_running").asInt()).isEqualTo(3);
      JsonNode claude = ControlAssertions.backend(probed, "claude_code");
      assertThat(claude.path("availability_state").asText()).as(claude.toString()).isEqualTo("available");
      assertThat(claude.path("version").asText()).matches("\\d+\\.\\d+\\.\\d+.*");
      assertThat(claude.path("max_running").isNull()).isTrue();
      JsonNode a2a = ControlAssertions.backend(probed, "remote_a2a");
      assertThat(a2a.path("availability_state").asText()).as(a2a.toString()).isEqualTo("reachable");
      assertThat(a2a.path("version").asText()).isEqualTo("1.0.0");
      assertThat(a2a.path("availability_detail").asText()).contains("JS Test Peer");
      assertThat(ControlAssertions.backend(probed, "gemini").path("availability_state").asText()).isEqualTo("declared_not_installed");
      assertThat(again.path("backends")).isEqualTo(probed.path("backends"));
      ControlAssertions.figure("list_backends (3 backends: codex, claude, remote_a2a) probe:false " + noProbeMs + " ms, uncached "
          + uncachedMs + " ms (claude: " + ControlAssertions.backend(probed, "claude_code").path("availability_detail").asText()
          + "), cached " + cachedMs + " ms");
    }

    Map<String, String> broken = ServerProcesses.isolatedEnv(tmp.resolve("broken"));
    Path notExecutable = Files.writeString(tmp.resolve("claude-not-executable"), "text");
    broken.put("ORCH_CODEX_EXECUTABLE", tmp.resolve("no/such/codex").toString());
    broken.put("ORCH_CLAUDE_EXECUTABLE", notExecutable.toString());
    int port = ControlAssertions.closedPort();
    broken.put("ORCH_A2A_AGENT_URL", "http://127.0.0.1:" + port);
    McpRuns down = start(broken);
    JsonNode list = down.call("list_backends", object());
    JsonNode codex = ControlAssertions.backend(list, "codex");
    assertThat(codex.path("availability_state").asText()).isEqualTo("unavailable");
    assertThat(codex.path("availability_detail").asText()).contains("executable")
        .contains("does not exist or is not an executable file");
    assertThat(ControlAssertions.backend(list, "claude_code").path("availability_state").asText()).isEqualTo("unavailable");
    JsonNode a2a = ControlAssertions.backend(list, "remote_a2a");
    assertThat(a2a.path("availability_state").asText()).isEqualTo("unavailable");
    assertThat(a2a.path("availability_detail").asText()).contains("could not load the agent card")
        .contains(String.valueOf(port));
  }

  @Test
  @DisplayName("bad input for every new argument is refused with the field and the rule, and nothing is started")
  void badInputStartsNothing() {
    ShellFakeCodex fake = ShellFakeCodex.create(tmp.resolve("fake"));
    fake.configure(env);
    McpRuns mcp = start(env);
    Map<String, String> cases = new java.util.LinkedHashMap<>();
    cases.put("{\"priority\": 10}", "priority: must be <= 9");
    cases.put("{\"priority\": -1}", "priority: must be >= 0");
    cases.put("{\"priority\": \"high\"}", "priority: expected integer, got string");
    cases.put("{\"priority\": 2.5}", "priority: expected integer, got number");
    cases.put("{\"limits\": \"soon\"}", "limits: expected object, got string");
    cases.put("{\"limits\": {\"max_token\": 5}}", "limits.max_token: is not a known property; expected one of "
        + "\"timeout_ms\"|\"idle_timeout_ms\"|\"max_turns\"|\"max_tokens\"|\"max_cost_usd\"");
    cases.put("{\"limits\": {\"timeout_ms\": 0}}", "limits.timeout_ms: must be >= 1");
    cases.put("{\"limits\": {\"idle_timeout_ms\": 1.5}}", "limits.idle_timeout_ms: expected integer, got number");
    cases.put("{\"limits\": {\"max_turns\": \"3\"}}", "limits.max_turns: expected integer, got string");
    cases.put("{\"limits\": {\"max_tokens\": -5}}", "limits.max_tokens: must be >= 1");
    cases.put("{\"limits\": {\"max_cost_usd\": 0}}", "limits.max_cost_usd: must be > 0");
    cases.put("{\"depends_on\": \"run-1\"}", "depends_on: expected array, got string");
    cases.put("{\"depends_on\": [\"a\", \"a\"]}", "depends_on: must not contain the same value twice");
    cases.put("{\"depends_on\": [\"\"]}", "depends_on.0: must have at least 1 character");
    StringBuilder many = new StringBuilder("[");
    for (int i = 0; i <= 100; i++) {
      many.append(i == 0 ? "" : ",").append("\"r").append(i).append('"');
    }
    cases.put("{\"depends_on\": " + many + "]}", "depends_on: must have at most 100 items");
    cases.put("{\"depends_on\": [\"no-such-run\"]}", "Error: depends_on: Unknown run_id: no-such-run");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      ObjectNode args = spawnArgs("quick");
      args.setAll((ObjectNode) ControlAssertions.read(c.getKey()));
      String error = mcp.callError("spawn_run", args);
      assertThat(error).as("spawn_run with %s", c.getKey()).contains(c.getValue());
      if (!c.getValue().startsWith("Error:")) {
        assertThat(error).startsWith("Invalid arguments for tool spawn_run: ");
      }
    }
    assertThat(mcp.callError("list_backends", object().put("probe", "yes")))
        .isEqualTo("Invalid arguments for tool list_backends: probe: expected boolean, got string");
    assertThat(mcp.callError("get_usage", object().put("cwd", "relative/dir")))
        .contains("cwd: must be an absolute path, got \"relative/dir\"");
    assertThat(mcp.callError("get_usage", object().put("since", "yesterday")))
        .contains("since: expected an ISO-8601 time such as 2026-01-31T00:00:00Z");
    assertThat(mcp.callError("get_usage", object().put("group_by", "day")))
        .contains("group_by: expected one of \"backend\"|\"model\"|\"agent_name\"|\"run\"");
    ObjectNode emptyIds = object();
    emptyIds.putArray("run_ids");
    assertThat(mcp.callError("get_usage", emptyIds)).contains("run_ids: must have at least 1 item");
    ObjectNode unknown = object();
    unknown.putArray("run_ids").add("nope");
    assertThat(mcp.callError("get_usage", unknown)).isEqualTo("Error: Unknown run_id: nope");

    assertThat(mcp.call("list_runs", object()).path("runs")).as("no run was created").isEmpty();
    assertThat(mcp.call("list_agents", object()).path("agents")).as("no session was created").isEmpty();
    assertThat(cwd.resolve(".nanobot-orchestrator/runs")).satisfiesAnyOf(
        p -> assertThat(Files.exists(p)).isFalse(),
        p -> assertThat(p).isEmptyDirectory());
  }

  @Test
  @DisplayName("real codex: usage on every summary (price table for gpt-5.5, unpriced for an unknown model), a "
      + "resumed thread counts only its own tokens, max_tokens crossed by the final usage fails the run keeping its "
      + "result, and get_usage adds it all up")
  void realCodexUsage() throws Exception {
    try (MockResponsesApi model = MockResponsesApi.start()) {
      ServerProcesses.useCodexWithMock(env, model.baseUrl());
      McpRuns mcp = start(env);
      String plain = mcp.spawn(spawnArgs("Say hello")).path("run_id").asText();
      assertThat(mcp.awaitTerminal(plain, T)).isEqualTo("completed");
      JsonNode usage = mcp.getRun(plain).path("usage");
      assertThat(usage).isEqualTo(ControlAssertions.read("{\"input_tokens\":120,\"cached_input_tokens\":20,\"output_tokens\":12,"
          + "\"reasoning_output_tokens\":3,\"total_tokens\":132,\"cost_usd\":8.7E-4,\"cost_source\":\"price_table\","
          + "\"model\":\"gpt-5.5\"}"));
      JsonNode listed = mcp.call("list_runs", object()).path("runs").get(0);
      assertThat(listed.path("usage")).isEqualTo(usage);

      ObjectNode unknownArgs = spawnArgs("Say hello");
      unknownArgs.putObject("backend_config").put("model", "mock-unknown-model");
      String unknown = mcp.spawn(unknownArgs).path("run_id").asText();
      assertThat(mcp.awaitTerminal(unknown, T)).isEqualTo("completed");
      JsonNode u2 = mcp.getRun(unknown).path("usage");
      assertThat(u2.path("cost_source").asText()).isEqualTo("unpriced");
      assertThat(u2.path("cost_usd").isNull()).as("never a made-up 0").isTrue();
      assertThat(u2.path("model").asText()).isEqualTo("mock-unknown-model");
      assertThat(u2.path("total_tokens").asLong()).isEqualTo(132);

      ObjectNode limited = spawnArgs("Say hello");
      limited.putObject("limits").put("max_tokens", 100);
      String over = mcp.spawn(limited).path("run_id").asText();
      assertThat(mcp.awaitTerminal(over, T)).isEqualTo("failed");
      JsonNode failed = mcp.ofType(over, "run_failed").get(0);
      assertThat(failed.path("data").path("code").asText()).isEqualTo("limit_exceeded");
      assertThat(failed.path("data").path("limit").asText()).isEqualTo("max_tokens");
      assertThat(failed.path("data").path("message").asText()).isEqualTo("max_tokens exceeded: 132 > 100");
      assertThat(failed.path("data").path("final_response").asText()).as("the result is kept")
          .isEqualTo(MockResponsesApi.PLAIN_ANSWER);
      assertThat(failed.path("data").path("usage").path("input_tokens").asLong()).isEqualTo(120);
      assertThat(mcp.terminalCount(over)).isOne();
      assertThat(mcp.types(over)).doesNotContain("run_completed");
      assertThat(mcp.getRun(over).path("usage").path("total_tokens").asLong()).isEqualTo(132);
      long tokenDelay = ControlAssertions.ms(failed) - ControlAssertions.ms(mcp.ofType(over, "agent_message").get(0));
      ControlAssertions.figure("limit enforcement delay for max_tokens crossed by codex's final usage (agent_message ts → run_failed "
          + "ts, includes codex exiting): " + tokenDelay + " ms");

      JsonNode cont = mcp.call("continue_run", object().put("run_id", plain).set("input_message",
          McpRuns.userText("Say hello again")));
      String resumed = cont.path("run_id").asText();
      assertThat(mcp.awaitTerminal(resumed, T)).isEqualTo("completed");
      JsonNode u3 = mcp.getRun(resumed).path("usage");
      assertThat(u3.path("input_tokens").asLong()).as("its own share of the thread's running total").isEqualTo(120);
      assertThat(u3.path("total_tokens").asLong()).isEqualTo(132);
      assertThat(mcp.ofType(resumed, "run_completed").get(0).path("data").path("usage").path("input_tokens").asLong())
          .as("what codex reported: the thread's total").isEqualTo(240);
      assertThat(mcp.getRun(resumed).at("/remote_ref/metadata/thread_usage/input_tokens").asLong()).isEqualTo(240);

      JsonNode all = mcp.call("get_usage", object().put("cwd", cwd.toString()).put("group_by", "model"));
      JsonNode totals = all.path("totals");
      assertThat(totals.path("runs").asInt()).isEqualTo(4);
      assertThat(totals.path("unpriced_runs").asInt()).isEqualTo(1);
      assertThat(totals.path("runs_without_usage").asInt()).isZero();
      assertThat(totals.path("input_tokens").asLong()).isEqualTo(480);
      assertThat(totals.path("total_tokens").asLong()).isEqualTo(528);
      assertThat(totals.path("cost_usd").asDouble()).isEqualTo(0.00261);
      assertThat(totals.path("cost_source").asText()).isEqualTo("price_table");
      assertThat(totals.path("model").isNull()).as("two models").isTrue();
      ArrayNode groups = (ArrayNode) all.path("groups");
      assertThat(groups).hasSize(2);
      assertThat(groups.get(0).path("key").asText()).isEqualTo("gpt-5.5");
      assertThat(groups.get(0).path("runs").asInt()).isEqualTo(3);
      assertThat(groups.get(1).path("key").asText()).isEqualTo("mock-unknown-model");
      assertThat(groups.get(1).path("cost_usd").isNull()).isTrue();
      assertThat(groups.get(1).path("cost_source").asText()).isEqualTo("unpriced");

      ObjectNode one = object();
      one.putArray("run_ids").add(unknown);
      assertThat(mcp.call("get_usage", one).path("totals").path("cost_usd").isNull()).isTrue();
      JsonNode byAgent = mcp.call("get_usage", object().put("group_by", "agent_name"));
      assertThat(byAgent.path("groups")).hasSize(3);
      assertThat(mcp.call("get_usage", object().put("since", "2999-01-01")).path("totals").path("runs").asInt())
          .isZero();
    }
  }

  @Test
  @DisplayName("ORCH_PRICES prices a model the built-in table does not know; a bad file stops the server at start "
      + "with a message naming the file and the entry")
  void pricesOverride() throws Exception {
    Path prices = Files.writeString(tmp.resolve("prices.json"),
        "{\"models\": {\"mock-unknown-model\": {\"input\": 2, \"cached_input\": 1, \"output\": 4}}}");
    try (MockResponsesApi model = MockResponsesApi.start()) {
      ServerProcesses.useCodexWithMock(env, model.baseUrl());
      env.put("ORCH_CODEX_MODEL", "mock-unknown-model");
      env.put("ORCH_PRICES", prices.toString());
      McpRuns mcp = start(env);
      String run = mcp.spawn(spawnArgs("Say hello")).path("run_id").asText();
      assertThat(mcp.awaitTerminal(run, T)).isEqualTo("completed");
      JsonNode usage = mcp.getRun(run).path("usage");
      assertThat(usage.path("cost_source").asText()).isEqualTo("price_table");
      // (100 × 2 + 20 × 1 + 12 × 4) / 1e6
      assertThat(usage.path("cost_usd").asDouble()).isEqualTo(0.000268);
    }

    Path bad = Files.writeString(tmp.resolve("bad-prices.json"), "{\"models\": {\"x\": {\"input\": 1}}}");
    Map<String, String> badEnv = ServerProcesses.isolatedEnv(tmp.resolve("bad"));
    badEnv.put("ORCH_PRICES", bad.toString());
    ProcessBuilder pb = new ProcessBuilder(ServerProcesses.command());
    pb.environment().putAll(badEnv);
    pb.redirectErrorStream(true);
    Process p = pb.start();
    p.getOutputStream().close();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(out).isEqualTo(1);
    assertThat(out).contains("Invalid price table " + bad + " (ORCH_PRICES)")
        .contains("models.\"x\".output: is required");
  }
}
