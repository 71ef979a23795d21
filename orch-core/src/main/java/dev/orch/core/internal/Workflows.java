package dev.orch.core.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.CancelResult;
import dev.orch.core.OrchException;
import dev.orch.core.RunId;
import dev.orch.core.RunRef;
import dev.orch.core.SpawnRequest;
import dev.orch.core.SpawnResult;
import dev.orch.core.WorkflowCancel;
import dev.orch.core.WorkflowRequest;
import dev.orch.core.WorkflowStarted;
import dev.orch.core.WorkflowTemplate;
import dev.orch.core.spi.RunRecord;
import dev.orch.core.spi.RunStore;
import dev.orch.core.spi.SessionRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Workflows (SPEC §12.6): checks a step graph completely — ids, dependencies, cycles, placeholders, inputs, nicknames,
 * branches, and every step as a spawn_run — before anything is persisted, then submits the steps in dependency order
 * as ordinary runs with {@code depends_on} (so waiting, {@code dependency_failed} and restart survival are the
 * scheduler's), {@code metadata.workflow_id} and {@code metadata.step}. Also cancels a workflow's runs in one call.
 * Thread-safe (no state of its own).
 */
final class Workflows {
  private static final Logger LOG = LoggerFactory.getLogger(Workflows.class);

  /**
   * What the engine does for a workflow.
   *
   * @param prepare checks one spawn fully (SPEC §2 rules, backend validation, workspace) without persisting anything
   * @param submit submits a checked spawn with extra dependencies and the step results its prompt names
   * @param cancel cancel_run on one run
   */
  record Spawner(Function<SpawnRequest, Engine.Prepared> prepare, Submit submit,
      Function<RunRef, CancelResult> cancel) {
  }

  /** Submits a checked spawn. */
  @FunctionalInterface
  interface Submit {
    /** @return the started run */
    SpawnResult submit(Engine.Prepared prepared, List<RunId> dependsOn, Map<String, RunId> stepResults);
  }

  private final Spawner spawner;
  private final RunStore store;
  private final RunResolver resolver;

  Workflows(Spawner spawner, RunStore store, RunResolver resolver) {
    this.spawner = spawner;
    this.store = store;
    this.resolver = resolver;
  }

  /** @see dev.orch.core.Orchestrator#runWorkflow */
  WorkflowStarted run(WorkflowRequest wf) {
    List<WorkflowRequest.Step> steps = wf.steps();
    if (steps.isEmpty()) {
      throw OrchException.invalid("a workflow needs at least one step");
    }
    if (steps.size() > WorkflowRequest.MAX_STEPS) {
      throw OrchException.invalid("a workflow has at most " + WorkflowRequest.MAX_STEPS + " steps, not " + steps.size());
    }
    Path cwd = Path.of(wf.cwd()).normalize();
    Map<String, WorkflowRequest.Step> byId = checkIds(steps, cwd);
    List<String> order = order(byId);
    Map<String, Set<String>> ancestors = ancestors(order, byId);
    Map<String, String> inputs = checkPlaceholders(wf, byId, ancestors);
    checkNicknamesAndBranches(steps, cwd);

    String workflowId = "wf_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    Map<String, Engine.Prepared> prepared = new LinkedHashMap<>();
    for (String id : order) {
      SpawnRequest req = filled(byId.get(id).request(), inputs, metadata(byId.get(id).request(), workflowId, id,
          wf.template()));
      try {
        prepared.put(id, spawner.prepare().apply(req));
      } catch (OrchException e) {
        throw new OrchException(e.code(), "step " + id + ": " + e.getMessage(), e);
      }
    }
    Map<String, RunId> runs = new LinkedHashMap<>();
    for (String id : order) {
      WorkflowRequest.Step step = byId.get(id);
      List<RunId> deps = step.dependsOn().stream().map(runs::get).toList();
      Map<String, RunId> results = new HashMap<>();
      for (String s : StepPrompts.scan(StepPrompts.texts(step.request().prompt(), step.request().inputMessage()))
          .steps()) {
        results.put(s, runs.get(s));
      }
      try {
        runs.put(id, spawner.submit().submit(prepared.get(id), deps, results).runId());
      } catch (RuntimeException e) {
        cancelSubmitted(runs);
        String msg = e instanceof OrchException ? e.getMessage() : e.toString();
        throw new OrchException(e instanceof OrchException oe ? oe.code() : OrchException.ErrorCode.INTERNAL,
            "step " + id + " could not be submitted: " + msg + (runs.isEmpty() ? ""
                : "; the steps submitted before it were cancelled: " + String.join(", ", runs.keySet())), e);
      }
    }
    LOG.info("workflow {} ({}) submitted: {}", workflowId, wf.template() == null ? "inline" : wf.template(), runs);
    return new WorkflowStarted(workflowId, runs.entrySet().stream()
        .map(e -> new WorkflowStarted.StepRun(e.getKey(), e.getValue())).toList());
  }

  private Map<String, WorkflowRequest.Step> checkIds(List<WorkflowRequest.Step> steps, Path cwd) {
    Map<String, WorkflowRequest.Step> byId = new LinkedHashMap<>();
    for (WorkflowRequest.Step s : steps) {
      if (!StepPrompts.STEP_ID.matcher(s.id()).matches()) {
        throw OrchException.invalid("step id " + quote(s.id()) + " must start with a letter and hold only letters, "
            + "digits, _ and - (at most 64)");
      }
      if (byId.put(s.id(), s) != null) {
        throw OrchException.invalid("step ids must be unique: " + s.id() + " appears twice");
      }
      if (!Path.of(s.request().cwd()).normalize().equals(cwd)) {
        throw OrchException.invalid("step " + s.id() + ": steps run in the workflow's cwd " + cwd + ", not "
            + s.request().cwd());
      }
    }
    for (WorkflowRequest.Step s : steps) {
      Set<String> seen = new HashSet<>();
      for (String d : s.dependsOn()) {
        if (!byId.containsKey(d)) {
          throw OrchException.invalid("step " + s.id() + " depends on an unknown step: " + d + " (steps: "
              + String.join(", ", byId.keySet()) + ")");
        }
        if (!seen.add(d)) {
          throw OrchException.invalid("step " + s.id() + " names the dependency " + d + " twice");
        }
      }
    }
    return byId;
  }

  /**
   * @return the step ids in dependency order (a step after all it depends on; otherwise in the given order)
   * @throws OrchException INVALID_ARGUMENT {@code workflow steps form a cycle: a -> b -> a}
   */
  static List<String> order(Map<String, WorkflowRequest.Step> byId) {
    List<String> out = new ArrayList<>();
    Map<String, Integer> state = new HashMap<>();
    for (String id : byId.keySet()) {
      visit(id, byId, state, new ArrayList<>(), out);
    }
    return out;
  }

  private static void visit(String id, Map<String, WorkflowRequest.Step> byId, Map<String, Integer> state,
      List<String> path, List<String> out) {
    Integer st = state.get(id);
    if (st != null && st == 2) {
      return;
    }
    if (st != null && st == 1) {
      List<String> cycle = new ArrayList<>(path.subList(path.indexOf(id), path.size()));
      cycle.add(id);
      throw OrchException.invalid("workflow steps form a cycle: " + String.join(" -> ", cycle));
    }
    state.put(id, 1);
    path.add(id);
    for (String d : byId.get(id).dependsOn()) {
      visit(d, byId, state, path, out);
    }
    path.remove(path.size() - 1);
    state.put(id, 2);
    out.add(id);
  }

  private static Map<String, Set<String>> ancestors(List<String> order, Map<String, WorkflowRequest.Step> byId) {
    Map<String, Set<String>> anc = new HashMap<>();
    for (String id : order) {
      Set<String> a = new HashSet<>();
      for (String d : byId.get(id).dependsOn()) {
        a.add(d);
        a.addAll(anc.get(d));
      }
      anc.put(id, a);
    }
    return anc;
  }

  /** @return the input values to fill (given ones plus defaults) after checking every placeholder */
  private static Map<String, String> checkPlaceholders(WorkflowRequest wf, Map<String, WorkflowRequest.Step> byId,
      Map<String, Set<String>> ancestors) {
    Map<String, String> values = new HashMap<>();
    wf.declaredInputs().forEach(i -> {
      if (i.defaultValue() != null) {
        values.put(i.name(), i.defaultValue());
      }
    });
    values.putAll(wf.inputs());
    Map<String, Set<String>> missing = new LinkedHashMap<>();
    Set<String> used = new HashSet<>();
    for (WorkflowRequest.Step s : byId.values()) {
      StepPrompts.Used u;
      try {
        u = StepPrompts.scan(StepPrompts.texts(s.request().prompt(), s.request().inputMessage()));
      } catch (OrchException e) {
        throw OrchException.invalid("step " + s.id() + ": " + e.getMessage());
      }
      for (String key : u.inputs()) {
        used.add(key);
        if (!values.containsKey(key)) {
          missing.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(s.id());
        }
      }
      for (String ref : u.steps()) {
        if (!byId.containsKey(ref)) {
          throw OrchException.invalid("step " + s.id() + ": {{steps." + ref + ".final_response}} names an unknown step: "
              + ref);
        }
        if (!ancestors.get(s.id()).contains(ref)) {
          throw OrchException.invalid("step " + s.id() + ": {{steps." + ref + ".final_response}} needs step " + ref
              + " among its dependencies (add it to depends_on)");
        }
      }
    }
    for (WorkflowTemplate.Input i : wf.declaredInputs()) {
      if (i.required() && !values.containsKey(i.name())) {
        missing.computeIfAbsent(i.name(), k -> new LinkedHashSet<>());
      }
    }
    if (!missing.isEmpty()) {
      throw OrchException.invalid("missing workflow input" + (missing.size() > 1 ? "s" : "") + ": "
          + missing.entrySet().stream().map(e -> e.getKey() + (e.getValue().isEmpty() ? ""
              : " (used by step " + String.join(", ", e.getValue()) + ")")).collect(Collectors.joining(", "))
          + "; give " + (missing.size() > 1 ? "them" : "it") + " in inputs");
    }
    Set<String> declared = wf.declaredInputs().stream().map(WorkflowTemplate.Input::name).collect(Collectors.toSet());
    Set<String> unknown = new TreeSet<>();
    for (String k : wf.inputs().keySet()) {
      if (!used.contains(k) && !declared.contains(k)) {
        unknown.add(k);
      }
    }
    if (!unknown.isEmpty()) {
      Set<String> known = new TreeSet<>(declared);
      known.addAll(used);
      throw OrchException.invalid("unknown workflow input" + (unknown.size() > 1 ? "s" : "") + ": "
          + String.join(", ", unknown) + " (no step uses " + (unknown.size() > 1 ? "them" : "it") + "; inputs used: "
          + (known.isEmpty() ? "(none)" : String.join(", ", known)) + ")");
    }
    return values;
  }

  private void checkNicknamesAndBranches(List<WorkflowRequest.Step> steps, Path cwd) {
    Map<String, String> nicknames = new HashMap<>();
    Map<String, String> branches = new HashMap<>();
    for (WorkflowRequest.Step s : steps) {
      String nick = s.request().nickname() == null || s.request().nickname().isBlank() ? null
          : s.request().nickname().trim();
      if (nick != null) {
        String other = nicknames.put(nick, s.id());
        if (other != null) {
          throw OrchException.conflict("steps " + other + " and " + s.id() + " use the same nickname: " + nick);
        }
      }
      ObjectNode ws = s.request().options().workspace();
      String branch = ws == null || !ws.path("branch").isTextual() ? null : ws.path("branch").asText();
      if (branch != null) {
        String other = branches.put(branch, s.id());
        if (other != null) {
          throw OrchException.invalid("steps " + other + " and " + s.id() + " use the same workspace.branch: "
              + branch);
        }
      }
    }
    if (!nicknames.isEmpty()) {
      for (SessionRecord session : store.listSessions(cwd)) {
        String step = nicknames.get(session.agentName());
        if (step != null) {
          throw OrchException.conflict("step " + step + ": Agent name is already in use: " + session.agentName());
        }
      }
    }
  }

  private static ObjectNode metadata(SpawnRequest req, String workflowId, String step, String template) {
    ObjectNode m = req.metadata() == null ? JsonNodeFactory.instance.objectNode() : req.metadata().deepCopy();
    m.put("workflow_id", workflowId);
    m.put("step", step);
    if (template != null) {
      m.put("workflow_template", template);
    }
    return m;
  }

  private static SpawnRequest filled(SpawnRequest r, Map<String, String> inputs, ObjectNode metadata) {
    return new SpawnRequest(r.backend(), r.role(), r.cwd(), r.sessionMode(), r.sessionId(), r.nickname(),
        r.prompt() == null ? null : StepPrompts.fillInputs(r.prompt(), inputs),
        StepPrompts.fillInputs(r.inputMessage(), inputs), r.profile(), r.outputSchema(), metadata, r.backendConfig(),
        r.options());
  }

  private void cancelSubmitted(Map<String, RunId> runs) {
    List<RunId> ids = new ArrayList<>(runs.values());
    java.util.Collections.reverse(ids);
    for (RunId id : ids) {
      try {
        spawner.cancel().apply(RunRef.of(id));
      } catch (RuntimeException e) {
        LOG.warn("could not cancel run {} of a workflow that failed to submit: {}", id, e.getMessage());
      }
    }
  }

  /** @see dev.orch.core.Orchestrator#cancelWorkflow */
  WorkflowCancel cancel(RunRef ref) {
    RunRecord r = resolver.resolve(ref).record();
    String workflowId = r.metadata().path("workflow_id").asText(null);
    if (workflowId == null || workflowId.isBlank()) {
      throw OrchException.invalid("run " + r.runId() + " is not part of a workflow (it has no metadata.workflow_id); "
          + "cancel it with scope run");
    }
    List<RunRecord> runs = resolver.merged(store.listRuns(r.cwd())).stream()
        .filter(x -> workflowId.equals(x.metadata().path("workflow_id").asText(null))).toList();
    List<RunRecord> open = runs.stream().filter(x -> !x.status().isTerminal()).toList();
    if (open.isEmpty()) {
      throw OrchException.conflict("workflow " + workflowId + " has nothing to cancel: all its runs are already "
          + "terminal");
    }
    List<WorkflowCancel.Cancelled> cancelled = new ArrayList<>();
    List<WorkflowCancel.Failure> failures = new ArrayList<>();
    // dependents before what they wait for, so each ends cancelled by the user, not by its dependency
    for (RunRecord x : dependentsFirst(open)) {
      String step = x.metadata().path("step").asText(null);
      try {
        cancelled.add(new WorkflowCancel.Cancelled(step, spawner.cancel().apply(RunRef.of(x.runId()))));
      } catch (OrchException e) {
        if (!e.getMessage().startsWith("run is already terminal")) {
          failures.add(new WorkflowCancel.Failure(step, x.runId(), e.getMessage()));
        }
      }
    }
    RunRecord after = resolver.byId(r.runId()).map(RunResolver.Resolved::record).orElse(r);
    CancelResult self = cancelled.stream().map(WorkflowCancel.Cancelled::result)
        .filter(c -> c.runId().equals(r.runId())).findFirst()
        .orElse(new CancelResult(after.runId(), after.status(), after.updatedAt()));
    return new WorkflowCancel(workflowId, self, cancelled, failures);
  }

  /** @return the runs ordered so that a run comes after every run that depends on it (ties: the given order) */
  private static List<RunRecord> dependentsFirst(List<RunRecord> runs) {
    List<RunRecord> left = new ArrayList<>(runs);
    List<RunRecord> out = new ArrayList<>();
    while (!left.isEmpty()) {
      Set<RunId> needed = new HashSet<>();
      left.forEach(x -> needed.addAll(x.options().dependsOn()));
      List<RunRecord> free = left.stream().filter(x -> !needed.contains(x.runId())).toList();
      List<RunRecord> take = free.isEmpty() ? List.of(left.get(0)) : free;
      out.addAll(take);
      left.removeAll(take);
    }
    return out;
  }

  private static String quote(String s) {
    return "\"" + (s.length() > 64 ? s.substring(0, 64) + "…" : s) + "\"";
  }
}
