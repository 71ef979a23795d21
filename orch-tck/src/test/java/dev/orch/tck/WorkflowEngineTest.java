package dev.orch.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.orch.core.NormalizedEvent;
import dev.orch.core.OrchException;
import dev.orch.core.Orchestrator;
import dev.orch.core.Role;
import dev.orch.core.RunId;
import dev.orch.core.RunRef;
import dev.orch.core.RunStatus;
import dev.orch.core.RunSummary;
import dev.orch.core.SessionMode;
import dev.orch.core.SpawnRequest;
import dev.orch.core.SpawnResult;
import dev.orch.core.WaitMode;
import dev.orch.core.WorkflowCancel;
import dev.orch.core.WorkflowRequest;
import dev.orch.core.WorkflowStarted;
import dev.orch.core.WorkflowTemplate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Workflows in the engine: step graphs, placeholders, failures, cancel, restart (SPEC §12.6)")
class WorkflowEngineTest {
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

  static WorkflowRequest.Step step(String id, SpawnRequest r, String... deps) {
    return new WorkflowRequest.Step(id, List.of(deps), r);
  }

  WorkflowRequest wf(Map<String, String> inputs, WorkflowRequest.Step... steps) {
    return new WorkflowRequest(cwd.toString(), List.of(steps), inputs, List.of(), null);
  }

  static Map<String, RunId> byStep(WorkflowStarted w) {
    return w.runs().stream().collect(Collectors.toMap(WorkflowStarted.StepRun::step, WorkflowStarted.StepRun::runId));
  }

  List<RunRef> refs(WorkflowStarted w) {
    return w.runs().stream().map(r -> RunRef.of(r.runId())).toList();
  }

  @Test
  @DisplayName("steps start in dependency order; inputs are filled at submit and a dependency's final response when the "
      + "step starts; runs carry workflow_id and step")
  void graph() throws Exception {
    ScriptedBackend b = new ScriptedBackend();
    Orchestrator o = open(b);
    WorkflowStarted w = o.runWorkflow(wf(Map.of("topic", "caching"),
        step("report", req("complete report on {{inputs.topic}}: {{steps.plan.final_response}} / "
            + "{{steps.build.final_response}}").build(), "build"),
        step("plan", req("hold:plan {{inputs.topic}}").build()),
        step("build", req("complete build after {{steps.plan.final_response}}").build(), "plan")));
    assertThat(w.workflowId()).startsWith("wf_");
    assertThat(w.runs()).extracting(WorkflowStarted.StepRun::step).containsExactly("plan", "build", "report");
    Map<String, RunId> runs = byStep(w);
    RunSummary waiting = o.getRun(RunRef.of(runs.get("report")));
    assertThat(waiting.status()).isEqualTo(RunStatus.QUEUED);
    assertThat(waiting.summary()).isEqualTo("Waiting for 1 run(s)");
    assertThat(waiting.metadata().path("workflow_id").asText()).isEqualTo(w.workflowId());
    assertThat(waiting.metadata().path("step").asText()).isEqualTo("report");
    assertThat(waiting.metadata().has("workflow_template")).isFalse();

    b.release("plan");
    var done = o.awaitRuns(refs(w), WaitMode.ALL, Duration.ofSeconds(20));
    assertThat(done.done()).isTrue();
    assertThat(done.runs()).allSatisfy(r -> assertThat(r.summary().status()).isEqualTo(RunStatus.COMPLETED));
    assertThat(b.started).extracting(s -> s.prompt()).containsExactly(
        "hold:plan caching",
        "complete build after released plan",
        "complete report on caching: released plan / done: complete build after released plan");
    assertThat(done.runs().get(2).result().finalResponse())
        .isEqualTo("done: complete report on caching: released plan / done: complete build after released plan");
  }

  @Test
  @DisplayName("a failed step cancels what depends on it, transitively, with reason dependency_failed")
  void failureCascades() throws Exception {
    ScriptedBackend b = new ScriptedBackend();
    Orchestrator o = open(b);
    WorkflowStarted w = o.runWorkflow(wf(Map.of(),
        step("a", req("fail").build()),
        step("b", req("complete b").build(), "a"),
        step("c", req("complete c").build(), "b"),
        step("other", req("complete other").build())));
    var r = o.awaitRuns(refs(w), WaitMode.ALL, Duration.ofSeconds(20));
    assertThat(r.runs()).extracting(x -> x.summary().status()).containsExactly(RunStatus.FAILED,
        RunStatus.CANCELLED, RunStatus.CANCELLED, RunStatus.COMPLETED);
    Map<String, RunId> runs = byStep(w);
    NormalizedEvent cancelled = o.poll(RunRef.of(runs.get("c")), 0, 10, Duration.ZERO).events().get(0);
    assertThat(cancelled.data().path("reason").asText()).isEqualTo("dependency_failed");
    assertThat(cancelled.data().path("dependency").asText()).isEqualTo(runs.get("b").value());
    assertThat(b.started).extracting(s -> s.prompt()).containsExactlyInAnyOrder("fail", "complete other");
  }

