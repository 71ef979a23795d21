package dev.orch.backend.claude.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orch.backend.claude.internal.ClaudeStreamParser.Output;
import dev.orch.core.AgentMessage;
import dev.orch.core.EventType;
import dev.orch.core.RunEvent;
import dev.orch.core.RunStatus;
import dev.orch.core.spi.UsageReport;
import dev.orch.core.testing.Peers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@DisplayName("ClaudeStreamParser maps the real Claude Code transcripts (fixtures/claude-cli)")
class ClaudeStreamParserTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  static Path dir() {
    return Peers.fixtures().resolve("claude-cli");
  }

  static List<Output> parse(String fixture, boolean structured) throws IOException {
    ClaudeStreamParser p = new ClaudeStreamParser(structured);
    List<Output> out = new ArrayList<>();
    for (String line : Files.readAllLines(dir().resolve(fixture))) {
      out.addAll(p.accept(line));
    }
    return out;
  }

  static List<RunEvent> events(List<Output> out) {
    List<RunEvent> events = new ArrayList<>();
    for (Output o : out) {
      if (o instanceof Output.Event e) {
        events.add(e.event());
      } else if (o instanceof Output.Result r) {
        events.add(r.terminal());
      }
    }
    return events;
  }

  static List<Output.Result> results(List<Output> out) {
    return out.stream().filter(o -> o instanceof Output.Result).map(o -> (Output.Result) o).toList();
  }

  static Stream<String> transcripts() throws IOException {
    try (Stream<Path> s = Files.list(dir())) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jsonl") && !n.endsWith(".stdin.jsonl"))
          .sorted().toList().stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transcripts")
  @DisplayName("every transcript yields at least one result, and each turn exactly one terminal event at its end")
  void everyTranscriptEndsWithResults(String fixture) throws IOException {
    List<Output> out = parse(fixture, fixture.contains("json-schema"));
    assertThat(results(out)).isNotEmpty();
    assertThat(out.get(out.size() - 1)).isInstanceOf(Output.Result.class);
    assertThat(events(out).stream().filter(e -> e.type() == EventType.STATUS_CHANGED).count()).isLessThanOrEqualTo(1);
    for (Output.Result r : results(out)) {
      assertThat(r.terminal()).isInstanceOfAny(RunEvent.RunCompleted.class, RunEvent.RunFailed.class);
      assertThat(r.usage().has("total_cost_usd")).isTrue();
    }
  }

  @Test
  @DisplayName("a plain answer: init → running with session, model, tools, cwd; text → agent_message; result → run_completed with usage")
  void plain() throws IOException {
    List<Output> out = parse("claude-plain.jsonl", false);
    List<RunEvent> ev = events(out);
    assertThat(ev).extracting(RunEvent::type).containsExactly(EventType.STATUS_CHANGED, EventType.AGENT_MESSAGE,
        EventType.RUN_COMPLETED);
    RunEvent.StatusChanged running = (RunEvent.StatusChanged) ev.get(0);
    assertThat(running.status()).isEqualTo(RunStatus.RUNNING);
    JsonNode d = running.toData();
    assertThat(d.path("backend_session_id").asText()).isEqualTo("d0ebe0ba-96db-49f0-bbd0-298ccace00ee");
    assertThat(d.path("model").asText()).isEqualTo("claude-opus-4-8[1m]");
    assertThat(d.path("tools")).isNotEmpty();
    assertThat(d.path("cwd").asText()).isEqualTo("/workspace");
    assertThat(out).contains(new Output.SessionBound("d0ebe0ba-96db-49f0-bbd0-298ccace00ee"));
    assertThat(ev.get(1).toData().path("text").asText()).isEqualTo("Hello from mock model.");
    JsonNode done = ev.get(2).toData();
    assertThat(done.path("final_response").asText()).isEqualTo("Hello from mock model.");
    JsonNode usage = done.path("usage");
    assertThat(usage.path("total_cost_usd").asDouble()).isEqualTo(0.0009100000000000001);
    assertThat(usage.path("usage").path("input_tokens").asInt()).isEqualTo(120);
    assertThat(usage.path("model_usage").has("claude-opus-4-8[1m]")).isTrue();
    assertThat(usage.path("duration_ms").asInt()).isEqualTo(206);
    assertThat(usage.path("duration_api_ms").asInt()).isEqualTo(42);
    assertThat(usage.path("num_turns").asInt()).isEqualTo(1);
    assertThat(usage.path("stop_reason").asText()).isEqualTo("end_turn");
  }

  @Test
  @DisplayName("a Bash tool use maps to command_started and its result to command_finished with exit code 0")
  void bash() throws IOException {
    List<RunEvent> ev = events(parse("claude-bash.jsonl", false));
    assertThat(ev).extracting(RunEvent::type).containsExactly(EventType.STATUS_CHANGED, EventType.AGENT_MESSAGE,
        EventType.COMMAND_STARTED, EventType.COMMAND_FINISHED, EventType.AGENT_MESSAGE, EventType.RUN_COMPLETED);
    JsonNode started = ev.get(2).toData();
    assertThat(started.path("command").asText()).isEqualTo("echo hi > out.txt");
    assertThat(started.path("tool").asText()).isEqualTo("Bash");
    assertThat(started.path("tool_use_id").asText()).isEqualTo("toolu_16bc621bd1aa4fd58116");
    assertThat(started.path("description").asText()).isEqualTo("Write hi to out.txt");
    JsonNode finished = ev.get(3).toData();
    assertThat(finished.path("command").asText()).isEqualTo("echo hi > out.txt");
    assertThat(finished.path("tool_use_id").asText()).isEqualTo("toolu_16bc621bd1aa4fd58116");
    assertThat(finished.path("output").asText()).isEqualTo("(Bash completed with no output)");
    assertThat(finished.path("stdout").asText()).isEmpty();
    assertThat(finished.path("stderr").asText()).isEmpty();
    assertThat(finished.path("exit_code").asInt()).isZero();
    assertThat(finished.path("is_error").asBoolean()).isFalse();
    assertThat(ev.get(5).toData().path("final_response").asText()).isEqualTo("Done: ran the command.");
  }

  @Test
  @DisplayName("an API error with subtype success but is_error true becomes run_failed with the API error text")
  void http500() throws IOException {
    List<RunEvent> ev = events(parse("claude-http500.jsonl", false));
    assertThat(ev.get(ev.size() - 1)).isInstanceOf(RunEvent.RunFailed.class);
    RunEvent.RunFailed failed = (RunEvent.RunFailed) ev.get(ev.size() - 1);
    assertThat(failed.message()).startsWith("API Error: 500 mock internal error");
    assertThat(failed.toData().path("api_error_status").asInt()).isEqualTo(500);
    assertThat(failed.toData().path("usage").has("total_cost_usd")).isTrue();
    assertThat(ev).anySatisfy(e -> assertThat(e.toData().path("text").asText()).contains("API retry 1/1"));
  }

  @Test
  @DisplayName("not logged in (success + is_error) fails the run with the CLI's message")
  void noAuth() throws IOException {
    RunEvent last = results(parse("claude-no-auth.jsonl", false)).get(0).terminal();
    assertThat(last).isInstanceOf(RunEvent.RunFailed.class);
    assertThat(((RunEvent.RunFailed) last).message()).isEqualTo("Not logged in · Please run /login");
  }

  @Test
  @DisplayName("a resume of an unknown session fails with the CLI's error list")
  void resumeUnknown() throws IOException {
    List<Output> out = parse("claude-resume-unknown-session.jsonl", false);
    RunEvent.RunFailed failed = (RunEvent.RunFailed) results(out).get(0).terminal();
    assertThat(failed.message()).isEqualTo("No conversation found with session ID: 11111111-2222-3333-4444-555555555555");
    assertThat(failed.toData().path("subtype").asText()).isEqualTo("error_during_execution");
    assertThat(out).noneMatch(o -> o instanceof Output.SessionBound);
  }

  @Test
  @DisplayName("a resumed session keeps its session id")
  void resume() throws IOException {
    List<Output> out = parse("claude-resume.jsonl", false);
    assertThat(results(out).get(0).sessionId()).isEqualTo("8a58ffa4-88eb-4c65-832d-945f8c061fd2");
    assertThat(results(out).get(0).terminal()).isInstanceOf(RunEvent.RunCompleted.class);
  }

  @Test
  @DisplayName("json schema: the StructuredOutput tool call ends in run_completed.structured_output")
  void jsonSchema() throws IOException {
    List<RunEvent> ev = events(parse("claude-json-schema.jsonl", true));
    assertThat(ev).extracting(RunEvent::type).containsExactly(EventType.STATUS_CHANGED, EventType.TOOL_STARTED,
        EventType.TOOL_FINISHED, EventType.RUN_COMPLETED);
    assertThat(ev.get(1).toData().path("tool").asText()).isEqualTo("StructuredOutput");
    assertThat(ev.get(2).toData().path("tool").asText()).isEqualTo("StructuredOutput");
    assertThat(ev.get(3).toData().path("structured_output").toString()).isEqualTo("{\"answer\":\"42\",\"ok\":true}");
  }

  @Test
  @DisplayName("json schema not followed: the run completes without structured_output")
  void jsonSchemaNotFollowed() throws IOException {
    List<RunEvent> ev = events(parse("claude-json-schema-not-followed.jsonl", true));
    JsonNode done = ev.get(ev.size() - 1).toData();
    assertThat(done.path("final_response").asText()).isEqualTo("Hello from mock model.");
    assertThat(done.has("structured_output")).isFalse();
  }

  @Test
  @DisplayName("permission prompt (allow): a can_use_tool request names the tool, its input and the tool_use_id")
  void permissionAllow() throws IOException {
    List<Output> out = parse("claude-permission-prompt-allow.jsonl", false);
    assertThat(out.get(0)).isEqualTo(new Output.ControlResponse("init_1", null));
    Output.PermissionRequest p = out.stream().filter(o -> o instanceof Output.PermissionRequest)
        .map(o -> (Output.PermissionRequest) o).findFirst().orElseThrow();
    assertThat(p.requestId()).isEqualTo("0de35946-288f-453e-88cd-47f349ee06b3");
    assertThat(p.tool()).isEqualTo("Bash");
    assertThat(p.input().path("command").asText()).isEqualTo("echo hi > out.txt");
    assertThat(p.toolUseId()).isEqualTo("toolu_d58ee0eeeb2f4a82bd56");
    List<RunEvent> ev = events(out);
    assertThat(ev.stream().filter(e -> e.type() == EventType.COMMAND_FINISHED).findFirst().orElseThrow().toData()
        .path("exit_code").asInt()).isZero();
    assertThat(ev.get(ev.size() - 1)).isInstanceOf(RunEvent.RunCompleted.class);
  }

  @Test
  @DisplayName("permission prompt (deny): the tool result is an error without exit code and the run completes listing the denial")
  void permissionDeny() throws IOException {
    List<RunEvent> ev = events(parse("claude-permission-prompt-deny.jsonl", false));
    JsonNode finished = ev.stream().filter(e -> e.type() == EventType.COMMAND_FINISHED).findFirst().orElseThrow()
        .toData();
    assertThat(finished.path("is_error").asBoolean()).isTrue();
    assertThat(finished.path("exit_code").isNull()).isTrue();
    assertThat(finished.path("stderr").asText()).isEqualTo("denied by test driver");
    JsonNode done = ev.get(ev.size() - 1).toData();
    assertThat(done.path("permission_denials").get(0).path("tool_name").asText()).isEqualTo("Bash");
  }

  static List<UsageReport> usage(List<Output> out) {
    return out.stream().filter(o -> o instanceof Output.UsageUpdate).map(o -> ((Output.UsageUpdate) o).report())
        .toList();
  }

  @Test
  @DisplayName("usage: assistant messages add up once per API message (last=false); the result's usage, "
      + "total_cost_usd and num_turns make the last report, right before the result")
  void usageReports() throws IOException {
    List<Output> out = parse("claude-bash.jsonl", false);
    List<UsageReport> reports = usage(out);
    // two API messages (the first streamed as two lines with the same id), then the result
    assertThat(reports).hasSize(3);
    assertThat(reports.get(0)).isEqualTo(new UsageReport(140, 20, 1, 0, 141, null, "claude-opus-4-8", 1, false));
    assertThat(reports.get(1)).isEqualTo(new UsageReport(280, 40, 2, 0, 282, null, "claude-opus-4-8", 2, false));
    UsageReport last = reports.get(2);
    assertThat(last).isEqualTo(new UsageReport(280, 40, 24, 0, 304, 0.0018200000000000002, "claude-opus-4-8", 2,
        true));
    assertThat(out.get(out.size() - 2)).isEqualTo(new Output.UsageUpdate(last));
  }

  @Test
  @DisplayName("usage of a failed result is reported too (tokens spent on an error still count)")
  void usageOfFailure() throws IOException {
    List<UsageReport> reports = usage(parse("claude-http500.jsonl", false));
    assertThat(reports).isNotEmpty();
    UsageReport last = reports.get(reports.size() - 1);
    assertThat(last.last()).isTrue();
    assertThat(last.reportedCostUsd()).isEqualTo(0.0);
    assertThat(last.totalTokens()).isZero();
  }

  @Test
  @DisplayName("interrupt: the interrupted turn ends in an error result, the next turn in the same process completes")
  void interrupt() throws IOException {
    List<Output> out = parse("claude-interrupt-control.jsonl", false);
    assertThat(out).contains(new Output.ControlResponse("int_1", null));
    List<Output.Result> results = results(out);
    assertThat(results).hasSize(2);
    assertThat(results.get(0).terminal()).isInstanceOf(RunEvent.RunFailed.class);
    assertThat(results.get(0).terminal().toData().path("subtype").asText()).isEqualTo("error_during_execution");
    assertThat(results.get(1).terminal().toData().path("final_response").asText()).isEqualTo("Hello from mock model.");
    // stream_event lines (partial messages) carry nothing of their own
    assertThat(events(out).stream().filter(e -> e.type() == EventType.AGENT_MESSAGE).count()).isEqualTo(2);
  }

  @Test
  @DisplayName("multi-turn: two user messages in one process give two results; session-state lines are ignored")
  void multiTurn() throws IOException {
    List<Output.Result> results = results(parse("claude-sdk-stream-multiturn.jsonl", false));
    assertThat(results).hasSize(2);
    assertThat(results).allSatisfy(r -> assertThat(r.terminal()).isInstanceOf(RunEvent.RunCompleted.class));
    assertThat(results.get(1).terminal().toData().path("final_response").asText()).isEqualTo("Hello from mock model.");
  }

  @Test
  @DisplayName("what Orch writes to stdin has the shape of the recorded stdin transcripts")
  void stdinShapes() throws IOException {
    List<String> allow = Files.readAllLines(dir().resolve("claude-permission-prompt-allow.stdin.jsonl"));
    assertThat(ClaudeLaunch.userMessage("RUN_BASH create out.txt")).isEqualTo(JSON.readTree(allow.get(1)));
    JsonNode allowAnswer = JSON.readTree(allow.get(2));
    JsonNode input = allowAnswer.path("response").path("response").path("updatedInput");
    assertThat(ClaudeLaunch.controlSuccess("0de35946-288f-453e-88cd-47f349ee06b3",
        PermissionAnswer.from(AgentMessage.userText("allow")).toResponse(input, "toolu_d58ee0eeeb2f4a82bd56")))
        .isEqualTo(allowAnswer);
    List<String> deny = Files.readAllLines(dir().resolve("claude-permission-prompt-deny.stdin.jsonl"));
    assertThat(ClaudeLaunch.controlSuccess("c2b39411-8f2c-4785-94b1-b9a52179091d",
        PermissionAnswer.from(AgentMessage.userText("deny: denied by test driver")).toResponse(input,
            "toolu_9d2b20d6bd434269b482"))).isEqualTo(JSON.readTree(deny.get(2)));
    List<String> interrupt = Files.readAllLines(dir().resolve("claude-interrupt-control.stdin.jsonl"));
    assertThat(ClaudeLaunch.controlRequest("int_1", "interrupt")).isEqualTo(JSON.readTree(interrupt.get(2)));
    JsonNode init = JSON.readTree(Files.readAllLines(dir().resolve("claude-sdk-stream-multiturn.stdin.jsonl")).get(0));
    assertThat(init.path("request").path("appendSystemPrompt").asText()).isEqualTo("APPENDED-SYSTEM-PROMPT");
  }
}
