package dev.orch.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * What a backend reports about its run (SPEC §4), before the engine stamps it with seq, ts, run_id,
 * session_id and backend. The engine reads only typed fields of these records (status, message, final
 * response...); backend-specific extras travel in the one {@code details} extension object of each record and
 * end up verbatim in the event's {@code data}. The wire {@code data} object is produced in one place:
 * {@link #toData()}.
 *
 * <p>Backends never see seq numbers; the engine assigns them.
 */
public sealed interface RunEvent {

  /** @return the wire event type */
  EventType type();

  /**
   * Builds the wire {@code data} object of this event (snake_case keys). Typed fields come first, then the
   * details; a details key never overrides a typed field.
   *
   * @return a new object, never null
   */
  default ObjectNode toData() {
    ObjectNode data = JsonNodeFactory.instance.objectNode();
    if (this instanceof StatusChanged s) {
      data.put("status", s.status().wire());
    } else if (this instanceof InputRequired r) {
      data.put("text", r.text());
    } else if (this instanceof AuthRequired r) {
      data.put("text", r.text());
    } else if (this instanceof Rejected r) {
      data.put("message", r.message());
    } else if (this instanceof RunFailed f) {
      data.put("message", f.message());
    } else if (this instanceof RunCompleted c) {
      if (c.finalResponse() == null) {
        data.putNull("final_response");
      } else {
        data.put("final_response", c.finalResponse());
      }
      if (c.structuredOutput() != null) {
        data.set("structured_output", c.structuredOutput().deepCopy());
      }
      if (c.usage() != null) {
        data.set("usage", c.usage().deepCopy());
      }
    }
    ObjectNode details = details();
    if (details != null) {
      details.properties().forEach(e -> {
        if (!data.has(e.getKey())) {
          data.set(e.getKey(), e.getValue().deepCopy());
        }
      });
    }
    return data;
  }

  /** @return the backend-specific extension object (may be empty, never null) */
  ObjectNode details();

  /**
   * Builds a details object from key/value pairs; values are converted to JSON with Jackson (strings, numbers,
   * booleans, maps, lists, JsonNodes).
   *
   * @param keyValues alternating String keys and values
   * @return a new object
   */
  static ObjectNode details(Object... keyValues) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    for (int i = 0; i + 1 < keyValues.length; i += 2) {
      n.set((String) keyValues[i], Json.MAPPER.valueToTree(keyValues[i + 1]));
    }
    return n;
  }

  /** @return a new empty details object */
  static ObjectNode noDetails() {
    return JsonNodeFactory.instance.objectNode();
  }

  private static ObjectNode copy(ObjectNode n) {
    return n == null ? JsonNodeFactory.instance.objectNode() : n.deepCopy();
  }

  /**
   * {@code run_started}: the backend began working (status → running).
   *
   * @param details e.g. {@code {thread_id}} for codex, {@code {remote_ref, agent_name, agent_url}} for A2A
   */
  record RunStarted(ObjectNode details) implements RunEvent {
    /** Copies details. */
    public RunStarted {
      details = copy(details);
    }

    @Override
    public EventType type() {
      return EventType.RUN_STARTED;
    }
  }

  /**
   * {@code status_changed}: the run's status becomes {@code status} (unless the run is already terminal).
   *
   * @param status the new status, never null
   * @param details e.g. {@code {thread_id}}, {@code {backend_session_id, model, tools, cwd}}, {@code {reason}}
   */
  record StatusChanged(RunStatus status, ObjectNode details) implements RunEvent {
    /** @throws NullPointerException when status is null */
    public StatusChanged {
      Objects.requireNonNull(status, "status");
      details = copy(details);
    }

    @Override
    public EventType type() {
      return EventType.STATUS_CHANGED;
    }
  }

  /**
   * An informational event that does not change the status: agent_message, message_added, reasoning,
   * command_started/updated/finished, file_changed, tool_started/finished, artifact_added, todo_updated.
   *
   * @param type one of the informational types
   * @param details the whole {@code data} object (SPEC §4 shapes)
   */
  record Activity(EventType type, ObjectNode details) implements RunEvent {
    /** Types allowed in an {@code Activity}. */
    public static final Set<EventType> TYPES = EnumSet.of(EventType.AGENT_MESSAGE, EventType.MESSAGE_ADDED,
        EventType.REASONING, EventType.COMMAND_STARTED, EventType.COMMAND_UPDATED, EventType.COMMAND_FINISHED,
        EventType.FILE_CHANGED, EventType.TOOL_STARTED, EventType.TOOL_FINISHED, EventType.ARTIFACT_ADDED,
        EventType.TODO_UPDATED);

    /** @throws IllegalArgumentException when type changes the status (use the dedicated record) */
    public Activity {
      Objects.requireNonNull(type, "type");
      if (!TYPES.contains(type)) {
        throw new IllegalArgumentException(type + " is not an informational event type");
      }
      details = copy(details);
    }

    /** @return an {@code agent_message {text}} event */
    public static Activity agentMessage(String text) {
      ObjectNode d = JsonNodeFactory.instance.objectNode();
      d.put("text", text);
      return new Activity(EventType.AGENT_MESSAGE, d);
    }

    /** @return a {@code reasoning {text}} event */
    public static Activity reasoning(String text) {
      ObjectNode d = JsonNodeFactory.instance.objectNode();
      d.put("text", text);
      return new Activity(EventType.REASONING, d);
    }
  }

  /**
   * {@code input_required}: the run waits for {@code continue_run}.
   *
   * @param text what the backend asks, never null
   * @param details e.g. {@code {tool, input, tool_use_id}} or {@code {message, task_id, context_id}}
   */
  record InputRequired(String text, ObjectNode details) implements RunEvent {
    /** @throws NullPointerException when text is null */
    public InputRequired {
      Objects.requireNonNull(text, "text");
      details = copy(details);
    }

    @Override
    public EventType type() {
      return EventType.INPUT_REQUIRED;
    }
  }

  /**
   * {@code auth_required}: the run waits for credentials through {@code continue_run}.
   *
   * @param text what the backend asks, never null
   * @param details e.g. {@code {message, task_id, context_id}}
   */
  record AuthRequired(String text, ObjectNode details) implements RunEvent {
    /** @throws NullPointerException when text is null */
    public AuthRequired {
      Objects.requireNonNull(text, "text");
      details = copy(details);
    }

    @Override
    public EventType type() {
      return EventType.AUTH_REQUIRED;
    }
  }

  /**
   * {@code rejected}: the remote refused the task (terminal).
   *
   * @param message why, never null
   * @param details e.g. {@code {task_id, context_id}}
   */
  record Rejected(String message, ObjectNode details) implements RunEvent {
    /** @throws NullPointerException when message is null */
    public Rejected {
      Objects.requireNonNull(message, "message");
      details = copy(details);
    }

    @Override
    public EventType type() {
      return EventType.REJECTED;
    }
  }

  /**
   * {@code run_completed} (terminal): the result of the run.
   *
   * @param finalResponse last agent text, may be null
   * @param structuredOutput parsed JSON when an output schema was given, else null
   * @param usage backend usage object, may be null
   * @param details extras, e.g. {@code {artifacts}} for A2A
   */
  record RunCompleted(String finalResponse, JsonNode structuredOutput, JsonNode usage, ObjectNode details)
      implements RunEvent {
    /** Copies JSON values. */
    public RunCompleted {
      structuredOutput = structuredOutput == null || structuredOutput.isNull() ? null : structuredOutput.deepCopy();
      usage = usage == null || usage.isNull() ? null : usage.deepCopy();
      details = copy(details);
    }

    @Override
    public EventType type() {
      return EventType.RUN_COMPLETED;
    }
  }

  /**
   * {@code run_failed} (terminal).
   *
   * @param message the reason, including the CLI's stderr tail or the remote's message; never null
   * @param details extras, e.g. {@code {usage}}
   */
  record RunFailed(String message, ObjectNode details) implements RunEvent {
    /** @throws NullPointerException when message is null */
    public RunFailed {
      Objects.requireNonNull(message, "message");
      details = copy(details);
    }

    @Override
    public EventType type() {
      return EventType.RUN_FAILED;
    }
  }
}
