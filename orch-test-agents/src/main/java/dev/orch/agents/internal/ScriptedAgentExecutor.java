package dev.orch.agents.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.a2a.server.agentexecution.AgentExecutor;
import io.a2a.server.agentexecution.RequestContext;
import io.a2a.server.events.EventQueue;
import io.a2a.server.tasks.TaskUpdater;
import io.a2a.spec.JSONRPCError;
import io.a2a.spec.Message;
import io.a2a.spec.TaskNotCancelableError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scripted test agent (issue part 2): answers from a {@link Script} without any CLI, so A2A behaviour can be
 * tested on its own. Every task gets {@code submitted} (when new) and {@code working}; then, by the rule matching
 * the task's first message: echo → {@code final-response} artifact {@code "<prefix> <text>"} (plus a data part
 * {@code {echo: text}} when the message metadata carries {@code output_schema}) and {@code completed};
 * ask-for-input → {@code input-required} with the question, and the follow-up message in the same task is echoed;
 * fail → {@code failed} with the message; slow → working for the given time (a {@code tasks/cancel} ends it at
 * once with {@code canceled}), then echo. Thread-safe.
 */
public final class ScriptedAgentExecutor implements AgentExecutor {
  private static final Logger LOG = LoggerFactory.getLogger(ScriptedAgentExecutor.class);
  private static final long SLICE_MS = 50;

  private final Script script;
  private final ContextPins pins;
  private final TaskControl.Registry tasks = new TaskControl.Registry();

  /**
   * @param script the rules
   * @param pins the context pins (shared with the request handler)
   */
  public ScriptedAgentExecutor(Script script, ContextPins pins) {
    this.script = script;
    this.pins = pins;
  }

  @Override
  public void execute(RequestContext context, EventQueue queue) throws JSONRPCError {
    Message message = context.getMessage();
    pins.pin(context.getContextId(), A2aMessages.cwdOf(message));
    TaskUpdater updater = new TaskUpdater(context, queue);
    TaskControl task = tasks.of(context.getTaskId());
    if (context.getTask() == null) {
      task.emit(() -> A2aMessages.submitted(context, queue));
    }
    String text = A2aMessages.text(message);
    if (task.waiting()) {
      task.waiting(false);
      task.emit(() -> updater.startWork(A2aMessages.agentText(updater, "Thanks, finishing")));
      answer(task, updater, context, Script.DEFAULT_ECHO_PREFIX, text, message);
      return;
    }
    Script.Rule rule = script.match(text);
    LOG.debug("task {}: rule {} {}", context.getTaskId(), rule.trigger(), rule.step());
    switch (rule.step()) {
      case ECHO -> {
        task.emit(updater::startWork);
        answer(task, updater, context, rule.argument(), text, message);
      }
      case ASK_FOR_INPUT -> {
        task.emit(updater::startWork);
        task.waiting(true);
        task.emit(() -> updater.requiresInput(A2aMessages.agentText(updater, rule.argument()), true));
      }
      case FAIL -> {
        task.emit(updater::startWork);
        if (task.finish(() -> updater.fail(A2aMessages.agentText(updater, rule.argument())))) {
          tasks.forget(context.getTaskId());
        }
      }
      case SLOW -> {
        task.emit(() -> updater.startWork(A2aMessages.agentText(updater, "Working slowly")));
        if (sleep(task, rule.millis())) {
          answer(task, updater, context, rule.argument(), text, message);
        } else {
          task.cancel(() -> updater.cancel(A2aMessages.agentText(updater, "Cancelled on request")));
        }
      }
      default -> throw new IllegalStateException("unknown step " + rule.step());
    }
  }

  /**
   * {@code tasks/cancel}: a slow step in progress ends itself as canceled on the task's own queue (so an open
   * stream receives the state before it closes); otherwise (e.g. waiting for input) the state is enqueued here.
   */
  @Override
  public void cancel(RequestContext context, EventQueue queue) throws JSONRPCError {
    TaskControl task = tasks.of(context.getTaskId());
    TaskUpdater updater = new TaskUpdater(context, queue);
    if (task.finished()) {
      throw new TaskNotCancelableError("the task already finished");
    }
    task.requestCancel();
    boolean done = false;
    if (!task.waiting()) {
      try {
        done = task.awaitFinished(4 * SLICE_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (!done && !task.cancel(() -> updater.cancel(A2aMessages.agentText(updater, "Cancelled on request")))
        && !task.cancelled()) {
      throw new TaskNotCancelableError("the task already finished");
    }
    tasks.forget(context.getTaskId());
  }

  private void answer(TaskControl task, TaskUpdater updater, RequestContext context, String prefix, String text,
      Message message) {
    String p = prefix.isEmpty() ? Script.DEFAULT_ECHO_PREFIX : prefix;
    String answer = p + " " + text;
    ObjectNode structured = null;
    if (A2aMessages.outputSchemaOf(message) != null) {
      structured = JsonNodeFactory.instance.objectNode().put("echo", text);
    }
    ObjectNode data = structured;
    if (task.finish(() -> A2aMessages.complete(updater, answer, data))) {
      tasks.forget(context.getTaskId());
    }
  }

  /** @return true when the time passed, false when the task was cancelled (or the thread interrupted) first */
  private static boolean sleep(TaskControl task, long millis) {
    long deadline = System.nanoTime() + millis * 1_000_000L;
    while (System.nanoTime() < deadline) {
      if (task.cancelRequested() || task.cancelled()) {
        return false;
      }
      try {
        Thread.sleep(Math.min(SLICE_MS, Math.max(1, (deadline - System.nanoTime()) / 1_000_000L)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return !task.cancelRequested() && !task.cancelled();
  }
}
