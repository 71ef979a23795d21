package dev.orch.mcp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 9 item 4 against a real server process: malformed {@code tools/call} params are answered as
 * {@code docs/mcp-tools.md} ("Malformed calls") says, huge echoed values come back cut, names with control
 * characters are refused at validation with nothing persisted, and no answer carries a Java class name, a stack
 * trace or a server path.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("Answers are clean: malformed calls, huge values, control characters and store failures")
class AnswerHygieneTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CALL = Duration.ofSeconds(60);
  private static final String RUN = "6f1c1c2e-0000-4000-8000-00000000a001";

  @TempDir
  static Path tmp;

  private RawServer server;
  private Path cwd;
  private Path home;

  @BeforeAll
  void start() throws Exception {
    cwd = ServerProcesses.mkdirs(tmp.resolve("work")).toRealPath();
    Map<String, String> env = ServerProcesses.isolatedEnv(tmp);
    home = Path.of(env.get("NANOBOT_ORCHESTRATOR_HOME"));
    seedRunWithLostArtifact();
    server = new RawServer(tmp, Map.of());
    server.initialize();
  }

  @AfterAll
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  static Stream<Arguments> malformedCalls() {
    return Stream.of(
        Arguments.of("no params", null, -32602, null),
        Arguments.of("params an array", "[1,2]", -32602, null),
        Arguments.of("params a string", "\"get_run\"", -32600, null),
        Arguments.of("no name", "{\"arguments\":{}}", -32602, null),
        Arguments.of("name null", "{\"name\":null,\"arguments\":{}}", -32602, null),
        Arguments.of("name a number", "{\"name\":5,\"arguments\":{}}", -32602, null),
        Arguments.of("name an object", "{\"name\":{\"x\":1}}", -32602, null),
        Arguments.of("unknown tool", "{\"name\":\"no_such_tool\",\"arguments\":{}}", 0,
            "Error: Unknown tool: no_such_tool. Known tools: cancel_run, continue_run, fetch_agent_messages, "
                + "get_event_artifact, get_run"),
        Arguments.of("empty tool name", "{\"name\":\"\"}", 0, "Error: Unknown tool: . Known tools: "),
        Arguments.of("arguments an array", "{\"name\":\"get_run\",\"arguments\":[1,2]}", 0,
            "Invalid arguments for tool get_run: (root): expected object, got array"),
        Arguments.of("arguments a string", "{\"name\":\"get_run\",\"arguments\":\"x\"}", 0,
            "Invalid arguments for tool get_run: (root): expected object, got string"),
        Arguments.of("arguments a number", "{\"name\":\"poll_events\",\"arguments\":1.5}", 0,
            "Invalid arguments for tool poll_events: (root): expected object, got number"),
        Arguments.of("arguments missing", "{\"name\":\"get_run\"}", 0,
            "Invalid arguments for tool get_run: run_id: Provide run_id or agent_name"),
        Arguments.of("arguments null", "{\"name\":\"get_run\",\"arguments\":null}", 0,
            "Invalid arguments for tool get_run: run_id: Provide run_id or agent_name"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedCalls")
  @DisplayName("a malformed tools/call gets -32602 when it names no tool, else a tool result with isError")
  void malformedToolCalls(String label, String params, int code, String text) throws Exception {
    long id = server.nextId();
    String line = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\""
        + (params == null ? "" : ",\"params\":" + params) + "}";
    JsonNode answer = send(id, line);
    if (code != 0) {
      assertThat(answer.at("/error/code").asInt()).as("%s", answer).isEqualTo(code);
      assertThat(answer.has("result")).isFalse();
      assertClean(answer.at("/error/message").asText());
      assertThat(answer.at("/error/data").isMissingNode()).as("no data with internals").isTrue();
    } else {
      assertThat(answer.at("/result/isError").asBoolean()).as("%s", answer).isTrue();
      assertThat(answer.at("/result/content/0/text").asText()).startsWith(text);
    }
    assertThat(server.call("list_runs", "{}", CALL).at("/result/isError").asBoolean()).isFalse();
  }

  @Test
  @DisplayName("a 15 MB run_id and a 100 000-character tool name are not echoed back")
  void hugeValuesAreCut() throws Exception {
    String huge = "r".repeat(15 * 1024 * 1024);
    JsonNode run = server.call("get_run", "{\"run_id\":\"" + huge + "\"}", CALL);
    String text = run.at("/result/content/0/text").asText();
    assertThat(run.at("/result/isError").asBoolean()).isTrue();
    assertThat(text).startsWith("Error: ").hasSizeLessThan(2500).contains("characters)");

    long id = server.nextId();
    JsonNode tool = send(id, "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\""
        + "t".repeat(100_000) + "\",\"arguments\":{}}}");
    assertThat(tool.at("/result/content/0/text").asText()).startsWith("Error: Unknown tool: ttt")
        .hasSizeLessThan(1000);
  }

  static Stream<Arguments> controlCharacters() {
    return Stream.of(
        Arguments.of("spawn_run", "nickname", "a\u0000b", "U+0000 at index 1"),
        Arguments.of("spawn_run", "nickname", "line\nbreak", "U+000A at index 4"),
        Arguments.of("spawn_run", "nickname", "bell\u0007", "U+0007 at index 4"),
        Arguments.of("spawn_run", "nickname", "c1\u0085", "U+0085 at index 2"),
        Arguments.of("get_run", "agent_name", "x\ty", "U+0009 at index 1"),
        Arguments.of("send_agent_message", "to_agent_name", "del\u007f", "U+007F at index 3"),
        Arguments.of("send_agent_message", "from_agent_name", "\u001bx", "U+001B at index 0"),
        Arguments.of("fetch_agent_messages", "agent_name", "a\rb", "U+000D at index 1"));
  }

  @ParameterizedTest(name = "{0} {1} {3}")
  @MethodSource("controlCharacters")
  @DisplayName("a name with a control character is refused at validation, naming the field, and nothing is stored")
  void controlCharactersInNames(String tool, String field, String value, String found) throws Exception {
    ObjectNode args = JSON.createObjectNode();
    switch (tool) {
      case "spawn_run" -> args.put("backend", "codex").put("role", "worker").put("cwd", cwd.toString())
          .put("session_mode", "new").put("prompt", "hello");
      case "send_agent_message" -> {
        args.put("to_agent_name", "peer").put("cwd", cwd.toString());
        args.putObject("message").put("role", "user").putArray("parts").addObject().put("type", "text")
            .put("text", "hi");
      }
      default -> args.put("cwd", cwd.toString());
    }
    args.put(field, value);
    JsonNode answer = server.call(tool, JSON.writeValueAsString(args), CALL);
    assertThat(answer.at("/result/isError").asBoolean()).isTrue();
    assertThat(answer.at("/result/content/0/text").asText()).isEqualTo("Invalid arguments for tool " + tool + ": "
        + field + ": must not contain control characters (found " + found + ")");
    Path store = cwd.resolve(".nanobot-orchestrator");
    assertThat(store.resolve("sessions")).as("no session stored").satisfiesAnyOf(
        p -> assertThat(p).doesNotExist(),
        p -> assertThat(Files.list(p).filter(f -> f.toString().endsWith(".json")).toList()).isEmpty());
  }

  @Test
  @DisplayName("a store failure (an artifact chunk gone) answers a stable text with an incident id, no path or class")
  void storeFailureIsSanitized() throws Exception {
    JsonNode answer = server.call("get_event_artifact", "{\"run_id\":\"" + RUN + "\",\"seq\":1,\"field_path\":"
        + "\"/text\"}", CALL);
    String text = answer.at("/result/content/0/text").asText();
    assertThat(answer.at("/result/isError").asBoolean()).as(text).isTrue();
    assertThat(text).matches("Error: the run store failed: a file or directory is missing \\(incident [0-9a-f]{8}; "
        + "details in the server log\\)");
    String incident = text.replaceAll(".*incident ([0-9a-f]{8}).*", "$1");
    assertThat(server.stderr()).as("the log holds the details under the incident id").contains("incident " + incident)
        .contains("NoSuchFileException");
  }

  @Test
  @DisplayName("no answer written in this session names a Java class, holds a stack trace or a server path")
  void nothingLeaks() throws Exception {
    server.call("get_run", "{\"run_id\":\"../../etc/passwd\"}", CALL);
    long id = server.nextId();
    JsonNode init = send(id, "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"initialize\",\"params\":"
        + "{\"protocolVersion\":{\"x\":1}}}");
    assertThat(init.at("/error/message").asText()).as("the SDK's exception text is replaced")
        .matches("Internal error \\(incident [0-9a-f]{8}; details in the server log\\)");
    List<String> lines = server.lines();
    for (String line : lines) {
      assertClean(line);
      assertThat(line).doesNotContain(home.toString()).doesNotContain(System.getProperty("user.home") + "/");
    }
  }

  private JsonNode send(long id, String line) throws Exception {
    int before = server.lines().size();
    server.send(line);
    long deadline = System.nanoTime() + CALL.toNanos();
    while (System.nanoTime() < deadline) {
      List<String> lines = server.lines();
      for (String l : lines.subList(before, lines.size())) {
        JsonNode n = JSON.readTree(l);
        if (n.path("id").asLong(-1) == id) {
          return n;
        }
      }
      Thread.sleep(10);
    }
    throw new AssertionError("no answer to " + id + "; stderr:\n" + server.stderr());
  }

  private static void assertClean(String text) {
    assertThat(text).doesNotContain("Exception").doesNotContain("java.").doesNotContain("com.fasterxml")
        .doesNotContain("io.modelcontextprotocol").doesNotContain("\tat ").doesNotContain("NullPointer");
  }

  /** A run whose manifest names an artifact chunk that is not on disk. */
  private void seedRunWithLostArtifact() throws Exception {
    Path run = ServerProcesses.mkdirs(cwd.resolve(".nanobot-orchestrator/runs/" + RUN));
    Files.writeString(run.resolve("run.json"), "{\"runId\":\"" + RUN + "\",\"backend\":\"codex\",\"role\":\"worker\","
        + "\"sessionId\":\"6f1c1c2e-0000-4000-8000-00000000b001\",\"agentName\":\"agent1\",\"status\":\"completed\","
        + "\"cwd\":\"" + cwd + "\",\"prompt\":\"p\",\"metadata\":{},\"remoteRef\":null,"
        + "\"startedAt\":\"2026-11-21T19:35:35.748Z\",\"updatedAt\":\"2026-11-21T19:35:36.169Z\","
        + "\"completedAt\":\"2026-11-21T19:35:36.169Z\",\"lastSeq\":1,\"summary\":\"Run completed\",\"result\":null,"
        + "\"error\":null}", StandardCharsets.UTF_8);
    Files.writeString(run.resolve("events.jsonl"), "{\"seq\":1,\"ts\":\"2026-11-21T19:35:36.000Z\",\"run_id\":\"" + RUN
        + "\",\"session_id\":\"6f1c1c2e-0000-4000-8000-00000000b001\",\"backend\":\"codex\",\"type\":"
        + "\"agent_message\",\"data\":{\"text\":\"preview\"}}\n", StandardCharsets.UTF_8);
    Path artifacts = ServerProcesses.mkdirs(run.resolve("artifacts/000001-agent_message"));
    Files.writeString(artifacts.resolve("manifest.json"), "{\"seq\":1,\"event_type\":\"agent_message\",\"fields\":"
        + "{\"/text\":{\"field_path\":\"/text\",\"relpath\":\"artifacts/000001-agent_message/manifest.json\","
        + "\"mime\":\"text/plain\",\"encoding\":\"utf-8\",\"total_bytes\":10,\"total_chars\":10,\"chunk_count\":1,"
        + "\"truncated\":true,\"chunks\":[{\"file\":\"text.0001.txt\",\"bytes\":10}]}}}", StandardCharsets.UTF_8);
    Files.writeString(home.resolve("run-index.jsonl"), "{\"run_id\":\"" + RUN + "\",\"cwd\":\"" + cwd + "\"}\n",
        StandardCharsets.UTF_8);
  }
}
