package dev.orch.backend.claude.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.AgentMessage;
import dev.orch.core.EventType;
import dev.orch.core.OrchException;
import dev.orch.core.RunEvent;
import dev.orch.core.RunStatus;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The permission prompts ({@code control_request can_use_tool}) of one {@code claude_code} run (SPEC §4; beyond the
 * TS server): surfaced one at a time as {@code input_required {text, tool, input, tool_use_id}}, answered oldest first
 * by {@code continue_run} ({@link PermissionAnswer}), denied after {@code permission_timeout_ms} (fail closed, with a
 * {@code message_added} note), withdrawn when the CLI cancels the request; after each answer {@code status_changed
 * {status:"running"}} and the next prompt. Requests already answered before a re-attachment (found in the process's
 * {@code stdin.jsonl}) are ignored when the run's output is read again.
 *
 * <p>Not thread-safe on its own: the owning {@link ClaudeRun} calls it under its lock, which the timer callbacks take
 * too.
 */
final class PermissionPrompts {

  /** What the prompts need from their run. */
  interface Port {
    /** @param event an event to report (the run applies its source-position rules) */
    void emit(RunEvent event);

    /** @param message a line for the CLI; a failure is only logged */
    void sendQuiet(JsonNode message);

    /**
     * @param message a line for the CLI
     * @throws IOException when the CLI is gone
     */
    void send(JsonNode message) throws IOException;

    /** @return true once the run has ended (late timers do nothing then) */
    boolean ended();
  }

  private record Prompt(String requestId, String tool, JsonNode input, String toolUseId, String description) {
  }

  private final Port port;
  private final Object lock;
  private final ScheduledExecutorService scheduler;
  private final long timeoutMs;
  private final Deque<Prompt> queue = new ArrayDeque<>();
  private final Set<String> answered = new HashSet<>();
  private ScheduledFuture<?> timer;

  /**
   * @param port the run
   * @param lock the run's lock, taken by the timeout callbacks
   * @param scheduler runs the timeouts
   * @param timeoutMs how long a prompt waits for its answer, ms
   */
  PermissionPrompts(Port port, Object lock, ScheduledExecutorService scheduler, long timeoutMs) {
    this.port = port;
    this.lock = lock;
    this.scheduler = scheduler;
    this.timeoutMs = timeoutMs;
  }

  /** @param requestIds control requests answered before this run was re-attached */
  void alreadyAnswered(Collection<String> requestIds) {
    answered.addAll(requestIds);
  }

  /** @return true when the request was answered before this run was re-attached */
  boolean wasAnswered(String requestId) {
    return answered.contains(requestId);
  }

  /**
   * A new prompt from the CLI: queued (surfaced at once when it is the only one), denied at once while the run stops,
   * ignored when it was answered before a re-attachment.
   */
  void offer(ClaudeStreamParser.Output.PermissionRequest p, boolean stopping) {
    if (answered.contains(p.requestId())) {
      return;
    }
    Prompt pr = new Prompt(p.requestId(), p.tool(), p.input(), p.toolUseId(), p.description());
    if (stopping) {
      deny(pr, "The run is stopping");
      return;
    }
    queue.add(pr);
    if (queue.size() == 1) {
      surface();
    }
  }

  /** The CLI withdrew a request (e.g. after an interrupt). */
  void withdraw(String requestId) {
    Prompt head = queue.peek();
    if (!queue.removeIf(p -> p.requestId().equals(requestId)) || head == null
        || !head.requestId().equals(requestId)) {
      return;
    }
    resumeAfter(head, null, "withdrawn_by_claude");
  }

  /**
   * Answers the oldest pending prompt.
   *
   * @throws OrchException CONFLICT when none is pending; INVALID_ARGUMENT when the message is not a valid answer;
   *     BACKEND when the CLI is gone
   */
  void answer(AgentMessage message) {
    Prompt p = queue.peek();
    if (p == null) {
      throw OrchException.conflict("run is not awaiting additional input: no permission prompt is pending");
    }
    PermissionAnswer a = PermissionAnswer.from(message);
    try {
      port.send(ClaudeLaunch.controlSuccess(p.requestId(), a.toResponse(p.input(), p.toolUseId())));
    } catch (IOException e) {
      throw new OrchException(OrchException.ErrorCode.BACKEND, "Claude Code is gone: " + e.getMessage(), e);
    }
    queue.poll();
    resumeAfter(p, a.allow() ? "allow" : "deny", null);
  }

  /** Denies every pending prompt (the run stops) and forgets them. */
  void denyAll(String reason) {
    cancelTimer();
    for (Prompt p : queue) {
      deny(p, reason);
    }
    queue.clear();
  }

  /** Forgets the pending prompts without answering them (the run ended or was detached). */
  void clear() {
    cancelTimer();
    queue.clear();
  }

  /** Reports the oldest pending prompt as input_required and starts its timeout. */
  private void surface() {
    Prompt p = queue.peek();
    ObjectNode d = JsonNodeFactory.instance.objectNode();
    d.put("tool", p.tool());
    d.set("input", p.input().deepCopy());
    d.put("tool_use_id", p.toolUseId());
    if (p.description() != null) {
      d.put("description", p.description());
    }
    String text = "Claude Code asks permission to use " + p.tool()
        + (p.description() != null ? " (" + p.description() + ")" : "")
        + ". Answer with continue_run: \"allow\" or \"deny [reason]\".";
    port.emit(new RunEvent.InputRequired(text, d));
    timer = scheduler.schedule(() -> {
      synchronized (lock) {
        onTimeout(p);
      }
    }, timeoutMs, TimeUnit.MILLISECONDS);
  }

  private void onTimeout(Prompt p) {
    if (port.ended() || queue.peek() != p) {
      return;
    }
    queue.poll();
    String text = "Permission request for " + p.tool() + " was not answered within " + timeoutMs
        + " ms: denied (fail closed).";
    deny(p, text);
    ObjectNode note = JsonNodeFactory.instance.objectNode();
    note.put("role", "system");
    note.put("text", text);
    note.put("reason", "permission_timeout");
    note.put("tool", p.tool());
    note.put("tool_use_id", p.toolUseId());
    port.emit(new RunEvent.Activity(EventType.MESSAGE_ADDED, note));
    resumeAfter(p, "deny", "permission_timeout");
  }

  private void resumeAfter(Prompt p, String behavior, String reason) {
    cancelTimer();
    ObjectNode d = JsonNodeFactory.instance.objectNode();
    d.put("tool", p.tool());
    d.put("tool_use_id", p.toolUseId());
    if (behavior != null) {
      d.put("behavior", behavior);
    }
    if (reason != null) {
      d.put("reason", reason);
    }
    port.emit(new RunEvent.StatusChanged(RunStatus.RUNNING, d));
    if (!queue.isEmpty()) {
      surface();
    }
  }

  private void deny(Prompt p, String message) {
    port.sendQuiet(ClaudeLaunch.controlSuccess(p.requestId(),
        new PermissionAnswer(false, message, null).toResponse(p.input(), p.toolUseId())));
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
