package dev.orch.agents.internal;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.AgentMessage;
import dev.orch.core.MessagePart;
import dev.orch.core.MessageRole;
import io.a2a.server.agentexecution.RequestContext;
import io.a2a.server.events.EventQueue;
import io.a2a.server.tasks.TaskUpdater;
import io.a2a.spec.DataPart;
import io.a2a.spec.FilePart;
import io.a2a.spec.FileWithBytes;
import io.a2a.spec.FileWithUri;
import io.a2a.spec.Message;
import io.a2a.spec.Part;
import io.a2a.spec.Task;
import io.a2a.spec.TaskState;
import io.a2a.spec.TaskStatus;
import io.a2a.spec.TextPart;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Conversions between A2A messages (A2A Java SDK 0.3.3 types) and Orch values, and the shapes every test agent
 * produces: the {@code final-response} artifact (SPEC §9) and agent messages. Stateless.
 */
public final class A2aMessages {
  /** The id and name of the artifact that carries a task's final answer (SPEC §9). */
  public static final String FINAL_RESPONSE = "final-response";
  /** The message metadata key holding Orch's per-message data: {@code {cwd, run_id, session_id}} (SPEC §8). */
  public static final String ORCH_METADATA = "nanobot_orchestrator";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
  };

  private A2aMessages() {
  }

  /**
   * @param message an incoming message, may be null
   * @return {@code metadata.nanobot_orchestrator.cwd} as given, or null when absent or not a string
   */
  public static String cwdOf(Message message) {
    if (message == null || message.getMetadata() == null) {
      return null;
    }
    Object orch = message.getMetadata().get(ORCH_METADATA);
    if (orch instanceof Map<?, ?> m && m.get("cwd") instanceof String s && !s.isBlank()) {
      return s;
    }
    return null;
  }

  /**
   * @param message an incoming message, may be null
   * @return {@code metadata.output_schema} as an object (what the remote_a2a backend sends), or null
   */
  public static ObjectNode outputSchemaOf(Message message) {
    if (message == null || message.getMetadata() == null) {
      return null;
    }
    Object schema = message.getMetadata().get("output_schema");
    if (schema instanceof Map<?, ?>) {
      JsonNode n = JSON.valueToTree(schema);
      return n.isObject() ? (ObjectNode) n : null;
    }
    return null;
  }

  /**
   * Converts an A2A message to an Orch {@link AgentMessage} (role user; text, data and file parts kept; parts of
   * other kinds dropped; an empty message becomes one empty-text part's stand-in {@code "(empty message)"}).
   *
   * @param message the A2A message, never null
   * @return the Orch message
   */
  public static AgentMessage toAgentMessage(Message message) {
    List<MessagePart> parts = new ArrayList<>();
    for (Part<?> p : message.getParts()) {
      if (p instanceof TextPart t && t.getText() != null) {
        parts.add(new MessagePart.Text(t.getText()));
      } else if (p instanceof DataPart d && d.getData() != null) {
        parts.add(new MessagePart.Data(JSON.valueToTree(d.getData())));
      } else if (p instanceof FilePart f && f.getFile() instanceof FileWithUri u) {
        parts.add(new MessagePart.File(u.uri(), null, u.mimeType(), u.name()));
      } else if (p instanceof FilePart f && f.getFile() instanceof FileWithBytes b) {
        parts.add(new MessagePart.File(null, b.bytes(), b.mimeType(), b.name()));
      }
    }
    if (parts.isEmpty()) {
      parts.add(new MessagePart.Text("(empty message)"));
    }
    return new AgentMessage(MessageRole.USER, parts, null);
  }

  /**
   * @param message the A2A message, never null
   * @return its text parts joined by newlines (empty when it has none)
   */
  public static String text(Message message) {
    List<String> out = new ArrayList<>();
    for (Part<?> p : message.getParts()) {
      if (p instanceof TextPart t && t.getText() != null) {
        out.add(t.getText());
      }
    }
    return String.join("\n", out);
  }

  /**
   * @param updater the task's updater
   * @param text the agent's text
   * @return an agent message of that task with one text part
   */
  public static Message agentText(TaskUpdater updater, String text) {
    return updater.newAgentMessage(List.of(new TextPart(text == null ? "" : text)), null);
  }

  /**
   * Builds the parts of the {@code final-response} artifact: a text part, plus a data part when there is a
   * structured output object (SPEC §9).
   *
   * @param text the final answer, null treated as empty
   * @param structured the structured output, or null / not an object for none
   * @return the parts
   */
  public static List<Part<?>> finalResponseParts(String text, JsonNode structured) {
    List<Part<?>> parts = new ArrayList<>();
    parts.add(new TextPart(text == null ? "" : text));
    if (structured != null && structured.isObject()) {
      parts.add(new DataPart(JSON.convertValue(structured, MAP)));
    }
    return parts;
  }

  /**
   * Adds the {@code final-response} artifact and then marks the task completed.
   *
   * @param updater the task's updater
   * @param text the final answer
   * @param structured the structured output object or null
   */
  public static void complete(TaskUpdater updater, String text, JsonNode structured) {
    updater.addArtifact(finalResponseParts(text, structured), FINAL_RESPONSE, FINAL_RESPONSE, null);
    updater.complete();
  }

  /**
   * Enqueues the new task as a whole {@code Task} object in state {@code submitted} with the first message in its
   * history, so that a stream starts with the task, as A2A clients expect.
   *
   * @param context the request of the task's first message
   * @param queue the task's event queue
   */
  public static void submitted(RequestContext context, EventQueue queue) {
    List<Message> history = context.getMessage() == null ? List.of() : List.of(context.getMessage());
    queue.enqueueEvent(new Task.Builder()
        .id(context.getTaskId())
        .contextId(context.getContextId())
        .status(new TaskStatus(TaskState.SUBMITTED))
        .history(history)
        .build());
  }
}