  @Test
  @DisplayName("a broken graph is refused with a precise error and nothing is persisted or started")
  void refusedGraphs() {
    ScriptedBackend b = new ScriptedBackend();
    Orchestrator o = open(b);
    assertRefused(o, wf(Map.of(), step("a", req("x").build(), "b"), step("b", req("y").build(), "a")),
        "workflow steps form a cycle: a -> b -> a");
    assertRefused(o, wf(Map.of(), step("a", req("x").build(), "a")), "workflow steps form a cycle: a -> a");
    assertRefused(o, wf(Map.of(), step("a", req("x").build(), "ghost")),
        "step a depends on an unknown step: ghost (steps: a)");
    assertRefused(o, wf(Map.of(), step("a", req("x").build()), step("a", req("y").build())),
        "step ids must be unique: a appears twice");
    assertRefused(o, wf(Map.of(), step("1st", req("x").build())),
        "step id \"1st\" must start with a letter and hold only letters, digits, _ and - (at most 64)");
    assertRefused(o, wf(Map.of(), step("a", req("{{inputs.x}} and {{inputs.y}}").build()),
        step("b", req("{{inputs.x}}").build())),
        "missing workflow inputs: x (used by step a, b), y (used by step a); give them in inputs");
    assertRefused(o, wf(Map.of("x", "1", "typo", "2"), step("a", req("{{inputs.x}}").build())),
        "unknown workflow input: typo (no step uses it; inputs used: x)");
    assertRefused(o, wf(Map.of(), step("a", req("x").build()), step("b", req("{{steps.a.final_response}}").build())),
        "step b: {{steps.a.final_response}} needs step a among its dependencies (add it to depends_on)");
    assertRefused(o, wf(Map.of(), step("a", req("{{steps.zz.final_response}}").build())),
        "step a: {{steps.zz.final_response}} names an unknown step: zz");
    assertRefused(o, wf(Map.of(), step("a", req("{{steps.b.output}}").build())),
        "step a: unsupported placeholder {{steps.b.output}}: only {{steps.<id>.final_response}} is supported");
    assertRefused(o, wf(Map.of(), step("a", req("x").nickname("same").build()),
        step("b", req("y").nickname("same").build())), "steps a and b use the same nickname: same");
    assertRefused(o, wf(Map.of(), step("a", req("x").build()), step("b", req("refuse").build(), "a")),
        "step b: Invalid scripted configuration: refused on purpose");
    assertRefused(o, wf(Map.of(), step("a", SpawnRequest.builder("scripted", Role.WORKER, "/elsewhere",
        SessionMode.NEW).prompt("x").build())), "step a: steps run in the workflow's cwd " + cwd
        + ", not /elsewhere");
    assertRefused(o, new WorkflowRequest(cwd.toString(), List.of(), Map.of(), List.of(), null),
        "a workflow needs at least one step");
    assertRefused(o, new WorkflowRequest(cwd.toString(), List.of(step("a", req("{{inputs.who}}").build())), Map.of(),
        List.of(new WorkflowTemplate.Input("who", "", true, null), new WorkflowTemplate.Input("unused", "", true,
            null)), "t"), "missing workflow inputs: who (used by step a), unused; give them in inputs");
    assertThat(o.listRuns(null, null, null)).isEmpty();
    assertThat(o.listAgents(cwd.toString(), null, null)).isEmpty();
    assertThat(b.started).isEmpty();
  }

  private static void assertRefused(Orchestrator o, WorkflowRequest w, String message) {
    assertThatThrownBy(() -> o.runWorkflow(w)).isInstanceOf(OrchException.class).hasMessage(message);
  }

