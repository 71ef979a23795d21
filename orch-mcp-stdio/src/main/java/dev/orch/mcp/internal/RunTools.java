package dev.orch.mcp.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.AgentMessage;
import dev.orch.core.EventPage;
import dev.orch.core.Orchestrator;
import dev.orch.core.Role;
import dev.orch.core.RunId;
import dev.orch.core.RunLimits;
import dev.orch.core.RunRef;
import dev.orch.core.RunStatus;
import dev.orch.core.RunSummary;
import dev.orch.core.SessionMode;
import dev.orch.core.SpawnRequest;
import dev.orch.core.WireJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The run tools of SPEC §2 (spawn_run, get_run, poll_events, cancel_run, continue_run, list_runs,
 * get_event_artifact): argument rules and the mapping of arguments to the {@link Orchestrator} API and of its
 * results to the wire shapes of {@link WireJson}.
 */
public final class RunTools {
  private final Orchestrator orch;
  private final ResultRenderer renderer;

  /**
   * @param orch the front door all calls go to
   * @param renderer used to keep poll_events answers below the result size limit
   */
  public RunTools(Orchestrator orch, ResultRenderer renderer) {
    this.orch = orch;
    this.renderer = renderer;
  }

  /** @return the bindings of the seven run tools */
  public List<ToolBinding> bindings() {
    return List.of(
        new ToolBinding("spawn_run", RunTools::spawnRules, this::spawn),
        new ToolBinding("get_run", ToolBinding::runRefRule, a -> orch.getRun(a.runRef()).toJson()),
        new ToolBinding("poll_events", ToolBinding::runRefRule, this::poll),
        new ToolBinding("cancel_run", ToolBinding::runRefRule, a -> "workflow".equals(a.string("scope"))
            ? WireJson.workflowCancel(orch.cancelWorkflow(a.runRef())) : WireJson.cancel(orch.cancel(a.runRef()))),
        new ToolBinding("continue_run", ToolBinding::runRefRule,
            a -> WireJson.continued(orch.continueRun(a.runRef(), a.message("input_message")))),
        ToolBinding.of("list_runs", a -> WireJson.runs(orch.listRuns(
            RunStatus.fromWire(a.string("status")).orElse(null), a.string("backend"), a.string("cwd")))),
        new ToolBinding("get_event_artifact", ToolBinding::runRefRule, a -> WireJson.artifact(orch.readArtifact(
            a.runRef(), a.integer("seq"), a.string("field_path"), a.integer("offset"),
            Math.toIntExact(a.integer("limit"))))));
  }

  /** SPEC §2 spawn_run rules beyond the schema. */
  static List<Violation> spawnRules(Args a) {
    List<Violation> out = new ArrayList<>();
    if (a.blank("prompt") && a.object("input_message") == null) {
      out.add(new Violation("prompt", "Either prompt or input_message is required"));
    }
    if ("resume".equals(a.string("session_mode")) && a.blank("session_id")) {
      out.add(new Violation("session_id", "session_id is required when session_mode is resume"));
    }
    if ("remote_a2a".equals(a.string("backend"))) {
      JsonNode url = a.node().path("backend_config").path("agent_url");
      if (!url.isTextual() || url.asText().isBlank()) {
        out.add(new Violation("backend_config.agent_url",
            "backend_config.agent_url is required when backend is remote_a2a"));
      }
    }
    return out;
  }

  private ObjectNode spawn(Args a) {
    return WireJson.spawn(orch.spawn(spawnRequest(a)));
  }

  /**
   * @param a spawn_run arguments that passed the schema and {@link #spawnRules}
   * @return the request they describe (also used for spawn_runs items and run_workflow steps)
   */
  static SpawnRequest spawnRequest(Args a) {
    Role role = Role.fromWire(a.string("role")).orElseThrow();
    SessionMode mode = SessionMode.valueOf(a.string("session_mode").toUpperCase(Locale.ROOT));
    AgentMessage input = a.message("input_message");
    SpawnRequest request = SpawnRequest.builder(a.string("backend"), role, a.string("cwd"), mode)
        .sessionId(a.string("session_id"))
        .nickname(a.string("nickname"))
        .prompt(a.blank("prompt") ? null : a.string("prompt"))
        .inputMessage(input)
        .profile(a.string("profile"))
        .outputSchema(a.object("output_schema"))
        .metadata(a.object("metadata"))
        .backendConfig(a.object("backend_config"))
        .workspace(a.object("workspace"))
        .priority(Math.toIntExact(a.integer("priority")))
        .limits(RunLimits.fromJson(a.object("limits")))
        .dependsOn(runIds(a.node().get("depends_on")))
        .build();
    return request;
  }

  /** @return the run ids of a validated string array, empty for none */
  static List<RunId> runIds(JsonNode array) {
    List<RunId> out = new ArrayList<>();
    if (array != null && array.isArray()) {
      array.forEach(id -> out.add(new RunId(id.asText().trim())));
    }
    return out;
  }

  /**
   * Long-polls; when the request asked for progress (SPEC §12.9), the wait is cut into slices of at most
   * {@link ProgressReporter#HEARTBEAT_MS}: each empty slice sends a heartbeat (progress = last_seq, message = summary)
   * and new events send one before the answer. The run is pinned by id after the first slice, so an agent_name
   * reference cannot move to another run mid-wait.
   */
  EventPage pollWithProgress(RunRef ref, long afterSeq, int limit, long waitMs, ProgressReporter progress) {
    if (!progress.active() || waitMs == 0) {
      return orch.poll(ref, afterSeq, limit, Duration.ofMillis(waitMs));
    }
    long deadline = System.nanoTime() + waitMs * 1_000_000;
    RunRef pinned = ref;
    while (true) {
      long left = Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
      EventPage page = orch.poll(pinned, afterSeq, limit, Duration.ofMillis(Math.min(left,
          ProgressReporter.HEARTBEAT_MS)));
      pinned = RunRef.of(page.runId());
      if (!page.events().isEmpty()) {
        progress.report(page.events().get(page.events().size() - 1).seq(), summaryOf(pinned));
        return page;
      }
      if (page.status().isTerminal() || left <= ProgressReporter.HEARTBEAT_MS) {
        return page;
      }
      RunSummary now = orch.getRun(pinned);
      progress.report(now.lastSeq(), now.summary());
    }
  }

  private String summaryOf(RunRef ref) {
    try {
      return orch.getRun(ref).summary();
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * Long-polls, then keeps the answer below {@link ResultRenderer#MAX_RESULT_BYTES}: when 1000 large events would
   * not fit, the later ones are left for the next poll (next_after_seq points at the last one returned).
   */
  private ObjectNode poll(Args a) {
    EventPage page = pollWithProgress(a.runRef(), a.integer("after_seq"), Math.toIntExact(a.integer("limit")),
        a.integer("wait_ms"), a.progress());
    int count = page.events().size();
    ObjectNode payload = WireJson.poll(page, count);
    while (count > 1 && !renderer.fits(payload)) {
      count = count / 2;
      payload = WireJson.poll(page, count);
    }
    return payload;
  }
}
