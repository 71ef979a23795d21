package dev.orch.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orch.core.OrchException;
import dev.orch.core.Orchestrator;
import dev.orch.core.Role;
import dev.orch.core.RunOutcome;
import dev.orch.core.RunRef;
import dev.orch.core.RunStatus;
import dev.orch.core.RunSummary;
import dev.orch.core.SessionMode;
import dev.orch.core.SpawnRequest;
import dev.orch.core.SpawnResult;
import dev.orch.core.WaitMode;
import dev.orch.core.WaitResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Joining runs: awaitRuns / wait_runs (SPEC §12.5)")
class WaitRunsTest {
  @TempDir
  Path cwd;
  @TempDir
  Path home;
  final List<Orchestrator> opened = new ArrayList<>();

  Orchestrator open(ScriptedBackend backend) {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("NANOBOT_ORCHESTRATOR_HOME", home.toString());
    Orchestrator o = Orchestrator.builder().discovery(true).backend(backend).environment(env).build();
    opened.add(o);
    return o;
  }

  @AfterEach
  void close() {
    opened.forEach(Orchestrator::close);
  }

  SpawnResult spawn(Orchestrator o, String prompt) {
    return o.spawn(SpawnRequest.builder("scripted", Role.WORKER, cwd.toString(), SessionMode.NEW).prompt(prompt)
        .build());
  }

  static List<RunRef> refs(SpawnResult... runs) {
    return java.util.Arrays.stream(runs).map(r -> RunRef.of(r.runId())).toList();
  }

  static List<RunStatus> statuses(WaitResult w) {
    return w.runs().stream().map(r -> r.summary().status()).toList();
  }

  /** Starts a wait on another thread; the test releases runs while it waits. */
  static CompletableFuture<WaitResult> waitAsync(Orchestrator o, List<RunRef> refs, WaitMode mode) {
    return CompletableFuture.supplyAsync(() -> o.awaitRuns(refs, mode, Duration.ofSeconds(30)));
  }

  @Test
  @DisplayName("any: returns when one run ends, with its result, while the others still run")
  void any() throws Exception {
    ScriptedBackend b = new ScriptedBackend();
    Orchestrator o = open(b);
    SpawnResult one = spawn(o, "hold:one");
    SpawnResult two = spawn(o, "hold:two");
    assertThat(o.awaitRuns(refs(one, two), WaitMode.ANY, Duration.ZERO).done()).isFalse();
    CompletableFuture<WaitResult> w = waitAsync(o, refs(one, two), WaitMode.ANY);
    b.release("two");
    WaitResult r = w.get(20, TimeUnit.SECONDS);
    assertThat(r.done()).isTrue();
    assertThat(statuses(r)).containsExactly(RunStatus.RUNNING, RunStatus.COMPLETED);
    RunOutcome done = r.runs().get(1);
    assertThat(done.result().finalResponse()).isEqualTo("released two");
    assertThat(done.error()).isNull();
    assertThat(r.runs().get(0).result()).isNull();
    assertThat(done.toJson().path("result").path("final_response").asText()).isEqualTo("released two");
    assertThat(done.toJson().path("run_id").asText()).isEqualTo(two.runId().value());
    b.release("one");
  }

  @Test
  @DisplayName("first_failure: returns at the first failed run while another still runs; all completed is done too")
  void firstFailure() throws Exception {
    ScriptedBackend b = new ScriptedBackend();
    Orchestrator o = open(b);
    SpawnResult held = spawn(o, "hold:h");
    SpawnResult completed = spawn(o, "complete first");
    SchedulingTest.await(o, completed, s -> s.status() == RunStatus.COMPLETED);
    assertThat(o.awaitRuns(refs(held, completed), WaitMode.FIRST_FAILURE, Duration.ofMillis(200)).done()).isFalse();
    SpawnResult quick = spawn(o, "fail now");
    WaitResult r = o.awaitRuns(refs(held, quick), WaitMode.FIRST_FAILURE, Duration.ofSeconds(20));
    assertThat(r.done()).isTrue();
    assertThat(statuses(r)).containsExactly(RunStatus.RUNNING, RunStatus.FAILED);
    assertThat(r.runs().get(1).error()).isEqualTo("scripted failure");
    assertThat(r.runs().get(1).toJson().path("error").asText()).isEqualTo("scripted failure");

    SpawnResult c1 = spawn(o, "complete one");
    SpawnResult c2 = spawn(o, "complete two");
    WaitResult all = o.awaitRuns(refs(c1, c2), WaitMode.FIRST_FAILURE, Duration.ofSeconds(20));
    assertThat(all.done()).isTrue();
    assertThat(statuses(all)).containsExactly(RunStatus.COMPLETED, RunStatus.COMPLETED);
    b.release("h");
  }

