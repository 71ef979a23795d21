package dev.orch.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orch.core.EventType;
import dev.orch.core.NormalizedEvent;
import dev.orch.core.OrchException;
import dev.orch.core.Orchestrator;
import dev.orch.core.Role;
import dev.orch.core.RunId;
import dev.orch.core.RunLimits;
import dev.orch.core.RunRef;
import dev.orch.core.RunStatus;
import dev.orch.core.RunSummary;
import dev.orch.core.SessionMode;
import dev.orch.core.SpawnRequest;
import dev.orch.core.SpawnResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Scheduling, dependencies and limits in the engine (SPEC §12.2, §12.3, §12.5)")
class SchedulingTest {
  @TempDir
  Path cwd;
  @TempDir
  Path home;
  final List<Orchestrator> opened = new ArrayList<>();

  Orchestrator open(ScriptedBackend backend, String... settings) {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("NANOBOT_ORCHESTRATOR_HOME", home.toString());
    for (int i = 0; i + 1 < settings.length; i += 2) {
      env.put(settings[i], settings[i + 1]);
    }
    Orchestrator o = Orchestrator.builder().discovery(true).backend(backend).environment(env).build();
    opened.add(o);
    return o;
  }

  @AfterEach
  void close() {
    opened.forEach(Orchestrator::close);
  }

  SpawnRequest.Builder req(String prompt) {
    return SpawnRequest.builder("scripted", Role.WORKER, cwd.toString(), SessionMode.NEW).prompt(prompt);
  }

