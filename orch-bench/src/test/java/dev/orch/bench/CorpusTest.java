package dev.orch.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.EventType;
import dev.orch.core.NormalizedEvent;
import dev.orch.core.Role;
import dev.orch.core.RunId;
import dev.orch.core.RunStatus;
import dev.orch.core.SessionId;
import dev.orch.core.internal.sanitize.Sanitized;
import dev.orch.core.internal.sanitize.Sanitizer;
import dev.orch.core.spi.ArtifactManifest;
import dev.orch.core.spi.EventLog;
import dev.orch.core.spi.RunLease;
import dev.orch.core.spi.RunRecord;
import dev.orch.store.fs.FsRunStore;
import dev.orch.store.fs.FsStoreSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The grown stores must be stores the file store reads as it reads its own. */
@DisplayName("The benchmark's big stores")
class CorpusTest {
  @TempDir
  Path tmp;
  FsStoreSettings settings;
  Path cwd;
  RunRecord template;

  @BeforeEach
  @SuppressWarnings("try") // the lease is held while the run is written, as the engine does
  void writeTemplateRun() throws Exception {
    settings = new FsStoreSettings(tmp.resolve("home"), FsStoreSettings.DEFAULT_DIR_NAME);
    cwd = java.nio.file.Files.createDirectories(tmp.resolve("cwd"));
    Instant now = Instant.parse("2026-12-01T12:00:00Z");
    RunRecord run = new RunRecord(RunId.random(), "codex", Role.WORKER, SessionId.random(), "agent1",
        RunStatus.QUEUED, cwd, "flood", null, null, null, now, now, null, 0, "", null, null, null, null, null, null,
        null);
    try (FsRunStore store = new FsRunStore(settings); RunLease lease = store.createRun(run);
        EventLog log = store.openEventLog(run)) {
      ObjectNode output = JsonNodeFactory.instance.objectNode().put("command", "cat build.log")
          .put("output", "y".repeat(8192)).put("status", "completed").put("exit_code", 0);
      Sanitized command = new Sanitizer().sanitize(4, "command_finished", output);
      store.writeArtifacts(run, 4, "command_finished", command.fields());
      List<NormalizedEvent> events = List.of(
          event(run, 1, EventType.RUN_STARTED, JsonNodeFactory.instance.objectNode()),
          event(run, 2, EventType.STATUS_CHANGED, JsonNodeFactory.instance.objectNode().put("status", "running")),
          event(run, 3, EventType.AGENT_MESSAGE, JsonNodeFactory.instance.objectNode().put("text", "step 1")),
          event(run, 4, EventType.COMMAND_FINISHED, command.data()),
          event(run, 5, EventType.RUN_COMPLETED, JsonNodeFactory.instance.objectNode().put("final_response", "ok")));
      events.forEach(log::append);
      template = run.withProgress(RunStatus.COMPLETED, "done", 5, now);
      store.saveRun(template);
      store.runEnded(template);
    }
  }

  static NormalizedEvent event(RunRecord run, long seq, EventType type, ObjectNode data) {
    return new NormalizedEvent(seq, Instant.parse("2026-12-01T12:00:00.001Z"), run.runId(), run.sessionId(),
        "codex", type, data);
  }

  @Test
  @DisplayName("copies of a run directory are listed by the store, one in count/100 of them failed")
  void copies() throws Exception {
    int failed = Corpus.copyRuns(cwd, template.runId().value(), 300);
    try (FsRunStore store = new FsRunStore(settings)) {
      List<RunRecord> runs = store.listRuns(cwd);
      assertThat(runs).hasSize(300);
      assertThat(runs.stream().map(r -> r.runId().value()).distinct()).hasSize(300);
      assertThat(runs.stream().filter(r -> r.status() == RunStatus.FAILED)).hasSize(failed);
      assertThat(failed).isEqualTo(99);
    }
  }

  @Test
  @DisplayName("a regrown event log ends with the template's terminal event at the new last seq")
  void longLog() throws Exception {
    Corpus.extendEvents(cwd, template.runId().value(), 10_000);
    try (FsRunStore store = new FsRunStore(settings)) {
      RunRecord run = store.findRun(template.runId()).orElseThrow();
      assertThat(run.lastSeq()).isEqualTo(10_000);
      List<NormalizedEvent> last = store.readEvents(run, 9_999, 5);
      assertThat(last).singleElement().satisfies(e -> {
        assertThat(e.seq()).isEqualTo(10_000);
        assertThat(e.type()).isEqualTo(EventType.RUN_COMPLETED);
      });
      List<NormalizedEvent> middle = store.readEvents(run, 4_999, 2);
      assertThat(middle).extracting(NormalizedEvent::seq).containsExactly(5_000L, 5_001L);
      assertThat(middle).extracting(NormalizedEvent::type).containsOnly(EventType.AGENT_MESSAGE);
    }
  }

  @Test
  @DisplayName("a regrown artifact is read back by the store to its last byte")
  void bigArtifact() throws Exception {
    long size = 5L * ArtifactManifest.CHUNK_BYTES + 123;
    Corpus.Artifact a = Corpus.growArtifact(cwd, template.runId().value(), size);
    assertThat(a.seq()).isEqualTo(4);
    assertThat(a.fieldPath()).isEqualTo("/output");
    try (FsRunStore store = new FsRunStore(settings)) {
      RunRecord run = store.findRun(template.runId()).orElseThrow();
      ArtifactManifest m = store.readManifest(run, 4).orElseThrow();
      assertThat(m.fields().get("/output").totalBytes()).isEqualTo(size);
      assertThat(m.fields().get("/output").chunks()).hasSize(6);
      byte[] tail = store.readArtifact(run, m, "/output", size - 200, 1000);
      assertThat(tail).hasSize(200);
      assertThat(new String(tail, StandardCharsets.US_ASCII)).contains("build step 0000");
      NormalizedEvent e = store.readEvents(run, 3, 1).get(0);
      assertThat(e.data().path("artifact_refs").path("/output").path("total_bytes").asLong()).isEqualTo(size);
    }
  }
}
