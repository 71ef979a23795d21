package dev.orch.backend.codex.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orch.core.RunEvent;
import dev.orch.core.spi.UsageReport;
import dev.orch.core.testing.Peers;
import dev.orch.tck.RecordingSink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("CodexEventParser maps codex exec --json output to Orch events")
class CodexEventParserTest {
  private static final String USAGE_1 = "{\"input_tokens\":120,\"cached_input_tokens\":20,\"cache_write_input_tokens\":0,"
      + "\"output_tokens\":12,\"reasoning_output_tokens\":3}";
  private static final String USAGE_2 = "{\"input_tokens\":240,\"cached_input_tokens\":40,\"cache_write_input_tokens\":0,"
      + "\"output_tokens\":24,\"reasoning_output_tokens\":6}";
  private static final String SHELL_CMD = "/bin/bash -lc 'echo hi > out.txt'";

  /** How each fixture is replayed: stored thread id, output schema, exit code, stderr, and the exact events. */
  private record Case(String storedThread, boolean schema, int exitCode, String stderr, List<String> expected) {
  }

  private static final Map<String, Case> CASES = Map.of(
      "codex-plain.jsonl", new Case(null, false, 0, "", List.of(
          "run_started {\"thread_id\":null}",
          "status_changed {\"status\":\"running\",\"thread_id\":\"01a1ff9d-26c5-7451-a776-76363bcf050b\"}",
          "agent_message {\"text\":\"Hello from mock model.\"}",
          "run_completed {\"final_response\":\"Hello from mock model.\",\"usage\":" + USAGE_1 + "}")),
      "codex-reasoning.jsonl", new Case(null, false, 0, "", List.of(
          "run_started {\"thread_id\":null}",
          "status_changed {\"status\":\"running\",\"thread_id\":\"01a1ffac-9a19-77c0-8392-9acb077c61bc\"}",
          "reasoning {\"text\":\"**Thinking** about the answer\"}",
          "agent_message {\"text\":\"Hello from mock model.\"}",
          "run_completed {\"final_response\":\"Hello from mock model.\",\"usage\":" + USAGE_1 + "}")),
      "codex-resume.jsonl", new Case("01a1ff9d-2a30-78d2-bf3d-56604ac41472", false, 0, "", List.of(
          "run_started {\"thread_id\":\"01a1ff9d-2a30-78d2-bf3d-56604ac41472\"}",
          "status_changed {\"status\":\"running\",\"thread_id\":\"01a1ff9d-2a30-78d2-bf3d-56604ac41472\"}",
          "agent_message {\"text\":\"Hello from mock model.\"}",
          "run_completed {\"final_response\":\"Hello from mock model.\",\"usage\":{\"input_tokens\":360,"
              + "\"cached_input_tokens\":60,\"cache_write_input_tokens\":0,\"output_tokens\":36,"
              + "\"reasoning_output_tokens\":9}}")),
      "codex-output-schema.jsonl", new Case(null, true, 0, "", List.of(
          "run_started {\"thread_id\":null}",
          "status_changed {\"status\":\"running\",\"thread_id\":\"01a1ff9d-4c4b-77f3-a499-d2ae1509190f\"}",
          "agent_message {\"text\":\"{\\\"answer\\\": \\\"42\\\", \\\"ok\\\": true}\"}",
          "run_completed {\"final_response\":\"{\\\"answer\\\": \\\"42\\\", \\\"ok\\\": true}\","
              + "\"structured_output\":{\"answer\":\"42\",\"ok\":true},\"usage\":" + USAGE_1 + "}")),
      "codex-shell.jsonl", new Case(null, false, 0, "", List.of(
          "run_started {\"thread_id\":null}",
          "status_changed {\"status\":\"running\",\"thread_id\":\"01a1ff9d-2a30-78d2-bf3d-56604ac41472\"}",
          "command_started {\"command\":\"" + SHELL_CMD + "\",\"output\":\"\",\"status\":\"in_progress\",\"exit_code\":null}",
          "command_finished {\"command\":\"" + SHELL_CMD + "\",\"output\":\"pyenv: cannot rehash: /opt/pyenv/shims isn't "
              + "writable\\n\",\"status\":\"completed\",\"exit_code\":0}",
          "agent_message {\"text\":\"Done: ran the command.\"}",
          "run_completed {\"final_response\":\"Done: ran the command.\",\"usage\":" + USAGE_2 + "}")),
      "codex-patch.jsonl", new Case(null, false, 0, "", List.of(
          "run_started {\"thread_id\":null}",
          "status_changed {\"status\":\"running\",\"thread_id\":\"01a1ffac-9c27-7400-903e-00f8f6f9c453\"}",
          "file_changed {\"status\":\"completed\",\"changes\":[{\"path\":\"/workspace/hello.txt\",\"kind\":\"add\"}]}",
          "agent_message {\"text\":\"Done: ran the command.\"}",
          "run_completed {\"final_response\":\"Done: ran the command.\",\"usage\":" + USAGE_2 + "}")),
      "codex-http500-turn-failed.jsonl", new Case(null, false, 1, "Reading prompt from stdin...", List.of(
          "run_started {\"thread_id\":null}",
          "status_changed {\"status\":\"running\",\"thread_id\":\"01a1ff9d-68ac-7f91-8ceb-cfe7f51d9cc3\"}",
          "run_failed {\"message\":\"We’re currently experiencing high demand, which may cause temporary errors.\","
              + "\"stderr\":\"Reading prompt from stdin...\"}")),
      "codex-conn-refused-bounded.jsonl", new Case(null, false, 1, "", List.of(
          "run_started {\"thread_id\":null}",
          "status_changed {\"status\":\"running\",\"thread_id\":\"01a1ffb4-fbb4-75c2-9fa8-2c125c6ee1b5\"}",
          "run_failed {\"message\":\"Connection failed: error sending request\"}")),
      "codex-no-auth-default-provider.jsonl", new Case(null, false, 1, "", List.of(
          "run_started {\"thread_id\":null}",
          "status_changed {\"status\":\"running\",\"thread_id\":\"01a1ffb5-089e-7e01-bec1-ae32d3acbbac\"}",
          "reasoning {\"text\":\"Falling back from WebSockets to HTTPS transport. stream disconnected before completion: "
              + "failed to lookup address information: Name does not resolve\"}",
          "run_failed {\"message\":\"Connection failed: error sending request\"}")),
      "codex-cancel-sigINT.jsonl", new Case(null, false, 130, "", List.of(
          "run_started {\"thread_id\":null}",
          "status_changed {\"status\":\"running\",\"thread_id\":\"01a1ffac-4223-79d0-ae5f-7656cbf1c174\"}",
          "run_failed {\"message\":\"codex exited with code 130: (no output on stderr)\"}")));