  static RunSummary await(Orchestrator o, SpawnResult r, Predicate<RunSummary> p) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    RunSummary s = o.getRun(RunRef.of(r.runId()));
    while (!p.test(s) && System.nanoTime() < deadline) {
      Thread.sleep(10);
      s = o.getRun(RunRef.of(r.runId()));
    }
    assertThat(p.test(s)).as("condition on %s, last seen %s / %s", r.runId(), s.status(), s.summary()).isTrue();
    return s;
  }

  static Predicate<RunSummary> status(RunStatus st) {
    return s -> s.status() == st;
  }

  @Test
  @DisplayName("ORCH_MAX_RUNNING=1: runs beyond the cap stay queued with their position; higher priority starts first")
  void priorityUnderCap() throws Exception {
    ScriptedBackend b = new ScriptedBackend();
    Orchestrator o = open(b, "ORCH_MAX_RUNNING", "1");
    SpawnResult first = o.spawn(req("hold:first").build());
    await(o, first, status(RunStatus.RUNNING));
    SpawnResult low = o.spawn(req("hold:low").priority(2).build());
    SpawnResult mid = o.spawn(req("hold:mid").build());
    SpawnResult high = o.spawn(req("hold:high").priority(9).build());
    assertThat(o.getRun(RunRef.of(high.runId())).summary()).isEqualTo("Queued (position 1)");
    assertThat(o.getRun(RunRef.of(mid.runId())).summary()).isEqualTo("Queued (position 2)");
    assertThat(o.getRun(RunRef.of(low.runId())).summary()).isEqualTo("Queued (position 3)");
    assertThat(o.getRun(RunRef.of(low.runId())).status()).isEqualTo(RunStatus.QUEUED);

    b.release("first");
    await(o, high, status(RunStatus.RUNNING));
    assertThat(o.getRun(RunRef.of(mid.runId())).summary()).isEqualTo("Queued (position 1)");
    b.release("high");
    await(o, mid, status(RunStatus.RUNNING));
    b.release("mid");
    await(o, low, status(RunStatus.RUNNING));
    b.release("low");
    await(o, low, status(RunStatus.COMPLETED));
    assertThat(b.started).extracting(s -> s.prompt()).containsExactly("hold:first", "hold:high", "hold:mid",
        "hold:low");
  }

  @Test
  @DisplayName("a per-backend cap queues runs of that backend only")
  void perBackendCap() throws Exception {
    ScriptedBackend b = new ScriptedBackend();
    Orchestrator o = open(b, "ORCH_MAX_RUNNING_SCRIPTED", "1");
    SpawnResult one = o.spawn(req("hold:one").build());
    await(o, one, status(RunStatus.RUNNING));
    SpawnResult two = o.spawn(req("complete").build());
    assertThat(o.getRun(RunRef.of(two.runId())).summary()).isEqualTo("Queued (position 1)");
    b.release("one");
    await(o, two, status(RunStatus.COMPLETED));
  }

  @Test
  @DisplayName("cancelling a queued run ends it cancelled without ever starting it")
  void cancelQueued() throws Exception {
    ScriptedBackend b = new ScriptedBackend();
    Orchestrator o = open(b, "ORCH_MAX_RUNNING", "1");
    SpawnResult one = o.spawn(req("hold:one").build());
    await(o, one, status(RunStatus.RUNNING));
    SpawnResult queued = o.spawn(req("complete never").build());
    assertThat(o.cancel(RunRef.of(queued.runId())).status()).isEqualTo(RunStatus.CANCELLED);
    b.release("one");
    await(o, one, status(RunStatus.COMPLETED));
    assertThat(b.started).extracting(s -> s.prompt()).doesNotContain("complete never");
  }

  @Test
  @DisplayName("invalid scheduling settings fail the start naming the variable")
  void badSettings() {
    assertThatThrownBy(() -> open(new ScriptedBackend(), "ORCH_MAX_RUNNING", "0")).isInstanceOf(OrchException.class)
        .hasMessageContaining("ORCH_MAX_RUNNING must be an integer >= 1");
    assertThatThrownBy(() -> open(new ScriptedBackend(), "ORCH_DEFAULT_MAX_COST_USD", "free"))
        .hasMessageContaining("ORCH_DEFAULT_MAX_COST_USD must be a number > 0");
    assertThatThrownBy(() -> open(new ScriptedBackend(), "ORCH_ON_EXIT", "explode"))
        .hasMessageContaining("ORCH_ON_EXIT must be cancel or detach");
  }

  @Test
  @DisplayName("depends_on: a run waits for its dependencies to complete, then starts")
  void dependencyCompletes() throws Exception {
    ScriptedBackend b = new ScriptedBackend();
    Orchestrator o = open(b);
    SpawnResult a = o.spawn(req("hold:a").build());
    SpawnResult c = o.spawn(req("hold:c").build());
    SpawnResult dep = o.spawn(req("complete after").dependsOn(List.of(a.runId(), c.runId())).build());
    assertThat(await(o, dep, s -> s.summary().equals("Waiting for 2 run(s)")).status()).isEqualTo(RunStatus.QUEUED);
    b.release("a");
    await(o, dep, s -> s.summary().equals("Waiting for 1 run(s)"));
    b.release("c");
    await(o, dep, status(RunStatus.COMPLETED));
  }

  @Test
  @DisplayName("depends_on: a dependency that fails cancels the dependent with reason dependency_failed")
  void dependencyFails() throws Exception {
    ScriptedBackend b = new ScriptedBackend();
    Orchestrator o = open(b);
    SpawnResult a = o.spawn(req("slow").build());
    SpawnResult dep = o.spawn(req("complete").dependsOn(List.of(a.runId())).build());
    await(o, a, status(RunStatus.RUNNING));
    o.cancel(RunRef.of(a.runId()));
    await(o, dep, status(RunStatus.CANCELLED));
    List<NormalizedEvent> events = new RunWatcher(o, dep.runId()).toEnd(Duration.ofSeconds(5));
    NormalizedEvent last = events.get(events.size() - 1);
    assertThat(last.type()).isEqualTo(EventType.STATUS_CHANGED);
    assertThat(last.data().path("reason").asText()).isEqualTo("dependency_failed");
    assertThat(last.data().path("dependency").asText()).isEqualTo(a.runId().value());
    assertThat(b.started).extracting(s -> s.prompt()).doesNotContain("complete");

    SpawnResult late = o.spawn(req("complete late").dependsOn(List.of(a.runId())).build());
    await(o, late, status(RunStatus.CANCELLED));
  }

  @Test
  @DisplayName("depends_on an unknown run is refused and nothing is persisted")
  void dependencyUnknown() {
    ScriptedBackend b = new ScriptedBackend();
    Orchestrator o = open(b);
    assertThatThrownBy(() -> o.spawn(req("complete").dependsOn(List.of(new RunId("no-such-run"))).build()))
        .hasMessage("depends_on: Unknown run_id: no-such-run");
    assertThatThrownBy(() -> req("x").priority(10).build()).hasMessage("priority must be an integer between 0 and 9");
    assertThat(o.listRuns(null, null, cwd.toString())).isEmpty();
  }

  @Test
  @DisplayName("depends_on survives a restart: the waiting run is queued again by the next process and starts")
  void dependencySurvivesRestart() throws Exception {
    ScriptedBackend owner = new ScriptedBackend();
    Orchestrator other = open(owner);
    SpawnResult a = other.spawn(req("hold:a").build());
    await(other, a, status(RunStatus.RUNNING));

    ScriptedBackend b1 = new ScriptedBackend();
    Orchestrator first = open(b1, "ORCH_ON_EXIT", "detach");
    SpawnResult dep = first.spawn(req("complete after restart").dependsOn(List.of(a.runId())).build());
    await(first, dep, s -> s.summary().equals("Waiting for 1 run(s)"));
    first.close();

    ScriptedBackend b2 = new ScriptedBackend();
    Orchestrator second = open(b2);
    assertThat(second.getRun(RunRef.of(dep.runId())).status()).isEqualTo(RunStatus.QUEUED);
    owner.release("a");
    await(second, dep, status(RunStatus.COMPLETED));
    assertThat(b2.started).extracting(s -> s.prompt()).containsExactly("complete after restart");
    assertThat(b1.started).isEmpty();
  }

  @Test
  @DisplayName("timeout_ms: a run over its wall-clock limit is stopped and ends run_failed limit_exceeded")
  void timeoutLimit() throws Exception {
    ScriptedBackend b = new ScriptedBackend();
    Orchestrator o = open(b);
    SpawnResult r = o.spawn(req("slow").limits(new RunLimits(300L, null, null, null, null)).build());
    RunSummary s = await(o, r, status(RunStatus.FAILED));
    assertThat(s.summary()).startsWith("Run failed: timeout_ms exceeded: ").endsWith(" > 300");
    NormalizedEvent last = lastEvent(o, r);
    assertThat(last.data().path("code").asText()).isEqualTo("limit_exceeded");
    assertThat(last.data().path("limit").asText()).isEqualTo("timeout_ms");
    assertThat(b.cancels).contains("limit_exceeded");
  }

  @Test
  @DisplayName("idle_timeout_ms: a run without events for too long is stopped; a chatty one is not")
  void idleLimit() throws Exception {
    ScriptedBackend b = new ScriptedBackend();
    Orchestrator o = open(b, "ORCH_DEFAULT_IDLE_TIMEOUT_MS", "300");
    SpawnResult quiet = o.spawn(req("slow").build());
    SpawnResult chatty = o.spawn(req("drip").build());
    RunSummary s = await(o, quiet, status(RunStatus.FAILED));
    assertThat(s.summary()).contains("idle_timeout_ms exceeded");
    assertThat(o.getRun(RunRef.of(chatty.runId())).status()).isEqualTo(RunStatus.RUNNING);
    o.cancel(RunRef.of(chatty.runId()));
  }

  @Test
  @DisplayName("max_tokens: a usage report over the limit stops the run at once")
  void tokenLimitMidRun() throws Exception {
    ScriptedBackend b = new ScriptedBackend();
    Orchestrator o = open(b);
    SpawnResult r = o.spawn(req("usage:5000 slow").limits(new RunLimits(null, null, null, 1000L, null)).build());
    RunSummary s = await(o, r, status(RunStatus.FAILED));
    assertThat(s.summary()).isEqualTo("Run failed: max_tokens exceeded: 5010 > 1000");
    assertThat(s.usage().totalTokens()).isEqualTo(5010);
    assertThat(s.usage().costSource().wire()).isEqualTo("unpriced");
    assertThat(s.usage().costUsd()).isNull();
    assertThat(b.cancels).contains("limit_exceeded");
  }

  @Test
  @DisplayName("max_tokens crossed by the run's last report: it ends run_failed limit_exceeded and keeps its result")
  void tokenLimitOnLastReport() throws Exception {
    ScriptedBackend b = new ScriptedBackend();
    Orchestrator o = open(b, "ORCH_DEFAULT_MAX_TOKENS", "100");
    SpawnResult r = o.spawn(req("usage-last:500").build());
    await(o, r, status(RunStatus.FAILED));
    NormalizedEvent last = lastEvent(o, r);
    assertThat(last.type()).isEqualTo(EventType.RUN_FAILED);
    assertThat(last.data().path("message").asText()).isEqualTo("max_tokens exceeded: 510 > 100");
    assertThat(last.data().path("code").asText()).isEqualTo("limit_exceeded");
    assertThat(last.data().path("final_response").asText()).isEqualTo("done after usage");
    assertThat(b.cancels).isEmpty();
  }

  static NormalizedEvent lastEvent(Orchestrator o, SpawnResult r) {
    List<NormalizedEvent> events = new RunWatcher(o, r.runId()).toEnd(Duration.ofSeconds(10));
    EventOrder.assertValid(events);
    return events.get(events.size() - 1);
  }
}
