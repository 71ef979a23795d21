package dev.orch.store.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orch.core.OrchException;
import dev.orch.core.Role;
import dev.orch.core.RunId;
import dev.orch.core.RunStatus;
import dev.orch.core.SessionId;
import dev.orch.core.spi.ArtifactField;
import dev.orch.core.spi.ArtifactManifest;
import dev.orch.core.spi.EventArtifacts;
import dev.orch.core.spi.InboxMessage;
import dev.orch.core.spi.RunRecord;
import dev.orch.core.spi.RunResult;
import dev.orch.core.spi.RunStore;
import dev.orch.core.spi.RunStoreProvider;
import dev.orch.core.spi.SessionRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The file store keeps runs, sessions, inboxes and artifacts as SPEC §5/§6 describe")
class FsRunStoreTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path cwd;
  @TempDir
  Path otherCwd;
  @TempDir
  Path home;
  private FsRunStore store;

  @BeforeEach
  void setUp() {
    store = new FsRunStore(new FsStoreSettings(home, FsStoreSettings.DEFAULT_DIR_NAME));
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  /** @return a queued run of agent1 in cwd, created in the store (its lease released) */
  private RunRecord createdRun() {
    RunRecord run = Records.queuedRun(cwd, SessionId.random(), "agent1");
    store.createRun(run).close();
    return run;
  }

  private Path runDir(RunRecord run) {
    return run.cwd().resolve(".nanobot-orchestrator/runs").resolve(run.runId().value());
  }

  @Test
  @DisplayName("a run created in one store is found by a fresh store through the global index, in any cwd")
  void runsAcrossStoresAndCwds() {
    RunRecord a = Records.queuedRun(cwd, SessionId.random(), "agent1");
    RunRecord b = Records.queuedRun(otherCwd, SessionId.random(), "agent1");
    store.createRun(a).close();
    store.createRun(b).close();
    try (FsRunStore fresh = new FsRunStore(new FsStoreSettings(home, FsStoreSettings.DEFAULT_DIR_NAME))) {
      assertThat(fresh.findRun(a.runId())).get().extracting(RunRecord::cwd).isEqualTo(cwd);
      assertThat(fresh.findRun(b.runId())).isPresent();
      assertThat(fresh.findRun(RunId.random())).isEmpty();
      assertThat(fresh.findRun(new RunId("../../etc"))).isEmpty();
      assertThat(fresh.listRuns(null)).extracting(RunRecord::runId).containsExactlyInAnyOrder(a.runId(), b.runId());
      assertThat(fresh.listRuns(otherCwd)).extracting(RunRecord::runId).containsExactly(b.runId());
    }
  }

  @Test
  @DisplayName("saveRun of a terminal run writes result.json: the result when completed, null otherwise")
  void resultJson() throws Exception {
    RunRecord run = createdRun();
    store.saveRun(run.withProgress(RunStatus.RUNNING, "Run started", 1, Records.now()));
    assertThat(runDir(run).resolve("result.json")).doesNotExist();

    JsonNode structured = JSON.readTree("{\"ok\":true}");
    RunRecord done = run.withProgress(RunStatus.COMPLETED, "Run completed", 2, Records.now())
        .withOutcome(new RunResult("all done", structured, null, null), null);
    store.saveRun(done);
    assertThat(Files.readString(runDir(run).resolve("result.json")))
        .isEqualTo("{\n  \"finalResponse\": \"all done\",\n  \"structuredOutput\": {\n    \"ok\": true\n  }\n}\n");
    RunRecord back = store.findRun(run.runId()).orElseThrow();
    assertThat(back.result().structuredOutput()).isEqualTo(structured);
    assertThat(back.completedAt()).isNotNull();
    assertThat(back.role()).isEqualTo(Role.WORKER);

    RunRecord failed = Records.queuedRun(cwd, SessionId.random(), "agent2");
    store.createRun(failed).close();
    store.saveRun(failed.withProgress(RunStatus.FAILED, "Run failed: boom", 1, Records.now()).withOutcome(null, "boom"));
    assertThat(Files.readString(runDir(failed).resolve("result.json"))).isEqualTo("null\n");
    assertThat(store.findRun(failed.runId()).orElseThrow().error()).isEqualTo("boom");
  }

  @Test
  @DisplayName("a malformed run.json or session file is skipped in listings, never a crash")
  void malformedFilesSkipped() throws Exception {
    RunRecord run = createdRun();
    Path broken = Files.createDirectories(cwd.resolve(".nanobot-orchestrator/runs/broken"));
    Files.writeString(broken.resolve("run.json"), "{\"runId\": ");
    Files.createDirectories(cwd.resolve(".nanobot-orchestrator/sessions"));
    Files.writeString(cwd.resolve(".nanobot-orchestrator/sessions/bad.json"), "[]");
    store.createSession(cwd, null, name -> Records.session(cwd, name));
    assertThat(store.listRuns(cwd)).extracting(RunRecord::runId).containsExactly(run.runId());
    assertThat(store.listSessions(cwd)).hasSize(1);
    assertThat(store.findRun(new RunId("broken"))).isEmpty();
  }

  @Test
  @DisplayName("agent names: a trimmed nickname must be unique, otherwise the smallest free agent<N> is chosen")
  void agentNames() {
    SessionRecord s1 = store.createSession(cwd, null, name -> Records.session(cwd, name));
    SessionRecord s2 = store.createSession(cwd, "  reviewer  ", name -> Records.session(cwd, name));
    SessionRecord s3 = store.createSession(cwd, "", name -> Records.session(cwd, name));
    assertThat(List.of(s1.agentName(), s2.agentName(), s3.agentName()))
        .containsExactly("agent1", "reviewer", "agent2");
    assertThatThrownBy(() -> store.createSession(cwd, "reviewer", name -> Records.session(cwd, name)))
        .isInstanceOf(OrchException.class).hasMessage("Agent name is already in use: reviewer")
        .extracting(e -> ((OrchException) e).code()).isEqualTo(OrchException.ErrorCode.CONFLICT);
    assertThat(store.createSession(otherCwd, "reviewer", name -> Records.session(otherCwd, name)).agentName())
        .as("names are unique per cwd").isEqualTo("reviewer");

    SessionRecord updated = s1.withBackendSession("thread-1", null, Records.now())
        .withLastRun(new RunId("r1"), Role.PLANNER, Records.now());
    store.saveSession(updated);
    try (FsRunStore fresh = new FsRunStore(new FsStoreSettings(home, FsStoreSettings.DEFAULT_DIR_NAME))) {
      SessionRecord back = fresh.findSession(s1.sessionId(), null).orElseThrow();
      assertThat(back.backendSessionId()).isEqualTo("thread-1");
      assertThat(back.role()).isEqualTo(Role.PLANNER);
      assertThat(back.lastRunId()).isEqualTo(new RunId("r1"));
      assertThat(fresh.listSessions(null)).as("session-only cwds are indexed too").hasSize(4);
      assertThat(fresh.findSession(SessionId.random(), cwd)).isEmpty();
    }
  }

  @Test
  @DisplayName("inbox messages get seqs 1..N, keep their wire keys, and page by after_seq")
  void inbox() throws Exception {
    SessionRecord to = store.createSession(cwd, "lead", name -> Records.session(cwd, name));
    for (int i = 1; i <= 5; i++) {
      InboxMessage m = store.appendInbox(to, Records.message(to, "agent" + i, "hello " + i));
      assertThat(m.seq()).isEqualTo(i);
    }
    assertThat(store.readInbox(to, 2, 2)).extracting(InboxMessage::seq).containsExactly(3L, 4L);
    assertThat(store.readInbox(to, 0, 100)).extracting(m -> m.body().text())
        .containsExactly("hello 1", "hello 2", "hello 3", "hello 4", "hello 5");
    Path file = cwd.resolve(".nanobot-orchestrator/sessions").resolve(to.sessionId().value() + ".inbox.jsonl");
    JsonNode first = JSON.readTree(Files.readAllLines(file).get(0));
    assertThat(first.fieldNames()).toIterable().containsExactly("message_id", "seq", "from_agent_name",
        "from_session_id", "to_agent_name", "to_session_id", "created_at", "body", "metadata");
    assertThat(first.get("body").get("parts").get(0).get("text").asText()).isEqualTo("hello 1");

    Files.writeString(file, "{\"message_id\":\"torn", java.nio.file.StandardOpenOption.APPEND);
    assertThat(store.appendInbox(to, Records.message(to, null, "after torn")).seq()).isEqualTo(6);
    assertThat(store.readInbox(to, 5, 10)).extracting(m -> m.body().text()).containsExactly("after torn");
  }

  @Test
  @DisplayName("artifacts are chunked at 65536 bytes, described by a manifest, and read back across chunks")
  void artifacts() throws Exception {
    RunRecord run = createdRun();
    byte[] text = "é".repeat(40_000).getBytes(StandardCharsets.UTF_8);
    byte[] json = "{\"a\": 1}".getBytes(StandardCharsets.UTF_8);
    store.writeArtifacts(run, 12, "command_finished", List.of(
        new ArtifactField("/output", "text/plain", text, 40_000),
        new ArtifactField("/input/content", "application/json", json, -1)));

    Path dir = runDir(run).resolve("artifacts/000012-command_finished");
    assertThat(dir.resolve("output.0001.txt")).hasSize(65536);
    assertThat(dir.resolve("output.0002.txt")).hasSize(text.length - 65536);
    assertThat(dir.resolve("input.content.0001.json")).hasBinaryContent(json);
    JsonNode manifestJson = JSON.readTree(dir.resolve("manifest.json").toFile());
    assertThat(manifestJson.fieldNames()).toIterable().containsExactly("seq", "event_type", "fields");
    JsonNode output = manifestJson.get("fields").get("/output");
    assertThat(output.fieldNames()).toIterable().containsExactly("field_path", "relpath", "mime", "encoding",
        "total_bytes", "total_chars", "chunk_count", "truncated", "chunks");
    assertThat(output.get("relpath").asText()).isEqualTo("artifacts/000012-command_finished/manifest.json");
    assertThat(output.get("chunk_count").asInt()).isEqualTo(2);
    assertThat(manifestJson.get("fields").get("/input/content").has("total_chars")).isFalse();

    ArtifactManifest m = store.readManifest(run, 12).orElseThrow();
    assertThat(m.fields().get("/output").totalChars()).isEqualTo(40_000);
    assertThat(store.readArtifact(run, m, "/output", 0, 1 << 20)).isEqualTo(text);
    assertThat(store.readArtifact(run, m, "/output", 65530, 20)).isEqualTo(Arrays.copyOfRange(text, 65530, 65550));
    assertThat(store.readArtifact(run, m, "/output", text.length - 3, 100)).hasSize(3);
    assertThat(store.readArtifact(run, m, "/output", text.length, 100)).isEmpty();
    assertThat(store.readArtifact(run, m, "/input/content", 0, 65536)).isEqualTo(json);
    assertThatThrownBy(() -> store.readArtifact(run, m, "/nope", 0, 10)).isInstanceOf(OrchException.class)
        .hasMessage("No artifact for field_path /nope. Available field paths: /output, /input/content");
    assertThat(store.readManifest(run, 13)).isEmpty();
  }

  @Test
  @DisplayName("an artifact read spans chunks, stops at the stored end, and a chunk file shorter than its manifest says"
      + " gives the bytes that are there (the next chunk follows them)")
  void artifactReadsAcrossChunksAndShortFiles() throws Exception {
    RunRecord run = createdRun();
    byte[] text = new byte[3 * 65536 + 100];
    for (int i = 0; i < text.length; i++) {
      text[i] = (byte) ('a' + i % 26);
    }
    store.writeArtifacts(run, 7, "command_finished", List.of(new ArtifactField("/output", "text/plain", text,
        text.length)));
    ArtifactManifest m = store.readManifest(run, 7).orElseThrow();
    assertThat(store.readArtifact(run, m, "/output", 65536 - 5, 2 * 65536 + 10))
        .isEqualTo(Arrays.copyOfRange(text, 65536 - 5, 3 * 65536 + 5));
    assertThat(store.readArtifact(run, m, "/output", 3 * 65536, 262144)).isEqualTo(
        Arrays.copyOfRange(text, 3 * 65536, text.length));
    assertThat(store.readArtifact(run, m, "/output", text.length + 5, 10)).isEmpty();
    assertThat(store.readArtifact(run, m, "/output", 0, 0)).isEmpty();

    Path first = runDir(run).resolve("artifacts/000007-command_finished/output.0001.txt");
    Files.write(first, Arrays.copyOf(text, 65536 - 10));
    byte[] expected = new byte[65536 + 20];
    System.arraycopy(text, 0, expected, 0, 65536 - 10);
    System.arraycopy(text, 65536, expected, 65536 - 10, 30);
    assertThat(store.readArtifact(run, m, "/output", 0, 65536 + 20)).isEqualTo(expected);
  }

  @Test
  @DisplayName("a group commit's batch of artifacts: every event's chunks and manifest readable afterwards, no temporary"
      + " file left, a second write of an event replaces its manifest")
  void artifactBatch() throws Exception {
    RunRecord run = createdRun();
    byte[] big = "b".repeat(65536 + 7).getBytes(StandardCharsets.UTF_8);
    byte[] json = "[1,2]".getBytes(StandardCharsets.UTF_8);
    store.writeArtifacts(run, List.of(
        new EventArtifacts(3, "command_finished", List.of(new ArtifactField("/output", "text/plain", big, big.length))),
        new EventArtifacts(5, "tool_call", List.of(new ArtifactField("/input", "application/json", json, -1))),
        new EventArtifacts(9, "command_finished", List.of(
            new ArtifactField("/output", "text/plain", "nine".getBytes(StandardCharsets.UTF_8), 4)))));

    ArtifactManifest three = store.readManifest(run, 3).orElseThrow();
    assertThat(three.fields().get("/output").chunks()).extracting(ArtifactManifest.Chunk::file)
        .containsExactly("output.0001.txt", "output.0002.txt");
    assertThat(store.readArtifact(run, three, "/output", 0, 1 << 20)).isEqualTo(big);
    assertThat(store.readArtifact(run, store.readManifest(run, 5).orElseThrow(), "/input", 0, 100)).isEqualTo(json);
    ArtifactManifest nine = store.readManifest(run, 9).orElseThrow();
    assertThat(store.readArtifact(run, nine, "/output", 0, 100)).asString(StandardCharsets.UTF_8).isEqualTo("nine");
    assertThat(store.readManifest(run, 4)).isEmpty();
    try (var files = Files.walk(runDir(run).resolve("artifacts"))) {
      assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
    }

    store.writeArtifacts(run, List.of(new EventArtifacts(9, "command_finished", List.of(
        new ArtifactField("/output", "text/plain", "again".getBytes(StandardCharsets.UTF_8), 5)))));
    Path manifest = runDir(run).resolve("artifacts/000009-command_finished/manifest.json");
    assertThat(JSON.readTree(manifest.toFile()).at("/fields/~1output/total_bytes").asInt()).isEqualTo(5);
  }

  @Test
  @DisplayName("a batch with one unsafe name writes nothing; an I/O failure leaves no temporary manifest")
  void artifactBatchFailures() throws Exception {
    RunRecord run = createdRun();
    byte[] b = {'x'};
    assertThatThrownBy(() -> store.writeArtifacts(run, List.of(
        new EventArtifacts(1, "reasoning", List.of(new ArtifactField("/a", "text/plain", b, 1))),
        new EventArtifacts(2, "reasoning", List.of(new ArtifactField("/..", "text/plain", b, 1))))))
        .isInstanceOf(OrchException.class).hasMessageContaining("would escape the artifact directory: ..");
    assertThat(runDir(run).resolve("artifacts")).doesNotExist();

    // the second event's directory cannot be created: a file has its name
    Files.createDirectories(runDir(run).resolve("artifacts"));
    Files.writeString(runDir(run).resolve("artifacts/000002-reasoning"), "in the way");
    assertThatThrownBy(() -> store.writeArtifacts(run, List.of(
        new EventArtifacts(1, "reasoning", List.of(new ArtifactField("/a", "text/plain", b, 1))),
        new EventArtifacts(2, "reasoning", List.of(new ArtifactField("/a", "text/plain", b, 1))))))
        .isInstanceOf(OrchException.class).hasMessageContaining("cannot write artifacts in");
    try (var files = Files.walk(runDir(run).resolve("artifacts"))) {
      assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"))
          .noneMatch(n -> n.equals("manifest.json"));
    }
  }

  @Test
  @DisplayName("pointers, event types and chunk names that would escape the artifact directory are refused")
  void artifactEscapes() {
    RunRecord run = createdRun();
    byte[] b = {1};
    assertThatThrownBy(() -> store.writeArtifacts(run, 1, "../x", List.of(new ArtifactField("/a", "text/plain", b, 1))))
        .isInstanceOf(OrchException.class);
    assertThatThrownBy(() -> store.writeArtifacts(run, 1, "reasoning", List.of(new ArtifactField("/..", "text/plain", b, 1))))
        .isInstanceOf(OrchException.class);
    assertThatThrownBy(() -> store.writeArtifacts(run, 1, "reasoning", List.of(new ArtifactField("/", "text/plain", b, 1))))
        .isInstanceOf(OrchException.class);
    ArtifactManifest evil = new ArtifactManifest(1, "reasoning", Map.of("/a", new ArtifactManifest.Entry("/a", "",
        "text/plain", "utf-8", 10, 10, true, List.of(new ArtifactManifest.Chunk("../../run.json", 10)))));
    assertThatThrownBy(() -> store.readArtifact(run, evil, "/a", 0, 10)).isInstanceOf(OrchException.class)
        .hasMessageContaining("escape");
  }

  @Test
  @DisplayName("I/O failures become OrchException STORE naming the path")
  void ioFailures() throws Exception {
    Path fileAsCwd = Files.writeString(cwd.resolve("plain-file"), "x");
    RunRecord run = Records.queuedRun(fileAsCwd, SessionId.random(), "agent1");
    assertThatThrownBy(() -> store.createRun(run)).isInstanceOf(OrchException.class)
        .satisfies(e -> assertThat(((OrchException) e).code()).isEqualTo(OrchException.ErrorCode.STORE))
        .hasMessageContaining(fileAsCwd.toString());
  }

  @Test
  @DisplayName("the provider is found by ServiceLoader as 'fs' and honours NANOBOT_ORCHESTRATOR_HOME and ORCH_STORE_DIR_NAME")
  void provider() {
    RunStoreProvider provider = ServiceLoader.load(RunStoreProvider.class).stream().map(ServiceLoader.Provider::get)
        .filter(p -> p.id().equals("fs")).findFirst().orElseThrow();
    assertThat(provider).isInstanceOf(FsRunStoreProvider.class);
    try (RunStore s = provider.open(Map.of("NANOBOT_ORCHESTRATOR_HOME", home.toString(),
        "ORCH_STORE_DIR_NAME", ".orch-test"))) {
      RunRecord run = Records.queuedRun(cwd, SessionId.random(), "agent1");
      s.createRun(run).close();
      assertThat(cwd.resolve(".orch-test/runs").resolve(run.runId().value()).resolve("run.json")).exists();
      assertThat(home.resolve("run-index.jsonl")).exists();
      assertThat(home.resolve("active").resolve(run.runId().value() + ".json")).exists();
      s.runEnded(run);
      assertThat(home.resolve("active").resolve(run.runId().value() + ".json")).doesNotExist();
    }
    assertThat(FsStoreSettings.fromEnvironment(Map.of()).home())
        .isEqualTo(Path.of(System.getProperty("user.home"), ".nanobot-orchestrator"));
    assertThat(FsStoreSettings.fromEnvironment(Map.of("NANOBOT_ORCHESTRATOR_HOME", "~/x")).home())
        .isEqualTo(Path.of(System.getProperty("user.home"), "x"));
    assertThatThrownBy(() -> FsStoreSettings.fromEnvironment(Map.of("ORCH_STORE_DIR_NAME", "../up")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("temp files left by a killed writer are removed when the run is opened; a fresh one is kept")
  void leftoverTempFilesRemoved() throws Exception {
    RunRecord run = createdRun();
    Path dir = runDir(run);
    Path old = dir.resolve(".run.json.1a2b3c.tmp");
    Path fresh = dir.resolve(".run.json.4d5e6f.tmp");
    Files.writeString(old, "{\"half\": ");
    Files.writeString(fresh, "{\"being\": ");
    Files.setLastModifiedTime(old, java.nio.file.attribute.FileTime.from(
        java.time.Instant.now().minus(java.time.Duration.ofMinutes(5))));
    store.openEventLog(run).close();
    assertThat(old).doesNotExist();
    assertThat(fresh).exists();
  }

  @Test
  @DisplayName("run documents (attach, spawn) are stored atomically next to run.json and read back")
  void runDocuments() throws Exception {
    RunRecord run = createdRun();
    assertThat(store.readDocument(run, "attach")).isEmpty();
    var doc = JSON.createObjectNode().put("pid", 42);
    store.saveDocument(run, "attach", doc);
    assertThat(store.readDocument(run, "attach")).contains(doc);
    assertThat(runDir(run).resolve("attach.json")).exists();
    assertThatThrownBy(() -> store.saveDocument(run, "../evil", doc)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.saveDocument(run, "run", doc)).isInstanceOf(IllegalArgumentException.class);
    Files.writeString(runDir(run).resolve("spawn.json"), "{not json");
    assertThat(store.readDocument(run, "spawn")).isEmpty();
  }

  @Test
  @DisplayName("list_runs pages come from the per-cwd index: newest first, filtered, with the total; runs copied in "
      + "and status changes made by another store instance are seen")
  void listingIndex() throws Exception {
    java.util.List<RunRecord> runs = new java.util.ArrayList<>();
    for (int i = 0; i < 30; i++) {
      RunRecord r = Records.queuedRun(cwd, SessionId.random(), "agent" + i);
      r = new RunRecord(r.runId(), i % 3 == 0 ? "claude_code" : "codex", r.role(), r.sessionId(), r.agentName(),
          r.status(), r.cwd(), r.prompt(), null, null, null, java.time.Instant.ofEpochSecond(1_700_000_000L + i),
          r.updatedAt(), null, 0, "", null, null, null, null, null, null, null);
      store.createRun(r).close();
      runs.add(r);
    }
    var page = store.listRuns(new dev.orch.core.spi.RunFilter(cwd, null, null, null), 5, 10);
    assertThat(page.total()).isEqualTo(30);
    java.util.List<RunId> expected = new java.util.ArrayList<>();
    for (int i = 24; i >= 15; i--) {
      expected.add(runs.get(i).runId());
    }
    assertThat(page.runs()).extracting(r -> r.runId()).containsExactlyElementsOf(expected);
    assertThat(store.listRuns(new dev.orch.core.spi.RunFilter(cwd, null, "claude_code", null), 0, 100).total())
        .isEqualTo(10);

    try (FsRunStore other = new FsRunStore(new FsStoreSettings(home, FsStoreSettings.DEFAULT_DIR_NAME))) {
      assertThat(other.listRuns(new dev.orch.core.spi.RunFilter(cwd, RunStatus.QUEUED, null, null), 0, 100).total())
          .isEqualTo(30);
      RunRecord done = runs.get(7).withProgress(RunStatus.COMPLETED, "Run completed", 3, Records.now());
      store.saveRun(done);
      assertThat(other.listRuns(new dev.orch.core.spi.RunFilter(cwd, RunStatus.COMPLETED, null, null), 0, 100)
          .runs()).extracting(RunRecord::runId).containsExactly(done.runId());

      RunRecord copied = Records.queuedRun(cwd, SessionId.random(), "copied");
      Path source = otherCwd.resolve("src");
      try (FsRunStore scratch = new FsRunStore(new FsStoreSettings(otherCwd.resolve("home"),
          FsStoreSettings.DEFAULT_DIR_NAME))) {
        scratch.createRun(new RunRecord(copied.runId(), copied.backend(), copied.role(), copied.sessionId(),
            copied.agentName(), copied.status(), source, "p", null, null, null, Records.now(), Records.now(), null, 0,
            "", null, null, null, null, null, null, null)).close();
      }
      Files.createDirectories(source);
      String json = Files.readString(source.resolve(".nanobot-orchestrator/runs/" + copied.runId() + "/run.json"))
          .replace(source.toString(), cwd.toString());
      Path target = cwd.resolve(".nanobot-orchestrator/runs/" + copied.runId());
      Files.createDirectories(target);
      Files.writeString(target.resolve("run.json"), json);
      assertThat(other.listRuns(new dev.orch.core.spi.RunFilter(cwd, null, null, null), 0, 100).total())
          .isEqualTo(31);
    }
  }
}
