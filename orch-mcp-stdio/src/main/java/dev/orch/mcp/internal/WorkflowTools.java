package dev.orch.mcp.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.OrchException;
import dev.orch.core.Orchestrator;
import dev.orch.core.RunRef;
import dev.orch.core.WaitListener;
import dev.orch.core.WaitMode;
import dev.orch.core.WaitResult;
import dev.orch.core.WireJson;
import dev.orch.core.WorkflowRequest;
import dev.orch.core.WorkflowTemplate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fan-out, join and workflow tools of SPEC §12.5–12.6: {@code spawn_runs}, {@code wait_runs}, {@code run_workflow}
 * and {@code list_workflow_templates}. A spawn_runs item and a workflow step are checked exactly like a spawn_run
 * call (its input schema and {@link RunTools#spawnRules}) and turned into a request by
 * {@link RunTools#spawnRequest}, so every spawn_run argument works in them.
 */
public final class WorkflowTools {
  private static final Logger LOG = LoggerFactory.getLogger(WorkflowTools.class);
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private final Orchestrator orch;
  private final ResultRenderer renderer;
  private final ToolDefinition spawnRun;
  private final ArgumentValidator spawnValidator;

  /**
   * @param orch the front door all calls go to
   * @param renderer used to keep wait_runs answers below the result size limit
   * @param catalog the tool definitions (spawn_run's is used to check items and steps)
   * @throws IllegalArgumentException when the catalog has no spawn_run
   */
  public WorkflowTools(Orchestrator orch, ResultRenderer renderer, List<ToolDefinition> catalog) {
    this.orch = orch;
    this.renderer = renderer;
    this.spawnRun = catalog.stream().filter(d -> d.name().equals("spawn_run")).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no spawn_run definition"));
    this.spawnValidator = new ArgumentValidator(spawnRun.inputSchema());
  }

  /** @return the bindings of spawn_runs, wait_runs, run_workflow and list_workflow_templates */
  public List<ToolBinding> bindings() {
    return List.of(
        ToolBinding.of("spawn_runs", this::spawnRuns),
        new ToolBinding("wait_runs", WorkflowTools::waitRules, this::waitRuns),
        new ToolBinding("run_workflow", a -> steps(a).violations(), this::runWorkflow),
        ToolBinding.of("list_workflow_templates", a -> WireJson.templates(orch.workflowTemplates(
            a.string("cwd") == null ? null : Path.of(a.string("cwd"))))));
  }

  /** Starts each item on its own: a refused item never stops the others (SPEC §12.5). */
  private ObjectNode spawnRuns(Args a) {
    ObjectNode out = F.objectNode();
    ArrayNode runs = out.putArray("runs");
    JsonNode items = a.node().path("runs");
    for (int i = 0; i < items.size(); i++) {
      ObjectNode item = (ObjectNode) items.get(i);
      List<Violation> v = check(item);
      if (!v.isEmpty()) {
        runs.add(WireJson.refused(i, "Invalid arguments: " + describe(v)));
        continue;
      }
      try {
        runs.add(WireJson.spawned(i, orch.spawn(RunTools.spawnRequest(new Args(spawnRun, item)))));
      } catch (OrchException e) {
        runs.add(WireJson.refused(i, e.getMessage()));
      } catch (RuntimeException e) {
        LOG.error("Unexpected failure in spawn_runs item {}", i, e);
        runs.add(WireJson.refused(i, "internal error: " + e.getMessage()));
      }
    }
    return out;
  }

  private List<Violation> check(ObjectNode spawnArgs) {
    List<Violation> v = new ArrayList<>(spawnValidator.validate(spawnArgs));
    v.addAll(RunTools.spawnRules(new Args(spawnRun, spawnArgs)));
    return v;
  }

  private static String describe(List<Violation> v) {
    return String.join("; ", v.stream().map(x -> x.path() + ": " + x.message()).toList());
  }

  static List<Violation> waitRules(Args a) {
    Set<String> seen = new HashSet<>();
    for (JsonNode id : a.node().path("run_ids")) {
      if (!seen.add(id.asText())) {
        return List.of(new Violation("run_ids", "must not name a run twice: " + id.asText()));
      }
    }
    return List.of();
  }

  private ObjectNode waitRuns(Args a) {
    List<RunRef> refs = new ArrayList<>();
    a.node().path("run_ids").forEach(id -> refs.add(RunRef.ofRunId(id.asText())));
    WaitMode mode = WaitMode.fromWire(a.string("mode") == null ? "all" : a.string("mode")).orElseThrow();
    WaitResult w = awaitWithProgress(refs, mode, a.integer("wait_ms"), a.progress());
    ObjectNode payload = WireJson.waited(w);
    // 100 runs with long final responses could pass the result size limit: shorten the longest texts until it fits
    int cap = 1 << 20;
    while (!renderer.fits(payload) && cap > 256) {
      cap /= 2;
      payload = shorten(WireJson.waited(w), cap);
    }
    return payload;
  }

  /**
   * Waits; when the request asked for progress (SPEC §12.9) every status change of a run is reported at once and, while
   * nothing changes, a heartbeat at least every {@link ProgressReporter#HEARTBEAT_MS} ms. Progress is the sum of the
   * runs' last_seq (it only grows); the message names the run that changed, or how many runs are done.
   */
  private WaitResult awaitWithProgress(List<RunRef> refs, WaitMode mode, long waitMs, ProgressReporter progress) {
    if (!progress.active() || waitMs == 0) {
      return orch.awaitRuns(refs, mode, Duration.ofMillis(waitMs));
    }
    long deadline = System.nanoTime() + waitMs * 1_000_000;
    long[] seen = new long[1];
    WaitListener listener = run -> {
      seen[0] = Math.max(seen[0], seen[0] + 1);
      progress.report(seen[0], run.runId() + " is " + run.status().wire() + ": " + run.summary());
    };
    while (true) {
      long left = Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
      WaitResult w = orch.awaitRuns(refs, mode, Duration.ofMillis(Math.min(left, ProgressReporter.HEARTBEAT_MS)),
          listener);
      long total = w.runs().stream().mapToLong(o -> o.summary().lastSeq()).sum();
      seen[0] = Math.max(seen[0], total);
      if (w.done() || left <= ProgressReporter.HEARTBEAT_MS) {
        return w;
      }
      long done = w.runs().stream().filter(o -> o.summary().status().isTerminal()).count();
      progress.report(seen[0], done + " of " + w.runs().size() + " run(s) ended");
    }
  }

  private static ObjectNode shorten(ObjectNode payload, int cap) {
    for (JsonNode run : payload.path("runs")) {
      JsonNode result = run.path("result");
      String text = result.path("final_response").asText(null);
      if (result.isObject() && text != null && text.length() > cap) {
        ((ObjectNode) result).put("final_response", text.substring(0, cap) + "\n...[truncated: " + text.length()
            + " characters; read the whole text with get_event_artifact on the run's run_completed event, "
            + "field_path /final_response]");
        ((ObjectNode) result).put("final_response_truncated", true);
      }
    }
    return payload;
  }

  /** The steps of a run_workflow call checked like spawn_run calls, with the problems found. */
  private record Steps(List<WorkflowRequest.Step> steps, List<Violation> violations, WorkflowTemplate template) {
  }

  /**
   * Builds the steps of a run_workflow call: a template's or the inline ones, each with the workflow's cwd,
   * {@code session_mode:"new"} unless set, and the {@code defaults} for the fields it does not set, then checked as a
   * spawn_run call. Violation paths: {@code workflow.steps.<i>.<field>} or {@code template.steps.<i>.<field>}.
   *
   * @throws OrchException NOT_FOUND for an unknown template, INVALID_ARGUMENT for a bad cwd or a broken template file
   */
  private Steps steps(Args a) {
    String cwd = a.string("cwd");
    if (cwd == null || cwd.isBlank() || !a.node().path("template").isTextual() && a.node().hasNonNull("template")) {
      return new Steps(List.of(), List.of(), null); // the schema reports these
    }
    boolean hasTemplate = !a.blank("template");
    ObjectNode inline = a.object("workflow");
    if (hasTemplate == (inline != null)) {
      return new Steps(List.of(), List.of(new Violation("template", "give either template (a name from "
          + "list_workflow_templates) or workflow {steps: [...]}, not " + (hasTemplate ? "both" : "neither"))), null);
    }
    if (!absolute(cwd)) {
      return new Steps(List.of(), List.of(new Violation("cwd", "must be an absolute path: " + cwd)), null);
    }
    WorkflowTemplate template = hasTemplate ? orch.workflowTemplate(a.string("template"), Path.of(cwd)) : null;
    JsonNode docs = template != null ? template.stepDocuments() : inline.path("steps");
    String prefix = template != null ? "template.steps." : "workflow.steps.";
    ObjectNode defaults = a.object("defaults");
    List<WorkflowRequest.Step> steps = new ArrayList<>();
    List<Violation> violations = new ArrayList<>();
    for (int i = 0; i < docs.size(); i++) {
      ObjectNode node = docs.get(i).deepCopy();
      String id = node.path("id").asText("");
      List<String> deps = new ArrayList<>();
      node.path("depends_on").forEach(d -> deps.add(d.asText()));
      node.remove("id");
      node.remove("depends_on");
      if (defaults != null) {
        defaults.properties().forEach(e -> {
          if (!node.has(e.getKey()) && !Set.of("cwd", "id", "depends_on").contains(e.getKey())) {
            node.set(e.getKey(), e.getValue().deepCopy());
          }
        });
      }
      if (node.hasNonNull("cwd") && !node.path("cwd").asText().equals(cwd)
          && !(absolute(node.path("cwd").asText())
          && Path.of(node.path("cwd").asText()).normalize().equals(Path.of(cwd).normalize()))) {
        violations.add(new Violation(prefix + i + ".cwd", "steps run in the workflow's cwd; remove cwd from the step"));
      }
      node.put("cwd", cwd);
      if (!node.hasNonNull("session_mode")) {
        node.put("session_mode", "new");
      }
      for (Violation v : check(node)) {
        String hint = v.path().equals("backend") && v.message().equals("is required")
            ? " (set it in the step or in run_workflow defaults, e.g. defaults: {\"backend\": \"codex\"})" : "";
        violations.add(new Violation(prefix + i + "." + v.path(), v.message() + hint));
      }
      if (violations.isEmpty()) {
        steps.add(new WorkflowRequest.Step(id, deps, RunTools.spawnRequest(new Args(spawnRun, node))));
      }
    }
    return new Steps(steps, violations, template);
  }

  private static boolean absolute(String path) {
    try {
      return Path.of(path).isAbsolute();
    } catch (java.nio.file.InvalidPathException e) {
      return false;
    }
  }

  private ObjectNode runWorkflow(Args a) {
    Steps s = steps(a);
    Map<String, String> inputs = new LinkedHashMap<>();
    ObjectNode in = a.object("inputs");
    if (in != null) {
      in.properties().forEach(e -> inputs.put(e.getKey(), e.getValue().asText()));
    }
    WorkflowTemplate t = s.template();
    return WireJson.workflow(orch.runWorkflow(new WorkflowRequest(a.string("cwd"), s.steps(), inputs,
        t == null ? List.of() : t.inputs(), t == null ? null : t.name())));
  }
}
