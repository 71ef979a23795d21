package dev.orch.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A structured message (SPEC §2): {@code {role: user|agent|system, parts: MessagePart[≥1], metadata?: object}}.
 * Used for {@code input_message}, {@code continue_run} and the agent inbox.
 *
 * @param role author, never null
 * @param parts at least one part (copied)
 * @param metadata object or null
 */
public record AgentMessage(MessageRole role, List<MessagePart> parts, ObjectNode metadata) {

  /** @throws IllegalArgumentException when parts is empty; NullPointerException when role or parts is null */
  public AgentMessage {
    Objects.requireNonNull(role, "role");
    parts = List.copyOf(Objects.requireNonNull(parts, "parts"));
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("an agent message needs at least one part");
    }
    metadata = metadata == null ? null : metadata.deepCopy();
  }

  /** @return a user message with one text part and no metadata */
  public static AgentMessage userText(String text) {
    return new AgentMessage(MessageRole.USER, List.of(new MessagePart.Text(text)), null);
  }

  /**
   * Renders the message as prompt text (SPEC §2 spawn_run): text as is; data as pretty JSON; a file with uri
   * as {@code Attached file: <name or uri>}; file bytes as {@code Attached file bytes: <name>}; parts joined by
   * a blank line.
   *
   * @return the prompt text, never null
   */
  public String render() {
    List<String> out = new ArrayList<>();
    for (MessagePart p : parts) {
      if (p instanceof MessagePart.Text t) {
        out.add(t.text());
      } else if (p instanceof MessagePart.Data d) {
        out.add(d.data().toPrettyString());
      } else if (p instanceof MessagePart.File f) {
        if (f.uri() != null) {
          out.add("Attached file: " + (f.name() != null ? f.name() : f.uri()));
        } else {
          out.add("Attached file bytes: " + (f.name() != null ? f.name() : "(unnamed)"));
        }
      }
    }
    return String.join("\n\n", out);
  }

  /** @return the concatenated text parts (newline-joined), empty when there are none */
  public String text() {
    List<String> out = new ArrayList<>();
    for (MessagePart p : parts) {
      if (p instanceof MessagePart.Text t) {
        out.add(t.text());
      }
    }
    return String.join("\n", out);
  }

  /** @return the wire JSON {@code {role, parts, metadata?}} */
  public ObjectNode toJson() {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("role", role.wire());
    ArrayNode arr = n.putArray("parts");
    parts.forEach(p -> arr.add(p.toJson()));
    if (metadata != null) {
      n.set("metadata", metadata.deepCopy());
    }
    return n;
  }

  /**
   * Parses an agent message from its wire JSON.
   *
   * @param node the JSON object
   * @param path field name for error messages, e.g. {@code input_message}
   * @return the message
   * @throws OrchException INVALID_ARGUMENT naming the offending field path
   */
  public static AgentMessage fromJson(JsonNode node, String path) {
    if (node == null || !node.isObject()) {
      throw OrchException.invalid(path + ": expected an object");
    }
    String roleText = node.path("role").asText(null);
    MessageRole role = MessageRole.fromWire(roleText).orElseThrow(() -> OrchException.invalid(
        path + ".role: expected one of \"user\"|\"agent\"|\"system\""));
    JsonNode parts = node.get("parts");
    if (parts == null || !parts.isArray() || parts.isEmpty()) {
      throw OrchException.invalid(path + ".parts: expected an array with at least 1 item");
    }
    List<MessagePart> list = new ArrayList<>();
    for (int i = 0; i < parts.size(); i++) {
      list.add(MessagePart.fromJson(parts.get(i), path + ".parts." + i));
    }
    JsonNode meta = node.get("metadata");
    if (meta != null && !meta.isNull() && !meta.isObject()) {
      throw OrchException.invalid(path + ".metadata: expected an object");
    }
    return new AgentMessage(role, list, meta == null || meta.isNull() ? null : (ObjectNode) meta);
  }
}
