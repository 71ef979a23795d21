package dev.orch.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orch.core.EventType;
import dev.orch.core.NormalizedEvent;
import dev.orch.core.OrchException;
import dev.orch.core.Orchestrator;
import dev.orch.core.Role;
import dev.orch.core.RunRef;
import dev.orch.core.RunStatus;
import dev.orch.core.RunSummary;
import dev.orch.core.SessionMode;
import dev.orch.core.SpawnRequest;
import dev.orch.core.SpawnResult;
import dev.orch.store.fs.FsRunStore;
import dev.orch.store.fs.FsStoreSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Store faults end runs cleanly and never strand them (issue 9 item 2)")
class StoreFaultTest {
  @TempDir
  Path cwd;
  @TempDir
  Path otherCwd;
  @TempDir
  Path home;
  ScriptedBackend backend;
  FaultyStore store;
  Orchestrator orch;
  Map<String, String> env;

  @BeforeEach
  void start() {
    env = new HashMap<>(System.getenv());
    env.put("NANOBOT_ORCHESTRATOR_HOME", home.toString());
    backend = new ScriptedBackend();
    orch = open();
  }

  Orchestrator open() {
    store = new FaultyStore(new FsRunStore(new FsStoreSettings(home, FsStoreSettings.DEFAULT_DIR_NAME)));
    return Orchestrator.builder().discovery(false).backend(backend).store(store).environment(env).build();
  }

  @AfterEach
  void stop() {
    orch.close();
  }

  SpawnResult spawn(Path dir, String prompt) {
    return orch.spawn(SpawnRequest.builder("scripted", Role.WORKER, dir.toString(), SessionMode.NEW).prompt(prompt)
        .build());
  }

  Path runDir(SpawnResult r) {
    return cwd.resolve(".nanobot-orchestrator/runs/" + r.runId());
  }

  List<String> typesOnDisk(SpawnResult r) throws Exception {
    return Files.readAllLines(runDir(r).resolve("events.jsonl")).stream()
        .map(l -> l.replaceAll(".*\"type\":\"([a-z_]+)\".*", "$1")).collect(Collectors.toList());
  }

