package dev.orch.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orch.core.AgentMessage;
import dev.orch.core.CancelResult;
import dev.orch.core.ContinueResult;
import dev.orch.core.OrchException;
import dev.orch.core.Orchestrator;
import dev.orch.core.Role;
import dev.orch.core.RunId;
import dev.orch.core.RunRef;
import dev.orch.core.RunStatus;
import dev.orch.core.SessionId;
import dev.orch.core.SessionMode;
import dev.orch.core.SpawnRequest;
import dev.orch.core.SpawnResult;
import dev.orch.core.spi.RunLease;
import dev.orch.core.spi.RunRecord;
import dev.orch.store.fs.FsRunStore;
import dev.orch.store.fs.FsStoreSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cross-process control channel between two Orchestrators on one store (the run leases make each one see the
 * other's runs as owned by a live process, exactly as two processes would): cancel_run and continue_run on a run
 * the other one owns take effect there, errors come back with their code, and a silent or dead owner never makes
 * the caller hang.
 */
@DisplayName("Control channel: cancel / continue of a run another live Orch owns")
class ControlChannelTest {
  @TempDir
  Path cwd;
  @TempDir
  Path home;
  ScriptedBackend backend;
  Orchestrator owner;
  Orchestrator other;

  @BeforeEach
  void start() {
    backend = new ScriptedBackend();
    owner = open();
    other = open();
  }

  @AfterEach
  void stop() {
    other.close();
    owner.close();
  }

  Orchestrator open() {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("NANOBOT_ORCHESTRATOR_HOME", home.toString());
    env.remove("ORCH_PEER_PATH");
    return Orchestrator.builder().discovery(true).backend(backend).environment(env).build();
  }

  SpawnResult spawn(String prompt) {
    return owner.spawn(SpawnRequest.builder("scripted", Role.WORKER, cwd.toString(), SessionMode.NEW).prompt(prompt)
        .build());
  }

  void awaitStatus(Orchestrator orch, RunId id, RunStatus status) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (orch.getRun(RunRef.of(id)).status() != status) {
      assertThat(System.nanoTime()).as("run reaches %s", status).isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  List<Path> controlFiles(RunId id) throws Exception {
    Path dir = cwd.resolve(".nanobot-orchestrator/runs").resolve(id.value()).resolve("control");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }

  @Test
  @DisplayName("cancel through the other Orchestrator cancels the owner's running run there and answers cancelled")
  void cancel() throws Exception {
    SpawnResult r = spawn("slow");
    awaitStatus(owner, r.runId(), RunStatus.RUNNING);
    long t0 = System.nanoTime();
    CancelResult c = other.cancel(RunRef.of(r.runId()));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    System.out.println("cancel through the control channel (scripted backend): " + ms + " ms");
    assertThat(c.runId()).isEqualTo(r.runId());
    assertThat(c.status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(c.cancelledAt()).isNotNull();
    assertThat(backend.cancels).containsExactly("user");
    assertThat(owner.getRun(RunRef.of(r.runId())).status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(controlFiles(r.runId())).as("request and answer cleaned up").isEmpty();
    assertThatThrownBy(() -> other.cancel(RunRef.of(r.runId()))).isInstanceOf(OrchException.class)
        .hasMessage("run is already terminal: cancelled");
  }

  @Test
  @DisplayName("an owner whose watch of control requests misses every change still takes a cancel on its slow timer")
  void deafWatch() throws Exception {
    FaultyStore store = new FaultyStore(new FsRunStore(new FsStoreSettings(home, FsStoreSettings.DEFAULT_DIR_NAME)));
    store.deafControlWatch = true;
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("NANOBOT_ORCHESTRATOR_HOME", home.toString());
    env.remove("ORCH_PEER_PATH");
    try (Orchestrator deaf = Orchestrator.builder().discovery(true).backend(backend).store(store).environment(env)
        .build()) {
      SpawnResult r = deaf.spawn(SpawnRequest.builder("scripted", Role.WORKER, cwd.toString(), SessionMode.NEW)
          .prompt("slow").build());
      awaitStatus(deaf, r.runId(), RunStatus.RUNNING);
      CancelResult c = other.cancel(RunRef.of(r.runId()));
      assertThat(c.status()).isEqualTo(RunStatus.CANCELLED);
      assertThat(deaf.getRun(RunRef.of(r.runId())).status()).isEqualTo(RunStatus.CANCELLED);
    }
  }

  @Test
  @DisplayName("continue through the other Orchestrator delivers the input live to the owner's waiting run")
  void continueLive() throws Exception {
    SpawnResult r = spawn("wait-input");
    awaitStatus(owner, r.runId(), RunStatus.INPUT_REQUIRED);
    ContinueResult c = other.continueRun(RunRef.of(r.runId()), AgentMessage.userText("blue"));
    assertThat(c.mode()).isEqualTo("live");
    assertThat(c.runId()).isEqualTo(r.runId());
    assertThat(c.sessionId()).isEqualTo(r.sessionId());
    assertThat(c.agentName()).isEqualTo(r.agentName());
    assertThat(c.resumedFromRunId()).isNull();
    awaitStatus(owner, r.runId(), RunStatus.COMPLETED);
    assertThat(new RunWatcher(owner, r.runId()).toEnd(Duration.ofSeconds(10)))
        .anySatisfy(e -> assertThat(e.data().path("final_response").asText()).isEqualTo("answer: blue"));
  }

  @Test
  @DisplayName("a live owner without a control channel: the request is withdrawn after 3 s with a CONFLICT; once"
      + " that owner is gone the run is reconciled and the cancel answers at once")
  void silentOwner() throws Exception {
    FsRunStore raw = new FsRunStore(new FsStoreSettings(home, FsStoreSettings.DEFAULT_DIR_NAME));
    RunRecord run = runningRecord();
    RunLease lease = raw.createRun(run);
    try {
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> other.cancel(RunRef.of(run.runId()))).isInstanceOf(OrchException.class)
          .hasMessageContaining("did not take the cancel request within 3 s")
          .extracting(e -> ((OrchException) e).code()).isEqualTo(OrchException.ErrorCode.CONFLICT);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
      assertThat(controlFiles(run.runId())).as("the request was withdrawn").isEmpty();
    } finally {
      lease.close();
      raw.close();
    }
    assertThatThrownBy(() -> other.cancel(RunRef.of(run.runId()))).isInstanceOf(OrchException.class)
        .hasMessage("run is already terminal: failed");
  }

  @Test
  @DisplayName("an owner that dies while a cancel waits: the caller stops waiting and handles the run as an orphan")
  void ownerDiesWhileWaiting() throws Exception {
    FsRunStore raw = new FsRunStore(new FsStoreSettings(home, FsStoreSettings.DEFAULT_DIR_NAME));
    RunRecord run = runningRecord();
    RunLease lease = raw.createRun(run);
    CompletableFuture<Throwable> cancel = CompletableFuture.supplyAsync(() -> {
      try {
        other.cancel(RunRef.of(run.runId()));
        return null;
      } catch (RuntimeException e) {
        return e;
      }
    });
    Thread.sleep(300);
    lease.close();
    raw.close();
    Throwable t = cancel.get(10, TimeUnit.SECONDS);
    assertThat(t).isInstanceOf(OrchException.class).hasMessage("run is already terminal: failed");
    assertThat(other.getRun(RunRef.of(run.runId())).summary()).startsWith("Run failed: ");
  }

  private RunRecord runningRecord() {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    return new RunRecord(RunId.random(), "scripted", Role.WORKER, SessionId.random(), "agent9", RunStatus.RUNNING,
        cwd, "x", null, null, null, now, now, null, 0, "Run started", null, null, null, null, null, null, null);
  }
}
