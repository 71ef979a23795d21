package dev.orch.store.fs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orch.core.EventType;
import dev.orch.core.NormalizedEvent;
import dev.orch.core.RemoteRef;
import dev.orch.core.Role;
import dev.orch.core.RunId;
import dev.orch.core.RunStatus;
import dev.orch.core.SessionId;
import dev.orch.core.Timestamps;
import dev.orch.core.spi.ArtifactManifest;
import dev.orch.core.spi.RunRecord;
import dev.orch.core.spi.SessionRecord;
import dev.orch.core.testing.Peers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("The file store reads the TS server's files (fixtures/seed-store) and writes the same shape")
class FixtureReadBackTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path cwd;
  @TempDir
  Path home;
  private FsRunStore store;

  @BeforeEach
  void setUp() throws IOException {
    for (String name : List.of("codex-run", "claude-run")) {
      Path src = seed(name);
      String runId = JSON.readTree(src.resolve("run.json").toFile()).get("runId").asText();
      String sessionId = JSON.readTree(src.resolve("session.json").toFile()).get("sessionId").asText();
      Path runDir = cwd.resolve(".nanobot-orchestrator/runs").resolve(runId);
      copyTree(src, runDir);
      Files.delete(runDir.resolve("session.json"));
      Path sessions = Files.createDirectories(cwd.resolve(".nanobot-orchestrator/sessions"));
      Files.copy(src.resolve("session.json"), sessions.resolve(sessionId + ".json"));
    }
    store = new FsRunStore(new FsStoreSettings(home, FsStoreSettings.DEFAULT_DIR_NAME));
    // TS runs are not in Orch's global index: a cwd becomes known to the store once it is listed explicitly
    assertThat(store.findRun(new RunId("1bf2731e-f4f7-48ef-a4b4-9e95f0e08fd2"))).isEmpty();
    assertThat(store.listRuns(cwd)).hasSize(2);
  }

  static Path seed(String name) {
    return Peers.fixtures().resolve("seed-store").resolve(name);
  }

  private static void copyTree(Path src, Path dst) throws IOException {
    try (Stream<Path> s = Files.walk(src)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path target = dst.resolve(src.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.write(target, Files.readAllBytes(p));
        }
      }
    }
  }

  private static JsonNode read(Path p) {
    try {
      return JSON.readTree(p.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  @DisplayName("listRuns and findRun return the codex and claude runs with the fixture's values")
  void runsReadBack() {
    assertThat(store.listRuns(cwd)).extracting(r -> r.runId().value()).containsExactlyInAnyOrder(
        "1bf2731e-f4f7-48ef-a4b4-9e95f0e08fd2", "63a7390e-e6cd-4a9d-ac1e-866965963822");

    RunRecord codex = store.findRun(new RunId("1bf2731e-f4f7-48ef-a4b4-9e95f0e08fd2")).orElseThrow();
    assertThat(codex.backend()).isEqualTo("codex");
    assertThat(codex.role()).isEqualTo(Role.WORKER);
    assertThat(codex.status()).isEqualTo(RunStatus.COMPLETED);
    assertThat(codex.cwd()).isEqualTo(Path.of("/projects/proj1"));
    assertThat(codex.agentName()).isEqualTo("worker1");
    assertThat(codex.prompt()).isEqualTo("List files and update src/a.ts");
    assertThat(codex.profile()).isNull();
    assertThat(codex.metadata().get("task").asText()).isEqualTo("demo");
    assertThat(codex.remoteRef()).isEqualTo(RemoteRef.conversation("codex", "13e53199-8930-4efb-a779-08b5b4147d78"));
    assertThat(codex.lastSeq()).isEqualTo(13);
    assertThat(codex.summary()).isEqualTo("Run completed");
    assertThat(codex.startedAt()).isEqualTo(Timestamps.parse("2026-11-21T19:35:35.748Z"));
    assertThat(codex.completedAt()).isEqualTo(Timestamps.parse("2026-11-21T19:35:36.169Z"));
    assertThat(codex.result().finalResponse()).isEqualTo("Done: listed files and updated src/a.ts.");
    assertThat(codex.result().usage().get("output_tokens").asInt()).isEqualTo(20);
    assertThat(codex.result().structuredOutput()).isNull();
    assertThat(codex.error()).isNull();
    assertThat(codex.outputSchema()).isNull();
    assertThat(codex.backendConfig()).isEmpty();

    RunRecord claude = store.findRun(new RunId("63a7390e-e6cd-4a9d-ac1e-866965963822")).orElseThrow();
    assertThat(claude.backend()).isEqualTo("claude_code");
    assertThat(claude.role()).isEqualTo(Role.REVIEWER);
    assertThat(claude.profile()).isEqualTo("/projects/profile.md");
    assertThat(claude.lastSeq()).isEqualTo(8);
    assertThat(claude.result().usage().get("num_turns").asInt()).isEqualTo(2);
    assertThat(claude.remoteRef().conversationId()).isEqualTo("15da0301-ee8f-4319-8b48-9efa0fc30c62");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"codex-run", "claude-run"})
  @DisplayName("readEvents returns every fixture event in order, equal to the file's lines, and pages by after_seq")
  void eventsReadBack(String name) throws IOException {
    JsonNode runJson = read(seed(name).resolve("run.json"));
    RunRecord run = store.findRun(new RunId(runJson.get("runId").asText())).orElseThrow();
    List<String> lines = Files.readAllLines(seed(name).resolve("events.jsonl"));

    List<NormalizedEvent> all = store.readEvents(run, 0, 1000);
    assertThat(all).hasSize(lines.size()).hasSize((int) run.lastSeq());
    for (int i = 0; i < lines.size(); i++) {
      assertThat(JSON.writeValueAsString(all.get(i).toJson())).isEqualTo(lines.get(i));
    }
    assertThat(all.get(0).type()).isEqualTo(EventType.RUN_STARTED);
    assertThat(all.get(all.size() - 1).type()).isEqualTo(EventType.RUN_COMPLETED);
    assertThat(all).filteredOn(e -> e.type() == EventType.COMMAND_FINISHED).extracting(NormalizedEvent::seq)
        .containsExactly(6L);

    List<NormalizedEvent> paged = new ArrayList<>();
    long after = 0;
    for (List<NormalizedEvent> page = store.readEvents(run, after, 3); !page.isEmpty();
        page = store.readEvents(run, after, 3)) {
      paged.addAll(page);
      after = page.get(page.size() - 1).seq();
    }
    assertThat(paged).extracting(NormalizedEvent::seq).containsExactlyElementsOf(
        all.stream().map(NormalizedEvent::seq).toList());
    assertThat(store.readEvents(run, 5, 2)).extracting(NormalizedEvent::seq).containsExactly(6L, 7L);
    assertThat(store.eventLogVersion(run)).isEqualTo(Files.size(seed(name).resolve("events.jsonl")));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"codex-run", "claude-run"})
  @DisplayName("readManifest and readArtifact return the manifest's entries and the chunk files' bytes")
  void artifactsReadBack(String name) throws IOException {
    RunRecord run = store.findRun(new RunId(read(seed(name).resolve("run.json")).get("runId").asText()))
        .orElseThrow();
    Path artifactDir = seed(name).resolve("artifacts/000006-command_finished");
    JsonNode manifestJson = read(artifactDir.resolve("manifest.json"));

    ArtifactManifest manifest = store.readManifest(run, 6).orElseThrow();
    assertThat(store.readManifest(run, 5)).isEmpty();
    assertThat(manifest.seq()).isEqualTo(6);
    assertThat(manifest.eventType()).isEqualTo("command_finished");
    List<String> pointers = new ArrayList<>();
    manifestJson.get("fields").fieldNames().forEachRemaining(pointers::add);
    assertThat(manifest.fields().keySet()).containsExactlyElementsOf(pointers);

    for (String pointer : pointers) {
      JsonNode f = manifestJson.get("fields").get(pointer);
      ArtifactManifest.Entry e = manifest.fields().get(pointer);
      assertThat(e.mime()).isEqualTo(f.get("mime").asText());
      assertThat(e.totalBytes()).isEqualTo(f.get("total_bytes").asLong());
      assertThat(e.totalChars()).isEqualTo(f.has("total_chars") ? f.get("total_chars").asLong() : -1);
      assertThat(e.relpath()).isEqualTo("artifacts/000006-command_finished/manifest.json");
      byte[] chunk = Files.readAllBytes(artifactDir.resolve(f.get("chunks").get(0).get("file").asText()));
      assertThat(store.readArtifact(run, manifest, pointer, 0, 262144)).isEqualTo(chunk);
      assertThat(store.readArtifact(run, manifest, pointer, 100, 50))
          .isEqualTo(java.util.Arrays.copyOfRange(chunk, 100, 150));
      assertThat(store.readArtifact(run, manifest, pointer, chunk.length, 10)).isEmpty();
    }
  }

  @Test
  @DisplayName("findSession and listSessions return the fixture sessions without Orch's extra keys")
  void sessionsReadBack() {
    SessionRecord s = store.findSession(new SessionId("8180bd65-e8c3-4046-aa9d-672bba9ca66d"), cwd).orElseThrow();
    assertThat(s.agentName()).isEqualTo("worker1");
    assertThat(s.backend()).isEqualTo("codex");
    assertThat(s.backendSessionId()).isEqualTo("13e53199-8930-4efb-a779-08b5b4147d78");
    assertThat(s.remoteRef().conversationId()).isEqualTo("13e53199-8930-4efb-a779-08b5b4147d78");
    assertThat(s.createdAt()).isEqualTo(Timestamps.parse("2026-11-21T19:35:35.746Z"));
    assertThat(s.updatedAt()).isEqualTo(Timestamps.parse("2026-11-21T19:40:08.310Z"));
    assertThat(s.metadata().get("task").asText()).isEqualTo("demo");
    assertThat(s.role()).isNull();
    assertThat(s.lastRunId()).isNull();
    assertThat(store.listSessions(cwd)).extracting(SessionRecord::agentName)
        .containsExactlyInAnyOrder("worker1", "agent1");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"codex-run", "claude-run"})
  @DisplayName("run.json, result.json and the session file we write equal the fixture byte for byte, plus backendConfig")
  void writtenFilesHaveTheFixtureShape(String name) throws IOException {
    Path src = seed(name);
    JsonNode fixture = read(src.resolve("run.json"));
    RunRecord run = store.findRun(new RunId(fixture.get("runId").asText())).orElseThrow();
    store.saveRun(run);
    Path runDir = cwd.resolve(".nanobot-orchestrator/runs").resolve(run.runId().value());

    JsonNode written = read(runDir.resolve("run.json"));
    List<String> expectedKeys = keys(fixture);
    expectedKeys.add("backendConfig");
    assertThat(keys(written)).containsExactlyElementsOf(expectedKeys);
    String withoutExtra = Files.readString(runDir.resolve("run.json"))
        .replace(",\n  \"backendConfig\": {}\n}", "\n}");
    assertThat(withoutExtra).isEqualTo(Files.readString(src.resolve("run.json")));
    assertThat(Files.readString(runDir.resolve("result.json"))).isEqualTo(Files.readString(src.resolve("result.json")));

    JsonNode sessionFixture = read(src.resolve("session.json"));
    SessionRecord session = store.findSession(new SessionId(sessionFixture.get("sessionId").asText()), cwd)
        .orElseThrow();
    store.saveSession(session);
    Path sessionFile = cwd.resolve(".nanobot-orchestrator/sessions").resolve(session.sessionId().value() + ".json");
    assertThat(Files.readString(sessionFile)).isEqualTo(Files.readString(src.resolve("session.json")));
  }

  private static List<String> keys(JsonNode n) {
    List<String> out = new ArrayList<>();
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      out.add(it.next());
    }
    return out;
  }
}