  static RunSummary awaitStatus(Orchestrator orch, SpawnResult r, RunStatus want) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    RunSummary s = orch.getRun(RunRef.of(r.runId()));
    while (s.status() != want && System.nanoTime() < deadline) {
      Thread.sleep(20);
      s = orch.getRun(RunRef.of(r.runId()));
    }
    return s;
  }

  /** The agent is stopped on its own thread after the run ended in memory: wait for it (bounded). */
  List<String> awaitCancel(String reason) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!backend.cancels.contains(reason) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    return List.copyOf(backend.cancels);
  }

  @Test
  @DisplayName("disk full mid-run: the run ends failed with the I/O reason at once, the agent is stopped, cancel "
      + "answers, other cwds keep working, and the end reaches the disk once space is back")
  void diskFullEndsTheRun() throws Exception {
    SpawnResult r = spawn(cwd, "drip");
    new RunWatcher(orch, r.runId()).until(es -> es.size() >= 5, Duration.ofSeconds(10));
    Path real = cwd.toRealPath();
    store.failAppends = rec -> rec.cwd().equals(cwd) || rec.cwd().equals(real);

    RunSummary failed = awaitStatus(orch, r, RunStatus.FAILED);
    assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
    assertThat(failed.summary()).isEqualTo("Run failed: store write failed: No space left on device (events.jsonl)")
        .doesNotContain("/srv/secret");
    List<NormalizedEvent> seen = new RunWatcher(orch, r.runId()).toEnd(Duration.ofSeconds(10));
    EventOrder.assertValid(seen);
    NormalizedEvent last = seen.get(seen.size() - 1);
    assertThat(last.type()).isEqualTo(EventType.RUN_FAILED);
    assertThat(last.data().path("reason").asText()).isEqualTo("store_fault");
    assertThat(awaitCancel("store_fault")).as("the agent was stopped").contains("store_fault");
    assertThatThrownBy(() -> orch.cancel(RunRef.of(r.runId()))).isInstanceOf(OrchException.class)
        .hasMessage("run is already terminal: failed");

    SpawnResult elsewhere = spawn(otherCwd, "complete");
    assertThat(new RunWatcher(orch, elsewhere.runId()).toEnd(Duration.ofSeconds(10)))
        .extracting(e -> e.type()).contains(EventType.RUN_COMPLETED);

    store.failAppends = rec -> false;
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!Files.readString(runDir(r).resolve("run.json")).contains("\"status\": \"failed\"")
        && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(Files.readString(runDir(r).resolve("run.json"))).contains("\"status\": \"failed\"");
    List<String> types = typesOnDisk(r);
    assertThat(types.get(types.size() - 1)).isEqualTo("run_failed");
    assertThat(types.stream().filter(t -> t.equals("run_failed")).count()).isEqualTo(1);
  }

  @Test
  @DisplayName("cancel_run works while the disk is full: the answer is cancelled")
  void cancelWhileDiskFull() throws Exception {
    SpawnResult r = spawn(cwd, "slow");
    new RunWatcher(orch, r.runId()).until(RunWatcher.has(EventType.RUN_STARTED), Duration.ofSeconds(10));
    store.failAppends = rec -> true;
    var result = orch.cancel(RunRef.of(r.runId()));
    assertThat(result.status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(orch.getRun(RunRef.of(r.runId())).status()).isEqualTo(RunStatus.CANCELLED);
  }

  /** A run that completes while every terminal run.json replacement fails (they keep failing until reset). */
  private SpawnResult completedWithStaleRunJson() throws Exception {
    store.failSaves = rec -> rec.status().isTerminal();
    SpawnResult r = spawn(cwd, "complete");
    assertThat(awaitStatus(orch, r, RunStatus.COMPLETED).status()).isEqualTo(RunStatus.COMPLETED);
    assertThat(Files.readString(runDir(r).resolve("run.json"))).doesNotContain("\"status\": \"completed\"");
    return r;
  }

  @Test
  @DisplayName("run.json cannot be replaced on the terminal event: answers say completed, the session moves on, "
      + "and a restart repairs run.json from the log without a second terminal event")
  void terminalSaveFails() throws Exception {
    SpawnResult r = completedWithStaleRunJson();

    SpawnResult resumed = orch.spawn(SpawnRequest.builder("scripted", Role.WORKER, cwd.toString(),
        SessionMode.RESUME).sessionId(r.sessionId().value()).prompt("complete again").build());
    assertThat(awaitStatus(orch, resumed, RunStatus.COMPLETED).status()).as("the session line moved on")
        .isEqualTo(RunStatus.COMPLETED);

    orch.close();
    orch = open();
    RunSummary after = orch.getRun(RunRef.of(r.runId()));
    assertThat(after.status()).isEqualTo(RunStatus.COMPLETED);
    assertThat(Files.readString(runDir(r).resolve("run.json"))).contains("\"status\": \"completed\"");
    assertThat(typesOnDisk(r)).containsExactly("run_started", "run_completed");
  }

  @Test
  @DisplayName("run.json cannot be replaced on the terminal event for a while: it is retried in the background and "
      + "says completed once the store accepts writes again, with one terminal event in the log")
  void terminalSaveRecovers() throws Exception {
    SpawnResult r = completedWithStaleRunJson();
    Path runJson = runDir(r).resolve("run.json");

    store.failSaves = rec -> false;
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!Files.readString(runJson).contains("\"status\": \"completed\"") && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(Files.readString(runJson)).as("run.json, without any read of the run").contains(
        "\"status\": \"completed\"");
    assertThat(typesOnDisk(r)).containsExactly("run_started", "run_completed");
  }

  @Test
  @DisplayName("a non-terminal run.json replacement fails: the run ends failed (it can no longer be tracked)")
  void statusSaveFails() throws Exception {
    store.failSaves = rec -> rec.status() == RunStatus.RUNNING;
    SpawnResult r = spawn(cwd, "drip");
    RunSummary s = awaitStatus(orch, r, RunStatus.FAILED);
    assertThat(s.status()).isEqualTo(RunStatus.FAILED);
    assertThat(s.summary()).contains("store write failed").contains("run.json");
    assertThat(awaitCancel("store_fault")).contains("store_fault");
  }

  @Test
  @DisplayName("events.jsonl removed while the run is live: the run ends failed and followers see the end")
  void removedLog() throws Exception {
    SpawnResult r = spawn(cwd, "drip");
    List<NormalizedEvent> early = new RunWatcher(orch, r.runId()).until(es -> es.size() >= 3, Duration.ofSeconds(10));
    Files.delete(runDir(r).resolve("events.jsonl"));
    RunSummary s = awaitStatus(orch, r, RunStatus.FAILED);
    assertThat(s.summary()).contains("the event log was removed while the run was live");
    List<NormalizedEvent> rest = new RunWatcher(orch, r.runId()).toEnd(Duration.ofSeconds(10));
    assertThat(rest.get(rest.size() - 1).type()).isEqualTo(EventType.RUN_FAILED);
    assertThat(early).isNotEmpty();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    Path log = runDir(r).resolve("events.jsonl");
    while (!(Files.exists(log) && Files.readString(log).contains("run_failed")) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(typesOnDisk(r)).containsExactly("run_failed");
  }
}
