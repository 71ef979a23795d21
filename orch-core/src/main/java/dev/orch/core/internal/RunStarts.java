package dev.orch.core.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orch.core.AgentMessage;
import dev.orch.core.OrchException;
import dev.orch.core.spi.RunRecord;
import dev.orch.core.spi.RunSpec;
import dev.orch.core.spi.RunStore;
import dev.orch.core.spi.SessionRecord;
import java.util.Objects;

/**
 * What happens between a run leaving the queue and its backend starting (the engine's start hook): the session's
 * backend conversation for a resume (SPEC §2), a workflow step's prompt completed from the results of the steps it
 * names (SPEC §12.6, {@link StepPrompts}), and the run's worktree created or reused (SPEC §12.7,
 * {@link RunWorkspaces}). Record changes (the filled prompt, the workspace) go through the run's journal, in order
 * with its events; the backend's {@link RunSpec} gets the worktree as its cwd while run.json keeps the user's.
 * Called on the starter thread of the run; thread-safe.
 */
final class RunStarts {
  private final java.util.Map<String, String> childPath;
  private final RunStore store;
  private final RunResolver resolver;
  private final EventPipeline pipeline;
  private final RunWorkspaces workspaces;

  RunStarts(RunStore store, RunResolver resolver, EventPipeline pipeline, RunWorkspaces workspaces,
      java.util.Map<String, String> childPath) {
    this.childPath = childPath;
    this.store = store;
    this.resolver = resolver;
    this.pipeline = pipeline;
    this.workspaces = workspaces;
  }

  /**
   * @return the spec the run's backend starts with
   * @throws OrchException when the run cannot start (unknown session, nothing to resume, worktree failure): the
   *     engine records {@code run_failed} with the message
   */
  RunSpec prepare(LiveRun run) {
    RunRecord r = run.record();
    SessionRecord session = store.findSession(r.sessionId(), r.cwd())
        .orElseThrow(() -> OrchException.notFound("Unknown session_id: " + r.sessionId()));
    PendingStart pending = run.pendingStart;
    RunSpec.Resume resume = null;
    if (pending.resume()) {
      if (session.backendSessionId() == null) {
        throw OrchException.conflict("Session " + session.sessionId() + " has no backend session id yet: the "
            + "previous run ended before the backend reported one, so there is nothing to resume");
      }
      resume = new RunSpec.Resume(session.backendSessionId(), session.remoteRef());
    }
    RunRecord started = r;
    if (!pending.stepResults().isEmpty()) {
      java.util.function.Function<dev.orch.core.RunId, java.util.Optional<RunRecord>> records =
          id -> resolver.byId(id).map(RunResolver.Resolved::record);
      String prompt = StepPrompts.fillSteps(r.prompt(), pending.stepResults(), records);
      AgentMessage message = StepPrompts.fillSteps(pending.inputMessage(), pending.stepResults(), records);
      pending = new PendingStart(message, pending.systemPrompt(), pending.backendConfig(), pending.resume(),
          pending.stepResults());
      if (!Objects.equals(prompt, r.prompt())) {
        started = r.withPrompt(prompt);
        pipeline.change(run, x -> x.withPrompt(prompt));
      }
    }
    RunWorkspaces.Active ws = workspaces.open(run, pending.resume(), () -> resolver.runsOf(session));
    RunSpec spec = SpawnPlan.spec(started, session, pending, resume, childPath);
    if (ws == null) {
      return spec;
    }
    run.workspace = ws;
    JsonNode previousFiles = pending.resume() ? previousFiles(session, run) : null;
    var recorded = workspaces.startRecord(ws, previousFiles);
    pipeline.change(run, x -> x.withWorkspace(recorded));
    return new RunSpec(spec.runId(), spec.sessionId(), spec.agentName(), spec.role(), ws.agentCwd(), spec.prompt(),
        spec.inputMessage(), spec.systemPrompt(), spec.outputSchema(), spec.backendConfig(), spec.resume(),
        spec.environment(), spec.metadata());
  }

  private JsonNode previousFiles(SessionRecord session, LiveRun run) {
    return resolver.runsOf(session).stream()
        .filter(p -> !p.runId().equals(run.runId) && p.workspace() != null)
        .findFirst().map(p -> p.workspace().get("changed_files")).orElse(null);
  }
}
