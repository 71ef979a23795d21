package dev.orch.agents.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.AgentMessage;
import dev.orch.core.EventPage;
import dev.orch.core.NormalizedEvent;
import dev.orch.core.OrchException;
import dev.orch.core.Orchestrator;
import dev.orch.core.Role;
import dev.orch.core.RunRef;
import dev.orch.core.RunStatus;
import dev.orch.core.SessionMode;
import dev.orch.core.SpawnRequest;
import dev.orch.core.SpawnResult;
import io.a2a.server.agentexecution.AgentExecutor;
import io.a2a.server.agentexecution.RequestContext;
import io.a2a.server.events.EventQueue;
import io.a2a.server.tasks.TaskUpdater;
import io.a2a.spec.JSONRPCError;
import io.a2a.spec.Message;
import io.a2a.spec.TaskNotCancelableError;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves A2A tasks with an Orch backend (codex, claude_code, …) through the {@link Orchestrator} API only
 * (SPEC §9): a task's first message spawns a run (a new session for a new context, {@code session_mode: resume} on
 * the context's session afterwards) in the context's pinned cwd, then the run's events are polled and mapped:
 * <ul>
 *   <li>{@code agent_message} → a {@code working} status update with the text;</li>
 *   <li>{@code input_required} / {@code auth_required} → {@code input-required} / {@code auth-required} with the
 *       text (the executor returns); the next message in the same task goes to {@link Orchestrator#continueRun}
 *       (live) and polling goes on;</li>
 *   <li>{@code run_completed} → the {@code final-response} artifact (text, plus a data part with
 *       {@code structured_output}) and {@code completed};</li>
 *   <li>{@code run_failed} → {@code failed} with the message; {@code rejected} → {@code rejected}; a cancellation not
 *       asked for here → {@code canceled}.</li>
 * </ul>
 * {@code tasks/cancel} calls {@link Orchestrator#cancel}, which stops the CLI (its process tree is gone when it
 * returns), then reports {@code canceled}. Thread-safe.
 */
public final class OrchestratorAgentExecutor implements AgentExecutor {
  private static final Logger LOG = LoggerFactory.getLogger(OrchestratorAgentExecutor.class);
  private static final Duration POLL_WAIT = Duration.ofSeconds(5);

  private final Orchestrator orchestrator;
  private final String backend;
  private final ObjectNode backendConfig;
  private final ContextPins pins;
  private final BooleanSupplier open;
  private final TaskControl.Registry tasks = new TaskControl.Registry();

  /**
   * @param orchestrator the Orchestrator that runs the backend (not closed here)
   * @param backend the backend id, e.g. {@code codex}
   * @param backendConfig per-run {@code backend_config}, or null for the backend's server-wide settings
   * @param pins the context pins (shared with the request handler)
   * @param open false once the server is closing (polling then stops)
   */
  public OrchestratorAgentExecutor(Orchestrator orchestrator, String backend, ObjectNode backendConfig,
      ContextPins pins, BooleanSupplier open) {
    this.orchestrator = orchestrator;
    this.backend = backend;
    this.backendConfig = backendConfig == null ? null : backendConfig.deepCopy();
    this.pins = pins;
    this.open = open;
  }

  /** Longest wait in {@code tasks/cancel} for the executing thread to record the cancel, ms. */
  static final long CANCEL_FOLLOW_MS = 10_000;

  @Override
  public void execute(RequestContext context, EventQueue queue) throws JSONRPCError {
    Message message = context.getMessage();
    String cwd = pins.pin(context.getContextId(), A2aMessages.cwdOf(message));
    TaskUpdater updater = new TaskUpdater(context, queue);
    String taskId = context.getTaskId();
    TaskControl task = tasks.of(taskId);
    if (context.getTask() == null) {
      task.emit(() -> A2aMessages.submitted(context, queue));
    }
    task.emit(updater::startWork);
    try {
      if (task.waiting() && task.runId() != null) {
        task.waiting(false);
        orchestrator.continueRun(RunRef.ofRunId(task.runId()), A2aMessages.toAgentMessage(message));
      } else {
        spawn(context, cwd, message, task);
        if (task.cancelled()) {
          cancelRun(task);
          return;
        }
      }
    } catch (OrchException e) {
      LOG.info("task {}: {}", taskId, e.getMessage());
      end(task, taskId, () -> updater.fail(A2aMessages.agentText(updater, e.getMessage())));
      return;
    }
    follow(task, taskId, updater);
  }

  /**
   * {@code tasks/cancel}: stops the Orch run and lets the executing thread, which follows the run, enqueue the
   * canceled state on the task's own queue, so a client streaming the task receives it before the stream closes
   * (enqueued from here, on the SDK's tapped queue, it can be lost when the SDK then cancels the running agent). A
   * task waiting for input has no executing thread: the canceled state is enqueued here.
   */
  @Override
  public void cancel(RequestContext context, EventQueue queue) throws JSONRPCError {
    TaskControl task = tasks.of(context.getTaskId());
    TaskUpdater updater = new TaskUpdater(context, queue);
    if (task.finished()) {
      throw new TaskNotCancelableError("the task already finished");
    }
    boolean followed = !task.waiting() && task.runId() != null;
    cancelRun(task);
    boolean done = false;
    if (followed) {
      try {
        done = task.awaitFinished(CANCEL_FOLLOW_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (!done && !task.cancel(() -> updater.cancel(A2aMessages.agentText(updater, "Cancelled on request")))
        && !task.finished()) {
      throw new TaskNotCancelableError("the task already finished");
    }
    tasks.forget(context.getTaskId());
  }

  private void spawn(RequestContext context, String cwd, Message message, TaskControl task) {
    String sessionId = pins.sessionOf(context.getContextId());
    AgentMessage input = A2aMessages.toAgentMessage(message);
    ObjectNode metadata = JsonNodeFactory.instance.objectNode();
    ObjectNode a2a = metadata.putObject("a2a");
    a2a.put("task_id", context.getTaskId());
    a2a.put("context_id", context.getContextId());
    SpawnRequest.Builder request = SpawnRequest.builder(backend, Role.WORKER, cwd,
            sessionId == null ? SessionMode.NEW : SessionMode.RESUME)
        .sessionId(sessionId)
        .prompt(input.render())
        .outputSchema(A2aMessages.outputSchemaOf(message))
        .metadata(metadata)
        .backendConfig(backendConfig == null ? null : backendConfig.deepCopy());
    SpawnResult run = orchestrator.spawn(request.build());
    pins.bindSession(context.getContextId(), run.sessionId().value());
    task.runId(run.runId().value());
    LOG.info("task {} (context {}): run {} on {} in {}", context.getTaskId(), context.getContextId(),
        run.runId().value(), backend, cwd);
  }

  /** Polls the run's events and maps them until the task is final, waits for input, or was cancelled. */
  private void follow(TaskControl task, String taskId, TaskUpdater updater) {
    RunRef ref = RunRef.ofRunId(task.runId());
    while (open.getAsBoolean() && !task.finished()) {
      EventPage page = orchestrator.poll(ref, task.afterSeq(), 100, POLL_WAIT);
      for (NormalizedEvent e : page.events()) {
        task.afterSeq(e.seq());
        if (map(task, taskId, updater, e)) {
          return;
        }
      }
      if (page.events().isEmpty() && page.status().isTerminal()) {
        RunStatus s = page.status();
        end(task, taskId, () -> updater.fail(A2aMessages.agentText(updater, "the run ended as " + s.wire())));
        return;
      }
    }
  }

  /** @return true when the executor should return (final state, waiting for input) */
  private boolean map(TaskControl task, String taskId, TaskUpdater updater, NormalizedEvent e) {
    ObjectNode d = e.data();
    switch (e.type()) {
      case AGENT_MESSAGE -> {
        String text = d.path("text").asText("");
        if (!text.isEmpty()) {
          task.emit(() -> updater.updateStatus(io.a2a.spec.TaskState.WORKING, A2aMessages.agentText(updater, text)));
        }
        return false;
      }
      case INPUT_REQUIRED, AUTH_REQUIRED -> {
        task.waiting(true);
        Message ask = A2aMessages.agentText(updater, d.path("text").asText("Input required"));
        boolean auth = e.type() == dev.orch.core.EventType.AUTH_REQUIRED;
        task.emit(() -> {
          if (auth) {
            updater.requiresAuth(ask, true);
          } else {
            updater.requiresInput(ask, true);
          }
        });
        return true;
      }
      case RUN_COMPLETED -> {
        String text = d.path("final_response").asText("");
        JsonNode structured = d.get("structured_output");
        end(task, taskId, () -> A2aMessages.complete(updater, text, structured));
        return true;
      }
      case RUN_FAILED -> {
        String text = d.path("message").asText("the run failed");
        end(task, taskId, () -> updater.fail(A2aMessages.agentText(updater, text)));
        return true;
      }
      case REJECTED -> {
        String text = d.path("message").asText("rejected");
        end(task, taskId, () -> updater.reject(A2aMessages.agentText(updater, text)));
        return true;
      }
      case STATUS_CHANGED -> {
        if ("cancelled".equals(d.path("status").asText())) {
          end(task, taskId, () -> updater.cancel(A2aMessages.agentText(updater, "The run was cancelled")));
          return true;
        }
        return false;
      }
      default -> {
        return false;
      }
    }
  }

  private void end(TaskControl task, String taskId, Runnable finalUpdate) {
    if (task.finish(finalUpdate)) {
      tasks.forget(taskId);
    }
  }

  private void cancelRun(TaskControl task) {
    String runId = task.runId();
    if (runId == null) {
      return;
    }
    try {
      orchestrator.cancel(RunRef.ofRunId(runId));
    } catch (OrchException e) {
      LOG.info("cancel of run {}: {}", runId, e.getMessage());
    }
  }
}
