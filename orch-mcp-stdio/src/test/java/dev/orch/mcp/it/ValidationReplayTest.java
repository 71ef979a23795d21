package dev.orch.mcp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orch.backend.codex.testing.MockResponsesApi;
import dev.orch.core.testing.Peers;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays every case of {@code fixtures/seed-mcp/validation-errors.jsonl} (the TS server's answers) against a real
 * server process. {@code /projects/proj1} is a temp dir seeded with the TS server's codex run (session
 * {@code worker1}), a second completed run {@code b4fa0629-…} on that session and an idle session {@code agent5}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("The 33 recorded TS validation cases give the same errors (field, rule) and the same success shapes")
class ValidationReplayTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TS_PROJ = "/projects/proj1";
  private static final String SEED_RUN = "1bf2731e-f4f7-48ef-a4b4-9e95f0e08fd2";
  private static final String SECOND_RUN = "b4fa0629-88de-4353-ab45-17c313388af0";
  private static final String SESSION = "8180bd65-e8c3-4046-aa9d-672bba9ca66d";
  private static final String IDLE_SESSION = "799d136b-3f54-42f1-9d2b-7bfd9f2765d1";

  @TempDir
  static Path tmp;

  private Path proj;
  private MockResponsesApi model;
  private McpSyncClient client;

  @BeforeAll
  void start() throws Exception {
    proj = ServerProcesses.mkdirs(tmp.resolve("proj1")).toRealPath();
    Map<String, String> env = ServerProcesses.isolatedEnv(tmp);
    seed(Path.of(env.get("NANOBOT_ORCHESTRATOR_HOME")));
    model = MockResponsesApi.start();
    ServerProcesses.useCodexWithMock(env, model.baseUrl());
    client = ServerProcesses.client(env);
  }

  @AfterAll
  void stop() throws Exception {
    List<ProcessHandle> tree = ServerProcesses.tree(ServerProcesses.process(client));
    if (client != null) {
      client.closeGracefully();
    }
    if (model != null) {
      model.close();
    }
    ServerProcesses.assertNoneLeft(tree);
  }

  Stream<Arguments> cases() throws IOException {
    List<String> lines = Files.readAllLines(Peers.fixtures().resolve("seed-mcp/validation-errors.jsonl"));
    List<Arguments> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      JsonNode c = JSON.readTree(lines.get(i));
      out.add(Arguments.of(i + 1, c.get("tool").asText(), c));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "case {0}: {1}")
  @MethodSource("cases")
  @DisplayName("answers like the TS server")
  void replay(int number, String tool, JsonNode recorded) throws Exception {
    String args = mapPaths(recorded.get("arguments").toString());
    McpSchema.CallToolResult ours = client.callTool(McpSchema.CallToolRequest.builder(tool)
        .arguments(JSON.readValue(args, new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {
        })).build());
    JsonNode expected = recorded.get("result");
    String text = ((McpSchema.TextContent) ours.content().get(0)).text();
    if (expected.path("isError").asBoolean(false)) {
      assertThat(ours.isError()).as("isError, text: %s", text).isTrue();
      assertSameError(tool, mapPaths(expected.get("text").asText()), text);
    } else {
      assertThat(ours.isError()).as("isError, text: %s", text).isFalse();
      assertSameShape(expected.get("structuredContent"), JSON.valueToTree(ours.structuredContent()));
      assertThat(JSON.readTree(text)).isEqualTo(JSON.valueToTree(ours.structuredContent()));
    }
  }

  private void assertSameError(String tool, String ts, String ours) throws IOException {
    String marker = "Invalid arguments for tool " + tool + ": ";
    int at = ts.indexOf(marker);
    if (at < 0) {
      String message = ts.replaceFirst("^Error: ", "");
      assertThat(ours).startsWith("Error: ");
      if (message.startsWith("ENOENT")) {
        assertThat(ours).contains("cwd").contains("/projects/does-not-exist")
            .containsAnyOf("cwd does not exist", "cwd is not a directory");
      } else if (message.startsWith("profile file not found or unreadable")) {
        assertThat(ours).contains("profile file not found or unreadable: missing-profile.md");
      } else {
        assertThat(ours).contains(message);
      }
      return;
    }
    assertThat(ours).startsWith(marker);
    for (JsonNode issue : JSON.readTree(ts.substring(at + marker.length()))) {
      List<String> parts = new ArrayList<>();
      issue.get("path").forEach(p -> parts.add(p.asText()));
      String path = String.join(".", parts);
      String code = issue.get("code").asText();
      String rule = switch (code) {
        case "custom" -> issue.get("message").asText();
        case "invalid_value" -> "expected one of " + quoted(issue.get("values"));
        case "too_small" -> switch (issue.get("origin").asText()) {
          case "string" -> "must have at least " + issue.get("minimum").asLong() + " character";
          case "array" -> "must have at least " + issue.get("minimum").asLong() + " item";
          default -> "must be >= " + issue.get("minimum").asLong();
        };
        case "too_big" -> "must be <= " + issue.get("maximum").asLong();
        case "invalid_type" -> "is required";
        case "invalid_union" -> "expected one of \"text\"|\"data\"|\"file\"";
        default -> throw new AssertionError("unexpected TS issue code " + code);
      };
      assertThat(ours).as("names %s and its rule", path).contains(path + ": " + rule);
    }
  }

  private static String quoted(JsonNode values) {
    List<String> q = new ArrayList<>();
    values.forEach(v -> q.add("\"" + v.asText() + "\""));
    return String.join("|", q);
  }

  /** Keys Orch adds to the seed tools' outputs (SPEC §12.4 usage, §12.7 workspace, paging totals). */
  private static final Set<String> ORCH_ADDITIONS = Set.of("usage", "workspace", "total");

  /**
   * Same keys recursively for objects, plus only Orch's documented additions; for arrays, each of our items has the
   * keys of the TS server's first item (plus additions).
   */
  private static void assertSameShape(JsonNode expected, JsonNode actual) {
    assertSameKeys(keys(expected), keys(actual), "keys of " + actual);
    for (Iterator<String> it = expected.fieldNames(); it.hasNext();) {
      String k = it.next();
      JsonNode e = expected.get(k);
      JsonNode a = actual.get(k);
      if (e.isArray() && e.size() > 0) {
        assertThat(a.isArray() && a.size() > 0).as("%s is a non-empty array", k).isTrue();
        a.forEach(item -> assertSameKeys(keys(e.get(0)), keys(item), "keys of an item of " + k));
      } else if (!e.isNull() && !k.equals("metadata")) {
        assertThat(a.getNodeType()).as("type of %s", k).isEqualTo(e.getNodeType());
      }
    }
  }

  private static void assertSameKeys(Set<String> ts, Set<String> ours, String what) {
    assertThat(ours).as("keys of %s", what).containsAll(ts);
    Set<String> extra = new TreeSet<>(ours);
    extra.removeAll(ts);
    assertThat(extra).as("keys Orch adds to %s", what).isSubsetOf(ORCH_ADDITIONS);
  }

  private static Set<String> keys(JsonNode n) {
    Set<String> out = new TreeSet<>();
    n.fieldNames().forEachRemaining(out::add);
    return out;
  }

  private String mapPaths(String text) {
    return text.replace(TS_PROJ, proj.toString());
  }

  /** Writes the TS server's codex run and session (paths mapped) plus a second run and an idle session. */
  private void seed(Path orchHome) throws IOException {
    Path fixture = Peers.fixtures().resolve("seed-store/codex-run");
    Path store = proj.resolve(".nanobot-orchestrator");
    copyRun(fixture, store.resolve("runs").resolve(SEED_RUN), SEED_RUN, true);
    copyRun(fixture, store.resolve("runs").resolve(SECOND_RUN), SECOND_RUN, false);
    Path sessions = ServerProcesses.mkdirs(store.resolve("sessions"));
    String session = mapPaths(Files.readString(fixture.resolve("session.json")));
    Files.writeString(sessions.resolve(SESSION + ".json"), session);
    Files.writeString(sessions.resolve(IDLE_SESSION + ".json"), session.replace(SESSION, IDLE_SESSION)
        .replace("\"worker1\"", "\"agent5\""));
    Files.writeString(orchHome.resolve("run-index.jsonl"),
        "{\"run_id\":\"" + SEED_RUN + "\",\"cwd\":\"" + proj + "\"}\n"
            + "{\"run_id\":\"" + SECOND_RUN + "\",\"cwd\":\"" + proj + "\"}\n", StandardCharsets.UTF_8);
  }

  private void copyRun(Path from, Path to, String runId, boolean withArtifacts) throws IOException {
    ServerProcesses.mkdirs(to);
    for (String f : List.of("run.json", "events.jsonl", "result.json")) {
      Files.writeString(to.resolve(f), mapPaths(Files.readString(from.resolve(f))).replace(SEED_RUN, runId));
    }
    if (withArtifacts) {
      try (Stream<Path> files = Files.walk(from.resolve("artifacts"))) {
        for (Path p : files.filter(Files::isRegularFile).toList()) {
          Path target = to.resolve(from.relativize(p).toString());
          ServerProcesses.mkdirs(target.getParent());
          Files.copy(p, target);
        }
      }
    }
  }
}
