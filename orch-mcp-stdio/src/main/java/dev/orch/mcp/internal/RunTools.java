package dev.orch.mcp.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.AgentMessage;
import dev.orch.core.EventPage;
import dev.orch.core.Orchestrator;
import dev.orch.core.Role;
import dev.orch.core.RunStatus;
import dev.orch.core.SessionMode;
import dev.orch.core.SpawnRequest;
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
        .build();
    return request;
  }

  /**
   * Long-polls, then keeps the answer below {@link ResultRenderer#MAX_RESULT_BYTES}: when 1000 large events would
   * not fit, the later ones are left for the next poll (next_after_seq points at the last one returned).
   */
  private ObjectNode poll(Args a) {
    EventPage page = orch.poll(a.runRef(), a.integer("after_seq"), Math.toIntExact(a.integer("limit")),
        Duration.ofMillis(a.integer("wait_ms")));
    int count = page.events().size();
    ObjectNode payload = WireJson.poll(page, count);
    while (count > 1 && renderer.wireBytes(payload) > ResultRenderer.MAX_RESULT_BYTES) {
      count = count / 2;
      payload = WireJson.poll(page, count);
    }
    return payload;
  }
}
