package dev.orch.backend.claude.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.AgentMessage;
import dev.orch.core.MessagePart;
import dev.orch.core.OrchException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The answer to a Claude Code permission prompt ({@code can_use_tool}), read from a {@code continue_run} message:
 * <ul>
 *   <li>a data part {@code {"behavior":"allow"|"deny", "message"?: string, "updated_input"?: object}} (the first
 *       data part wins);</li>
 *   <li>else the text: {@code allow} or {@code deny}, case-insensitive, optionally followed by a reason
 *       ({@code deny: not in this repo});</li>
 *   <li>any other text denies the call and passes the text to the model as the reason, so a free-form reply
 *       ("use the Read tool instead") still reaches Claude (fail closed).</li>
 * </ul>
 *
 * @param allow true to let the tool run
 * @param message the reason (deny) or note (allow), may be null
 * @param updatedInput the replacement tool input for allow, or null to keep the original
 */
public record PermissionAnswer(boolean allow, String message, ObjectNode updatedInput) {
  private static final Pattern VERDICT = Pattern.compile("^(allow|deny)\\b[\\s:,.;-]*(.*)$",
      Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
  /** The deny reason when the user gave none. */
  public static final String DEFAULT_DENY = "Denied by the user (Orch continue_run)";

  /**
   * Reads an answer.
   *
   * @param message the continue_run input
   * @return the answer
   * @throws OrchException INVALID_ARGUMENT when a data part has no valid {@code behavior}, a non-string
   *     {@code message} or a non-object {@code updated_input}, or when the message has neither text nor data
   */
  public static PermissionAnswer from(AgentMessage message) {
    for (MessagePart p : message.parts()) {
      if (p instanceof MessagePart.Data d) {
        return fromData(d.data());
      }
    }
    String text = message.text().trim();
    if (text.isEmpty()) {
      throw OrchException.invalid("input_message: a permission prompt is pending; answer with a text part "
          + "\"allow\" or \"deny [reason]\", or a data part {\"behavior\":\"allow\"|\"deny\"}");
    }
    Matcher m = VERDICT.matcher(text);
    if (m.matches()) {
      String reason = m.group(2).trim();
      return new PermissionAnswer(m.group(1).toLowerCase(Locale.ROOT).equals("allow"),
          reason.isEmpty() ? null : reason, null);
    }
    return new PermissionAnswer(false, text, null);
  }

  private static PermissionAnswer fromData(ObjectNode data) {
    String behavior = data.path("behavior").asText("");
    if (!behavior.equals("allow") && !behavior.equals("deny")) {
      throw OrchException.invalid("input_message.parts.data.behavior: expected \"allow\" or \"deny\"");
    }
    JsonNode msg = data.get("message");
    if (msg != null && !msg.isNull() && !msg.isTextual()) {
      throw OrchException.invalid("input_message.parts.data.message: expected a string");
    }
    JsonNode updated = data.get("updated_input");
    if (updated != null && !updated.isNull() && !updated.isObject()) {
      throw OrchException.invalid("input_message.parts.data.updated_input: expected an object");
    }
    return new PermissionAnswer(behavior.equals("allow"), msg == null || msg.isNull() ? null : msg.asText(),
        updated == null || updated.isNull() ? null : (ObjectNode) updated);
  }

  /**
   * The {@code response} object of the control response (REAL-PEERS: {@code {behavior:"allow", updatedInput,
   * toolUseID}} or {@code {behavior:"deny", message, toolUseID}}).
   *
   * @param originalInput the tool input from the prompt
   * @param toolUseId the tool use id, may be null
   * @return the object
   */
  public ObjectNode toResponse(JsonNode originalInput, String toolUseId) {
    ObjectNode r = JsonNodeFactory.instance.objectNode();
    if (allow) {
      r.put("behavior", "allow");
      r.set("updatedInput", updatedInput != null ? updatedInput.deepCopy() : originalInput.deepCopy());
    } else {
      r.put("behavior", "deny");
      r.put("message", message != null ? message : DEFAULT_DENY);
    }
    if (toolUseId != null) {
      r.put("toolUseID", toolUseId);
    }
    return r;
  }
}
