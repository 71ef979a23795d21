package dev.orch.backend.a2a.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.backend.a2a.A2aBackendProvider;
import dev.orch.core.AgentMessage;
import dev.orch.core.EventType;
import dev.orch.core.MessagePart;
import dev.orch.core.MessageRole;
import dev.orch.core.RemoteRef;
import dev.orch.core.RunEvent;
import dev.orch.core.RunStatus;
import io.a2a.spec.Artifact;
import io.a2a.spec.Message;
import io.a2a.spec.Task;
import io.a2a.spec.TaskArtifactUpdateEvent;
import io.a2a.spec.TaskState;
import io.a2a.spec.TaskStatus;
import io.a2a.spec.TaskStatusUpdateEvent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Turns the A2A events of one run into Orch events (SPEC §4 remote_a2a) and remembers what the run has seen:
 * task and context ids, agent messages, artifacts, the last data part. Each {@code on*} method returns the events
 * to emit, in order; a terminal or waiting event is always last, and {@link #outcome()} then tells the caller how
 * the turn ended. Not thread-safe: the owning run serialises calls.
 *
 * <p>State map: submitted→queued, working→running, input-required→input_required, auth-required→auth_required,
 * completed→completed, canceled→cancelled, failed→failed, rejected→rejected. Waiting and terminal states produce
 * their dedicated event ({@code input_required}, {@code auth_required}, {@code run_completed}, {@code run_failed},
 * {@code rejected}, {@code status_changed cancelled}) instead of a {@code status_changed}, so that a run has exactly
 * one terminal event. Waiting states delivered inside a task object are honoured (TS-server defect §11.5).
 */
final class TaskTracker {

  /** How the current turn stands after the last event. */
  enum Outcome {
    /** The agent is still working on the turn. */
    ACTIVE,
    /** The task waits for input (input-required / auth-required). */
    WAITING,
    /** The run ended (its terminal event was produced). */
    TERMINAL
  }

  private final String agentUrl;
  private final String agentName;
  private String taskId;
  private String contextId;
  private Outcome outcome = Outcome.ACTIVE;
  private String staleWaitingKey;
  private TaskStatus lastWaitingStatus;
  private TaskState lastActiveState;
  private final Set<String> seenMessageIds = new HashSet<>();
  private final Map<String, ArtifactAcc> artifacts = new LinkedHashMap<>();
  private String lastAgentText;
  private String lastArtifactText;
  private ObjectNode lastData;

  /**
   * @param agentUrl the configured agent URL, for remote refs
   * @param agentName the card's name, may be null
   * @param resumedContextId the context id of a resumed session, or null
   */
  TaskTracker(String agentUrl, String agentName, String resumedContextId) {
    this.agentUrl = agentUrl;
    this.agentName = agentName;
    this.contextId = resumedContextId;
  }

  /** Continues a known task (re-attachment): its id is known before any event. @param id the task id */
  void adoptTask(String id) {
    ids(id, null);
  }

  String taskId() {
    return taskId;
  }

  String contextId() {
    return contextId;
  }

  Outcome outcome() {
    return outcome;
  }

  /** @return the remote reference as known now */
  RemoteRef remoteRef() {
    return new RemoteRef(A2aBackendProvider.ID, contextId, taskId, contextId, agentUrl, agentName, null);
  }

  /**
   * Starts a new turn on the same task (continue_run): the waiting status the agent repeats at the start of the
   * next stream (the task snapshot) is recognised as stale and ignored.
   *
   * @param lastWaiting the waiting status that ended the previous turn, or null
   */
  void beginTurn(TaskStatus lastWaiting) {
    outcome = Outcome.ACTIVE;
    lastActiveState = null;
    staleWaitingKey = lastWaiting == null ? null : key(lastWaiting);
  }

  /** @return the status that made the task wait, or null */
  TaskStatus lastWaitingStatus() {
    return lastWaitingStatus;
  }

  /** @return events for a task snapshot (new artifacts, then its status) */
  List<RunEvent> onTask(Task task) {
    List<RunEvent> out = new ArrayList<>();
    ids(task.getId(), task.getContextId());
    if (task.getArtifacts() != null) {
      for (Artifact a : task.getArtifacts()) {
        if (a != null && !artifacts.containsKey(a.artifactId())) {
          out.add(artifact(a, false));
        }
      }
    }
    if (task.getStatus() != null) {
      out.addAll(status(task.getStatus()));
    }
    return out;
  }

  /**
   * Takes in the task snapshot that starts a re-attachment (SPEC §12.8) without reporting what it already holds: its
   * artifacts and history messages count as seen (the artifacts still make up the final {@code artifacts} list and
   * response). Call before {@link #onTask} of the same snapshot, which then reports only its status. A2A keeps no
   * event log, so what the agent said while no Orch process followed it shows up only through the current status,
   * the artifacts and the final result.
   *
   * @param task the snapshot from {@code tasks/resubscribe} or {@code tasks/get}
   */
  void prime(Task task) {
    ids(task.getId(), task.getContextId());
    if (task.getArtifacts() != null) {
      for (Artifact a : task.getArtifacts()) {
        if (a != null) {
          artifact(a, false);
        }
      }
    }
    if (task.getHistory() != null) {
      for (Message m : task.getHistory()) {
        if (m != null) {
          message(m);
        }
      }
    }
  }

  /** @return events for a status-update */
  List<RunEvent> onStatusUpdate(TaskStatusUpdateEvent event) {
    ids(event.getTaskId(), event.getContextId());
    return event.getStatus() == null ? List.of() : status(event.getStatus());
  }

  /** @return the artifact_added event of an artifact-update */
  List<RunEvent> onArtifactUpdate(TaskArtifactUpdateEvent event) {
    ids(event.getTaskId(), event.getContextId());
    if (event.getArtifact() == null) {
      return List.of();
    }
    return List.of(artifact(event.getArtifact(), Boolean.TRUE.equals(event.isAppend())));
  }

  /** @return events for a direct message reply: the message, then run_completed (a message ends the turn) */
  List<RunEvent> onMessage(Message message) {
    ids(message.getTaskId(), message.getContextId());
    List<RunEvent> out = new ArrayList<>(message(message));
    boolean agent = message.getRole() != Message.Role.USER;
    out.add(completed(agent ? Parts.text(Parts.fromA2a(message.getParts())) : null));
    return out;
  }

  private void ids(String task, String context) {
    if (task != null && !task.isEmpty()) {
      taskId = task;
    }
    if (context != null && !context.isEmpty()) {
      contextId = context;
    }
  }

  private static String key(TaskStatus s) {
    String mid = s.message() == null ? null : s.message().getMessageId();
    return s.state() + "|" + mid + "|" + s.timestamp();
  }

  private List<RunEvent> status(TaskStatus status) {
    TaskState state = status.state() == null ? TaskState.UNKNOWN : status.state();
    if (staleWaitingKey != null && (state == TaskState.INPUT_REQUIRED || state == TaskState.AUTH_REQUIRED)
        && staleWaitingKey.equals(key(status))) {
      return List.of();
    }
    staleWaitingKey = null;
    List<RunEvent> out = new ArrayList<>();
    List<RunEvent> msg = status.message() == null ? List.of() : message(status.message());
    String text = status.message() == null ? "" : Parts.text(Parts.fromA2a(status.message().getParts()));
    ObjectNode msgJson = messageJson(status.message());
    switch (state) {
      case INPUT_REQUIRED, AUTH_REQUIRED -> {
        out.addAll(msg);
        ObjectNode d = ids(JsonNodeFactory.instance.objectNode());
        d.set("message", msgJson);
        d.put("state", state.asString());
        String t = text.isEmpty() ? (state == TaskState.INPUT_REQUIRED ? "The remote agent needs more input"
            : "The remote agent needs authentication") : text;
        out.add(state == TaskState.INPUT_REQUIRED ? new RunEvent.InputRequired(t, d) : new RunEvent.AuthRequired(t, d));
        outcome = Outcome.WAITING;
        lastWaitingStatus = status;
      }
      case COMPLETED -> {
        out.addAll(msg);
        boolean agent = status.message() != null && status.message().getRole() != Message.Role.USER;
        out.add(completed(agent ? text : null));
      }
      case FAILED -> {
        out.addAll(msg);
        ObjectNode d = ids(JsonNodeFactory.instance.objectNode());
        d.put("state", state.asString());
        d.set("remote_message", msgJson);
        out.add(new RunEvent.RunFailed(text.isEmpty() ? "The remote agent reported the task as failed" : text, d));
        outcome = Outcome.TERMINAL;
      }
      case REJECTED -> {
        out.addAll(msg);
        ObjectNode d = ids(JsonNodeFactory.instance.objectNode());
        d.put("state", state.asString());
        out.add(new RunEvent.Rejected(text.isEmpty() ? "The remote agent rejected the task" : text, d));
        outcome = Outcome.TERMINAL;
      }
      case CANCELED -> {
        out.addAll(msg);
        out.add(new RunEvent.StatusChanged(RunStatus.CANCELLED, statusDetails(state)));
        outcome = Outcome.TERMINAL;
      }
      default -> {
        // a repeated state without news (polling tasks/get) is not worth an event
        if (state != lastActiveState || !msg.isEmpty()) {
          RunStatus mapped = state == TaskState.SUBMITTED ? RunStatus.QUEUED : RunStatus.RUNNING;
          out.add(new RunEvent.StatusChanged(mapped, statusDetails(state)));
          out.addAll(msg);
        }
        lastActiveState = state;
        outcome = Outcome.ACTIVE;
      }
    }
    return out;
  }

  private ObjectNode statusDetails(TaskState state) {
    ObjectNode d = JsonNodeFactory.instance.objectNode();
    d.put("state", state.asString());
    ids(d);
    d.set("remote_ref", remoteRef().toJson());
    return d;
  }

  private ObjectNode ids(ObjectNode d) {
    putText(d, "task_id", taskId);
    putText(d, "context_id", contextId);
    return d;
  }

  private static void putText(ObjectNode d, String k, String v) {
    if (v == null) {
      d.putNull(k);
    } else {
      d.put(k, v);
    }
  }

  private static ObjectNode messageJson(Message m) {
    AgentMessage am = m == null ? null : Parts.toAgentMessage(m);
    return am == null ? null : am.toJson();
  }

  private List<RunEvent> message(Message m) {
    if (m.getMessageId() != null && !seenMessageIds.add(m.getMessageId())) {
      return List.of();
    }
    AgentMessage am = Parts.toAgentMessage(m);
    if (am == null) {
      return List.of();
    }
    String text = Parts.text(am.parts());
    ObjectNode data = Parts.lastData(am.parts());
    if (data != null && am.role() == MessageRole.AGENT) {
      lastData = data;
    }
    ObjectNode d = JsonNodeFactory.instance.objectNode();
    d.set("message", am.toJson());
    d.put("role", am.role().wire());
    d.put("text", text);
    List<RunEvent> out = new ArrayList<>();
    out.add(new RunEvent.Activity(EventType.MESSAGE_ADDED, d));
    if (am.role() == MessageRole.AGENT && !text.isEmpty()) {
      lastAgentText = text;
      out.add(RunEvent.Activity.agentMessage(text));
    }
    return out;
  }

  private RunEvent artifact(Artifact a, boolean append) {
    List<MessagePart> parts = Parts.fromA2a(a.parts());
    String id = a.artifactId() == null ? "artifact-" + (artifacts.size() + 1) : a.artifactId();
    ArtifactAcc acc = artifacts.get(id);
    if (acc == null || !append) {
      acc = new ArtifactAcc(id, a.name(), a.description(), new ArrayList<>());
      artifacts.put(id, acc);
    }
    acc.parts().addAll(parts);
    String text = Parts.text(parts);
    if (!text.isEmpty()) {
      lastArtifactText = Parts.text(acc.parts());
    }
    ObjectNode data = Parts.lastData(parts);
    if (data != null) {
      lastData = data;
    }
    ObjectNode d = JsonNodeFactory.instance.objectNode();
    d.put("artifact_id", id);
    putText(d, "name", a.name());
    putText(d, "description", a.description());
    d.set("parts", Parts.toWire(parts));
    d.put("text", text);
    if (append) {
      d.put("append", true);
    }
    ids(d);
    return new RunEvent.Activity(EventType.ARTIFACT_ADDED, d);
  }

  /**
   * final_response: the text of the completing agent message, else the last artifact's text, else the last agent
   * text; structured_output: the last data part seen in an agent message or artifact.
   *
   * @param completingText text of the message that completed the task, or null/empty
   */
  private RunEvent completed(String completingText) {
    outcome = Outcome.TERMINAL;
    ObjectNode d = ids(JsonNodeFactory.instance.objectNode());
    ArrayNode arr = d.putArray("artifacts");
    for (ArtifactAcc acc : artifacts.values()) {
      ObjectNode a = arr.addObject();
      a.put("artifact_id", acc.id());
      putText(a, "name", acc.name());
      putText(a, "description", acc.description());
      a.set("parts", Parts.toWire(acc.parts()));
      a.put("text", Parts.text(acc.parts()));
    }
    String finalResponse = completingText != null && !completingText.isEmpty() ? completingText
        : lastArtifactText != null ? lastArtifactText : lastAgentText;
    return new RunEvent.RunCompleted(finalResponse, lastData, null, d);
  }

  private record ArtifactAcc(String id, String name, String description, List<MessagePart> parts) {
    ArtifactAcc {
      Objects.requireNonNull(id, "id");
    }
  }
}
