package dev.orch.store.fs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orch.core.RunId;
import dev.orch.core.SessionId;
import dev.orch.core.spi.RunRecord;
import dev.orch.core.testing.Peers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The file store and the TS server share registry.json: each finds the other's runs (SPEC §6)")
class TsRegistryStoreTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TS_RUN = "1bf2731e-f4f7-48ef-a4b4-9e95f0e08fd2";

  @TempDir
  Path tsCwd;
  @TempDir
  Path orchCwd;
  @TempDir
  Path home;
  private FsRunStore store;

  @BeforeEach
  void setUp() throws IOException {
    copyTree(Peers.fixtures().resolve("seed-store/codex-run"), tsCwd.resolve(".nanobot-orchestrator/runs/" + TS_RUN));
    Files.writeString(home.resolve("registry.json"), "{\n  \"runs\": {\n    \"" + TS_RUN + "\": {\n      \"cwd\": \""
        + tsCwd + "\",\n      \"updated_at\": \"2026-11-21T19:35:36.169Z\"\n    }\n  }\n}\n");
    store = new FsRunStore(new FsStoreSettings(home, FsStoreSettings.DEFAULT_DIR_NAME));
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  @Test
  @DisplayName("a run the TS server registered only in registry.json is found by bare run_id and listed across cwds")
  void findsTsRuns() {
    RunRecord run = store.findRun(new RunId(TS_RUN)).orElseThrow();
    assertThat(run.lastSeq()).isEqualTo(13);
    assertThat(store.readEvents(run, 0, 100)).hasSize(13);
    assertThat(store.readManifest(run, 6)).isPresent();
    assertThat(store.listRuns(null)).extracting(RunRecord::runId).contains(new RunId(TS_RUN));
  }

  @Test
  @DisplayName("createRun adds the run to registry.json with its cwd and keeps the TS server's entry")
  void registersOrchRuns() throws Exception {
    RunRecord run = Records.queuedRun(orchCwd, SessionId.random(), "agent1");
    store.createRun(run).close();

    JsonNode runs = JSON.readTree(home.resolve("registry.json").toFile()).get("runs");
    assertThat(runs.at("/" + run.runId().value() + "/cwd").asText()).isEqualTo(orchCwd.toString());
    assertThat(runs.at("/" + run.runId().value() + "/updated_at").asText()).matches("\\d{4}-.*T.*\\.\\d{3}Z");
    assertThat(runs.at("/" + TS_RUN + "/cwd").asText()).isEqualTo(tsCwd.toString());
    assertThat(home.resolve("registry.json.lock")).doesNotExist();
    try (FsRunStore fresh = new FsRunStore(new FsStoreSettings(home, FsStoreSettings.DEFAULT_DIR_NAME))) {
      assertThat(fresh.listRuns(null)).extracting(RunRecord::runId).contains(run.runId(), new RunId(TS_RUN));
    }
  }

  @Test
  @DisplayName("with a malformed registry, runs are still created and found through Orch's own index; the file is kept")
  void malformedRegistryKeepsOrchWorking() throws Exception {
    byte[] broken = "{\"runs\": {\"x\": {\"cwd\": \"/x\"".getBytes(StandardCharsets.UTF_8);
    Files.write(home.resolve("registry.json"), broken);
    RunRecord run = Records.queuedRun(orchCwd, SessionId.random(), "agent1");
    store.createRun(run).close();

    assertThat(Files.readAllBytes(home.resolve("registry.json"))).isEqualTo(broken);
    try (FsRunStore fresh = new FsRunStore(new FsStoreSettings(home, FsStoreSettings.DEFAULT_DIR_NAME))) {
      assertThat(fresh.findRun(run.runId())).isPresent();
      assertThat(fresh.listRuns(null)).extracting(RunRecord::runId).containsExactly(run.runId());
    }
  }

  private static void copyTree(Path src, Path dst) throws IOException {
    try (Stream<Path> s = Files.walk(src)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path target = dst.resolve(src.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else if (!p.getFileName().toString().endsWith("-run-events.jsonl")
            && !p.getFileName().toString().equals("session.json")) {
          Files.copy(p, target);
        }
      }
    }
  }
}