  @Test
  @DisplayName("a template's defaults fill its inputs and its name is recorded; a given value wins")
  void templateInputs() throws Exception {
    ScriptedBackend b = new ScriptedBackend();
    Orchestrator o = open(b);
    WorkflowStarted w = o.runWorkflow(new WorkflowRequest(cwd.toString(),
        List.of(step("only", req("complete {{inputs.env}} {{inputs.who}}").build())), Map.of("who", "me"),
        List.of(new WorkflowTemplate.Input("env", "", false, "staging"), new WorkflowTemplate.Input("who", "", true,
            null)), "deploy"));
    o.awaitRuns(refs(w), WaitMode.ALL, Duration.ofSeconds(20));
    assertThat(b.started.get(0).prompt()).isEqualTo("complete staging me");
    assertThat(o.getRun(RunRef.of(w.runs().get(0).runId())).metadata().path("workflow_template").asText())
        .isEqualTo("deploy");
  }

  @Test
  @DisplayName("cancel by workflow: every queued and active run ends cancelled by the user, dependents first; a second "
      + "call has nothing to cancel; a run outside any workflow is refused")
  void cancelWorkflow() throws Exception {
    ScriptedBackend b = new ScriptedBackend();
    Orchestrator o = open(b);
    WorkflowStarted w = o.runWorkflow(wf(Map.of(),
        step("first", req("complete first").build()),
        step("slow", req("slow").build(), "first"),
        step("after", req("complete after").build(), "slow")));
    Map<String, RunId> runs = byStep(w);
    SchedulingTest.await(o, new SpawnResult(runs.get("slow"), "scripted", Role.WORKER, null, null,
        RunStatus.QUEUED), s -> s.status() == RunStatus.RUNNING);
    WorkflowCancel c = o.cancelWorkflow(RunRef.of(runs.get("first")));
    assertThat(c.workflowId()).isEqualTo(w.workflowId());
    assertThat(c.cancelled()).extracting(WorkflowCancel.Cancelled::step).containsExactly("after", "slow");
    assertThat(c.cancelled()).allSatisfy(x -> assertThat(x.result().status()).isEqualTo(RunStatus.CANCELLED));
    assertThat(c.failures()).isEmpty();
    assertThat(c.run().status()).isEqualTo(RunStatus.COMPLETED);
    NormalizedEvent ev = o.poll(RunRef.of(runs.get("after")), 0, 10, Duration.ZERO).events().get(0);
    assertThat(ev.data().path("reason").asText()).isEqualTo("user");
    assertThatThrownBy(() -> o.cancelWorkflow(RunRef.of(runs.get("slow"))))
        .hasMessage("workflow " + w.workflowId() + " has nothing to cancel: all its runs are already terminal");
    SpawnResult plain = o.spawn(req("complete").build());
    assertThatThrownBy(() -> o.cancelWorkflow(RunRef.of(plain.runId())))
        .hasMessage("run " + plain.runId() + " is not part of a workflow (it has no metadata.workflow_id); cancel it "
            + "with scope run");
    assertThat(b.started).extracting(s -> s.prompt()).doesNotContain("complete after");
  }

  @Test
  @DisplayName("a waiting step survives a restart: the next process queues it again and fills its prompt from the "
      + "dependency's result when it starts")
  void survivesRestart() throws Exception {
    ScriptedBackend owner = new ScriptedBackend();
    Orchestrator other = open(owner);
    SpawnResult external = other.spawn(req("hold:ext").build());
    SchedulingTest.await(other, external, s -> s.status() == RunStatus.RUNNING);

    ScriptedBackend b1 = new ScriptedBackend();
    Orchestrator first = open(b1, "ORCH_ON_EXIT", "detach");
    WorkflowStarted w = first.runWorkflow(wf(Map.of(),
        step("a", req("complete a").dependsOn(List.of(external.runId())).build()),
        step("b", req("complete b with {{steps.a.final_response}}").metadata(JsonNodeFactory.instance.objectNode()
            .put("ticket", 7)).build(), "a")));
    Map<String, RunId> runs = byStep(w);
    first.close();

    ScriptedBackend b2 = new ScriptedBackend();
    Orchestrator second = open(b2);
    assertThat(second.getRun(RunRef.of(runs.get("b"))).status()).isEqualTo(RunStatus.QUEUED);
    owner.release("ext");
    var r = second.awaitRuns(refs(w), WaitMode.ALL, Duration.ofSeconds(20));
    assertThat(r.done()).isTrue();
    assertThat(b2.started).extracting(s -> s.prompt()).containsExactly("complete a", "complete b with done: complete a");
    assertThat(b1.started).isEmpty();
    RunSummary b = second.getRun(RunRef.of(runs.get("b")));
    assertThat(b.metadata().path("ticket").asInt()).isEqualTo(7);
    assertThat(b.metadata().path("step").asText()).isEqualTo("b");
  }
}
