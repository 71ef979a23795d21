package dev.orch.mcp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orch.backend.codex.testing.MockResponsesApi;
import dev.orch.core.testing.Peers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC §6, the TS server's global registry: the real server process (MCP Java SDK client over stdio) finds a run
 * the TS server wrote and registered only in {@code $NANOBOT_ORCHESTRATOR_HOME/registry.json}, by bare run_id, and
 * adds the runs it creates to that file (with their cwd) without losing the TS server's entries.
 */
@DisplayName("The TS server's registry.json: Orch finds TS runs by bare run_id and registers its own runs")
class TsRegistryInteropTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The run id of {@code fixtures/seed-store/codex-run}. */
  private static final String TS_RUN = "1bf2731e-f4f7-48ef-a4b4-9e95f0e08fd2";
  private static final String TS_CWD = "/projects/proj1";

  @TempDir
  Path tmp;

  private MockResponsesApi model;
  private Map<String, String> env;
  private Path home;
  private Path tsCwd;
  private Path orchCwd;

  @BeforeEach
  void setUp() throws IOException {
    model = MockResponsesApi.start();
    env = ServerProcesses.isolatedEnv(tmp);
    home = Path.of(env.get("NANOBOT_ORCHESTRATOR_HOME"));
    tsCwd = ServerProcesses.mkdirs(tmp.resolve("ts-project")).toRealPath();
    orchCwd = ServerProcesses.mkdirs(tmp.resolve("orch-project")).toRealPath();
    plantTsRun();
    Files.writeString(home.resolve("registry.json"), "{\n  \"runs\": {\n    \"" + TS_RUN + "\": {\n"
        + "      \"cwd\": \"" + tsCwd + "\",\n      \"updated_at\": \"2026-11-21T19:35:36.169Z\"\n    }\n  }\n}\n");
    assertThat(home.resolve("run-index.jsonl")).as("the TS run is in the TS registry only").doesNotExist();
  }

  @AfterEach
  void tearDown() {
    model.close();
  }

  @Test
  @DisplayName("get_run, poll_events and get_event_artifact find the TS run by bare run_id; after an Orch run the"
      + " registry holds it with its cwd and still holds the TS entry")
  void interop() throws Exception {
    ServerProcesses.useCodexWithMock(env, model.baseUrl());
    try (McpRuns orch = McpRuns.start(env)) {
      JsonNode run = orch.getRun(TS_RUN);
      assertThat(run.path("status").asText()).isEqualTo("completed");
      assertThat(run.path("cwd").asText()).isEqualTo(tsCwd.toString());
      assertThat(run.path("last_seq").asLong()).isEqualTo(13);

      JsonNode page = orch.call("poll_events", McpRuns.object().put("run_id", TS_RUN).put("after_seq", 0)
          .put("wait_ms", 0));
      assertThat(page.path("status").asText()).isEqualTo("completed");
      assertThat(page.path("events")).hasSize(13);
      assertThat(page.at("/events/0/type").asText()).isEqualTo("run_started");
      assertThat(page.path("next_after_seq").asLong()).isEqualTo(13);

      JsonNode artifact = orch.call("get_event_artifact", McpRuns.object().put("run_id", TS_RUN).put("seq", 6)
          .put("field_path", "/output").put("limit", 100));
      assertThat(artifact.path("total_bytes").asLong()).isEqualTo(11_889);
      assertThat(artifact.path("returned_bytes").asLong()).isEqualTo(100);
      assertThat(artifact.path("has_more").asBoolean()).isTrue();
      assertThat(artifact.path("content").asText()).isEqualTo(Files.readString(
          Peers.fixtures().resolve("seed-store/codex-run/artifacts/000006-command_finished/output.0001.txt"))
          .substring(0, 100));

      JsonNode listed = orch.call("list_runs", McpRuns.object());
      assertThat(runIds(listed)).as("list_runs across cwds").contains(TS_RUN);

      String orchRun = orch.spawn(McpRuns.object().put("backend", "codex").put("role", "worker")
          .put("cwd", orchCwd.toString()).put("session_mode", "new").put("prompt", "Say hello"))
          .path("run_id").asText();
      assertThat(orch.awaitTerminal(orchRun, Duration.ofSeconds(90))).isEqualTo("completed");

      JsonNode runs = JSON.readTree(home.resolve("registry.json").toFile()).path("runs");
      assertThat(runs.at("/" + orchRun + "/cwd").asText()).isEqualTo(orchCwd.toString());
      assertThat(runs.at("/" + orchRun + "/updated_at").asText()).endsWith("Z");
      assertThat(runs.at("/" + TS_RUN + "/cwd").asText()).isEqualTo(tsCwd.toString());
      assertThat(runs.at("/" + TS_RUN + "/updated_at").asText()).isEqualTo("2026-11-21T19:35:36.169Z");
      assertThat(runs.size()).isEqualTo(2);
      assertThat(home.resolve("registry.json.lock")).doesNotExist();
      assertThat(runIds(orch.call("list_runs", McpRuns.object()))).contains(TS_RUN, orchRun);
    }
  }

  private static List<String> runIds(JsonNode listRuns) {
    List<String> ids = new ArrayList<>();
    listRuns.path("runs").forEach(r -> ids.add(r.path("run_id").asText()));
    return ids;
  }

  /** Copies the TS server's codex run into {@code <tsCwd>/.nanobot-orchestrator/runs/<id>}, its paths mapped. */
  private void plantTsRun() throws IOException {
    Path from = Peers.fixtures().resolve("seed-store/codex-run");
    Path to = ServerProcesses.mkdirs(tsCwd.resolve(".nanobot-orchestrator/runs").resolve(TS_RUN));
    for (String f : List.of("run.json", "events.jsonl", "result.json")) {
      Files.writeString(to.resolve(f), Files.readString(from.resolve(f)).replace(TS_CWD, tsCwd.toString()));
    }
    try (Stream<Path> files = Files.walk(from.resolve("artifacts"))) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        ServerProcesses.mkdirs(target.getParent());
        Files.copy(p, target);
      }
    }
  }
}