  private static String describe(RunEvent e) {
    return e.type().wire() + " " + e.toData();
  }

  private static List<RunEvent> replay(CodexEventParser p, List<String> lines, int exitCode, String stderr) {
    List<RunEvent> out = new ArrayList<>();
    out.add(p.runStarted());
    lines.forEach(l -> out.addAll(p.onLine(l)));
    RunEvent terminal = p.finish(exitCode, stderr);
    if (terminal != null) {
      out.add(terminal);
    }
    return out;
  }

  @Test
  @DisplayName("every codex-cli fixture gives its exact event sequence with exactly one terminal event")
  void everyFixture() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(Peers.fixtures().resolve("codex-cli"))) {
      files = s.filter(f -> f.toString().endsWith(".jsonl")).sorted().toList();
    }
    assertThat(files).isNotEmpty();
    assertThat(CASES.keySet()).as("every fixture has a case and every case a fixture")
        .containsExactlyInAnyOrderElementsOf(files.stream().map(f -> f.getFileName().toString()).toList());
    for (Path f : files) {
      Case c = CASES.get(f.getFileName().toString());
      List<RunEvent> events = replay(new CodexEventParser(c.storedThread(), c.schema()), Files.readAllLines(f),
          c.exitCode(), c.stderr());
      assertThat(events.stream().map(CodexEventParserTest::describe).toList()).as(f.getFileName().toString())
          .containsExactlyElementsOf(c.expected());
      assertThat(events.stream().filter(RecordingSink::isTerminal)).as(f.getFileName().toString()).hasSize(1);
    }
  }

  @Test
  @DisplayName("usage: the turn's usage is the run's last report, with turns and the model (SPEC §12.4)")
  void usageReport() throws IOException {
    CodexEventParser p = new CodexEventParser(null, false);
    assertThat(p.usageReport("gpt-5.5", null)).as("before turn.completed").isNull();
    replay(p, Files.readAllLines(Peers.fixtures().resolve("codex-cli/codex-plain.jsonl")), 0, "");
    UsageReport r = p.usageReport("gpt-5.5", null);
    assertThat(r).isEqualTo(new UsageReport(120, 20, 12, 3, 132, null, "gpt-5.5", 1, true));
    assertThat(p.threadUsage().path("input_tokens").asLong()).isEqualTo(120);
  }

  @Test
  @DisplayName("usage of a resumed thread: codex reports the thread's running total; the run reports its own share")
  void resumedUsageIsTheDelta() throws Exception {
    CodexEventParser p = new CodexEventParser("01a1ff9d-2a30-78d2-bf3d-56604ac41472", false);
    replay(p, Files.readAllLines(Peers.fixtures().resolve("codex-cli/codex-resume.jsonl")), 0, "");
    UsageReport r = p.usageReport(null, new ObjectMapper().readTree(USAGE_2));
    assertThat(r).isEqualTo(new UsageReport(120, 20, 12, 3, 132, null, null, 1, true));
    assertThat(p.usageReport(null, null).inputTokens()).as("without a baseline").isEqualTo(360);
  }

  @Test
  @DisplayName("the thread id of thread.started is exposed for bindSession")
  void threadId() {
    CodexEventParser p = new CodexEventParser(null, false);
    assertThat(p.threadId()).isNull();
    p.onLine("{\"type\":\"thread.started\",\"thread_id\":\"t-1\"}");
    assertThat(p.threadId()).isEqualTo("t-1");
  }

  @Test
  @DisplayName("malformed lines, unknown event types and non-object JSON are ignored, never fatal")
  void robustToGarbage() {
    CodexEventParser p = new CodexEventParser(null, false);
    assertThat(p.onLine("not json at all")).isEmpty();
    assertThat(p.onLine("{\"type\":")).isEmpty();
    assertThat(p.onLine("[1,2]")).isEmpty();
    assertThat(p.onLine("")).isEmpty();
    assertThat(p.onLine("{\"type\":\"turn.mystery\",\"x\":1}")).isEmpty();
    assertThat(p.onLine("{\"type\":\"item.completed\"}")).isEmpty();
    assertThat(p.onLine("{\"type\":\"item.completed\",\"item\":{\"type\":\"brand_new\",\"text\":\"hm\"}}"))
        .extracting(CodexEventParserTest::describe)
        .containsExactly("reasoning {\"text\":\"hm\",\"item_type\":\"brand_new\"}");
    assertThat(p.onLine("{\"type\":\"item.started\",\"item\":{\"type\":\"brand_new\",\"text\":\"hm\"}}")).isEmpty();
  }

  @Test
  @DisplayName("commands report started, updated and finished with their aggregated output")
  void commandPhases() {
    CodexEventParser p = new CodexEventParser(null, false);
    String item = "{\"id\":\"i\",\"type\":\"command_execution\",\"command\":\"ls\",\"aggregated_output\":\"a\\n\","
        + "\"exit_code\":null,\"status\":\"in_progress\"}";
    assertThat(p.onLine("{\"type\":\"item.updated\",\"item\":" + item + "}"))
        .extracting(CodexEventParserTest::describe)
        .containsExactly("command_updated {\"command\":\"ls\",\"output\":\"a\\n\",\"status\":\"in_progress\",\"exit_code\":null}");
  }

  @Test
  @DisplayName("MCP tool calls start once and finish with result, error and status; web search is a codex tool")
  void tools() {
    CodexEventParser p = new CodexEventParser(null, false);
    String started = "{\"type\":\"item.started\",\"item\":{\"id\":\"m1\",\"type\":\"mcp_tool_call\",\"server\":\"docs\","
        + "\"tool\":\"search\",\"arguments\":{\"q\":\"x\"},\"status\":\"in_progress\"}}";
    String updated = started.replace("item.started", "item.updated");
    String done = "{\"type\":\"item.completed\",\"item\":{\"id\":\"m1\",\"type\":\"mcp_tool_call\",\"server\":\"docs\","
        + "\"tool\":\"search\",\"arguments\":{\"q\":\"x\"},\"result\":{\"content\":[]},\"error\":null,\"status\":\"completed\"}}";
    List<RunEvent> events = new ArrayList<>();
    events.addAll(p.onLine(started));
    events.addAll(p.onLine(updated));
    events.addAll(p.onLine(done));
    events.addAll(p.onLine("{\"type\":\"item.started\",\"item\":{\"id\":\"w\",\"type\":\"web_search\",\"query\":\"codex sdk\"}}"));
    events.addAll(p.onLine("{\"type\":\"item.completed\",\"item\":{\"id\":\"w\",\"type\":\"web_search\",\"query\":\"codex sdk\"}}"));
    assertThat(events).extracting(CodexEventParserTest::describe).containsExactly(
        "tool_started {\"server\":\"docs\",\"tool\":\"search\",\"arguments\":{\"q\":\"x\"}}",
        "tool_finished {\"server\":\"docs\",\"tool\":\"search\",\"arguments\":{\"q\":\"x\"},\"result\":{\"content\":[]},"
            + "\"error\":null,\"status\":\"completed\"}",
        "tool_started {\"server\":\"codex\",\"tool\":\"web_search\",\"arguments\":{\"query\":\"codex sdk\"}}",
        "tool_finished {\"server\":\"codex\",\"tool\":\"web_search\",\"arguments\":{\"query\":\"codex sdk\"},"
            + "\"status\":\"completed\"}");
  }

  @Test
  @DisplayName("todo lists become todo_updated with text and completed flags")
  void todos() {
    CodexEventParser p = new CodexEventParser(null, false);
    assertThat(p.onLine("{\"type\":\"item.updated\",\"item\":{\"id\":\"t\",\"type\":\"todo_list\",\"items\":"
        + "[{\"text\":\"one\",\"completed\":true},{\"text\":\"two\",\"completed\":false}]}}"))
        .extracting(CodexEventParserTest::describe)
        .containsExactly("todo_updated {\"items\":[{\"text\":\"one\",\"completed\":true},{\"text\":\"two\",\"completed\":false}]}");
  }

  @Test
  @DisplayName("a non-zero exit without turn.failed names the exit code and the cleaned stderr tail")
  void nonZeroExit() {
    CodexEventParser p = new CodexEventParser("gone", false);
    String stderr = "WARNING: proceeding, even though we could not create PATH aliases\nReading prompt from stdin...\n"
        + "Error: thread/resume: no rollout found for thread id gone\n\nStack backtrace:\n   0: <unknown>";
    RunEvent t = p.finish(1, stderr);
    assertThat(t).isInstanceOf(RunEvent.RunFailed.class);
    assertThat(((RunEvent.RunFailed) t).message())
        .isEqualTo("codex exited with code 1: Error: thread/resume: no rollout found for thread id gone");
    assertThat(t.toData().path("stderr").asText()).isEqualTo(stderr);
    assertThat(p.finish(1, stderr)).as("only one terminal event").isNull();
  }

  @Test
  @DisplayName("exit 0 without turn.completed is a failure that mentions the last error")
  void exitZeroWithoutTurnCompleted() {
    CodexEventParser p = new CodexEventParser(null, false);
    p.onLine("{\"type\":\"error\",\"message\":\"Reconnecting... 1/5\"}");
    RunEvent t = p.finish(0, "");
    assertThat(describe(t)).isEqualTo("run_failed {\"message\":\"codex exited without completing the turn: Reconnecting... 1/5\"}");
  }

  @Test
  @DisplayName("a completed turn with a non-zero exit code still fails")
  void completedButNonZero() {
    CodexEventParser p = new CodexEventParser(null, false);
    p.onLine("{\"type\":\"turn.completed\",\"usage\":{}}");
    assertThat(describe(p.finish(143, "")))
        .isEqualTo("run_failed {\"message\":\"codex exited with code 143: (no output on stderr)\"}");
  }

  @Test
  @DisplayName("a final message that is not JSON gives structured_output null and a note")
  void structuredOutputNotJson() {
    CodexEventParser p = new CodexEventParser(null, true);
    p.onLine("{\"type\":\"item.completed\",\"item\":{\"id\":\"a\",\"type\":\"agent_message\",\"text\":\"not { json\"}}");
    p.onLine("{\"type\":\"turn.completed\",\"usage\":{\"input_tokens\":1}}");
    assertThat(describe(p.finish(0, ""))).isEqualTo("run_completed {\"final_response\":\"not { json\",\"usage\":"
        + "{\"input_tokens\":1},\"structured_output\":null,\"structured_output_error\":\"the final agent message is not valid JSON\"}");
  }

  @Test
  @DisplayName("the watchdog failure names the timeout, and nothing follows it")
  void timedOut() {
    CodexEventParser p = new CodexEventParser(null, false);
    assertThat(describe(p.timedOut(1500, ""))).isEqualTo("run_failed {\"message\":\"codex timed out after 1500 ms\"}");
    assertThat(p.finish(0, "")).isNull();
    assertThat(p.onLine("{\"type\":\"item.completed\",\"item\":{\"type\":\"agent_message\",\"text\":\"late\"}}")).isEmpty();
  }
}