  @Test
  @DisplayName("all: not done while one runs (done false after the wait), done once every run is terminal")
  void all() throws Exception {
    ScriptedBackend b = new ScriptedBackend();
    Orchestrator o = open(b);
    SpawnResult quick = spawn(o, "complete");
    SpawnResult held = spawn(o, "hold:x");
    WaitResult partial = o.awaitRuns(refs(quick, held), WaitMode.ALL, Duration.ofMillis(300));
    assertThat(partial.done()).isFalse();
    assertThat(statuses(partial)).containsExactly(RunStatus.COMPLETED, RunStatus.RUNNING);
    CompletableFuture<WaitResult> w = waitAsync(o, refs(quick, held), WaitMode.ALL);
    b.release("x");
    WaitResult r = w.get(20, TimeUnit.SECONDS);
    assertThat(r.done()).isTrue();
    assertThat(statuses(r)).containsExactly(RunStatus.COMPLETED, RunStatus.COMPLETED);
  }

  @Test
  @DisplayName("unknown run ids are refused naming every one of them, without waiting")
  void unknownIds() {
    ScriptedBackend b = new ScriptedBackend();
    Orchestrator o = open(b);
    SpawnResult held = spawn(o, "hold:y");
    assertThatThrownBy(() -> o.awaitRuns(List.of(RunRef.of(held.runId()), RunRef.ofRunId("nope-1"),
        RunRef.ofRunId("nope-2")), WaitMode.ALL, Duration.ofSeconds(30)))
        .isInstanceOf(OrchException.class)
        .hasMessage("Unknown run_ids: nope-1, nope-2 (nothing was waited for)");
    assertThatThrownBy(() -> o.awaitRuns(List.of(RunRef.ofRunId("nope-3")), WaitMode.ANY, Duration.ZERO))
        .hasMessage("Unknown run_id: nope-3 (nothing was waited for)");
    assertThatThrownBy(() -> o.awaitRuns(List.of(), WaitMode.ANY, Duration.ZERO))
        .hasMessage("run_ids must name at least one run");
    assertThatThrownBy(() -> o.awaitRuns(List.of(RunRef.of(held.runId())), WaitMode.ANY, Duration.ofSeconds(31)))
        .hasMessage("wait_ms must be between 0 and 30000");
    b.release("y");
  }

  @Test
  @DisplayName("the listener hears each status change of the waited runs, in order")
  void listener() throws Exception {
    ScriptedBackend b = new ScriptedBackend();
    Orchestrator o = open(b);
    SpawnResult held = spawn(o, "hold:z");
    SchedulingTest.await(o, held, s -> s.status() == RunStatus.RUNNING);
    List<RunSummary> heard = new CopyOnWriteArrayList<>();
    CompletableFuture<WaitResult> w = CompletableFuture.supplyAsync(() -> o.awaitRuns(refs(held), WaitMode.ALL,
        Duration.ofSeconds(30), heard::add));
    b.release("z");
    assertThat(w.get(20, TimeUnit.SECONDS).done()).isTrue();
    assertThat(heard).extracting(RunSummary::status).containsExactly(RunStatus.COMPLETED);
    assertThat(heard.get(0).runId()).isEqualTo(held.runId());
  }

  @Test
  @DisplayName("a run owned by another Orch process sharing the cwd is waited for on disk")
  void otherProcess() throws Exception {
    ScriptedBackend owner = new ScriptedBackend();
    Orchestrator other = open(owner);
    SpawnResult theirs = spawn(other, "hold:theirs");
    SchedulingTest.await(other, theirs, s -> s.status() == RunStatus.RUNNING);
    Orchestrator mine = open(new ScriptedBackend());
    CompletableFuture<WaitResult> w = waitAsync(mine, refs(theirs), WaitMode.ANY);
    assertThat(mine.awaitRuns(refs(theirs), WaitMode.ANY, Duration.ofMillis(100)).done()).isFalse();
    owner.release("theirs");
    WaitResult r = w.get(20, TimeUnit.SECONDS);
    assertThat(r.done()).isTrue();
    assertThat(r.runs().get(0).result().finalResponse()).isEqualTo("released theirs");
  }
}
