package dev.orch.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * One part of an {@link AgentMessage} (SPEC §2): {@code {type:"text", text}} | {@code {type:"data", data}} |
 * {@code {type:"file", uri?, bytes_base64?, mime_type?, name?}}.
 */
public sealed interface MessagePart {

  /** @return the wire JSON of this part (snake_case keys, absent optional keys omitted) */
  ObjectNode toJson();

  /**
   * A text part.
   *
   * @param text the text, never null
   */
  record Text(String text) implements MessagePart {
    /** @throws NullPointerException when text is null */
    public Text {
      Objects.requireNonNull(text, "text");
    }

    @Override
    public ObjectNode toJson() {
      ObjectNode n = JsonNodeFactory.instance.objectNode();
      n.put("type", "text");
      n.put("text", text);
      return n;
    }
  }

  /**
   * A structured data part.
   *
   * @param data a JSON object, never null (copied)
   */
  record Data(ObjectNode data) implements MessagePart {
    /** @throws NullPointerException when data is null */
    public Data {
      data = Objects.requireNonNull(data, "data").deepCopy();
    }

    @Override
    public ObjectNode data() {
      return data.deepCopy();
    }

    @Override
    public ObjectNode toJson() {
      ObjectNode n = JsonNodeFactory.instance.objectNode();
      n.put("type", "data");
      n.set("data", data.deepCopy());
      return n;
    }
  }

  /**
   * A file part, by reference ({@code uri}) or inline ({@code bytesBase64}).
   *
   * @param uri file URI or null
   * @param bytesBase64 base64 content or null
   * @param mimeType MIME type or null
   * @param name display name or null
   */
  record File(String uri, String bytesBase64, String mimeType, String name) implements MessagePart {
    @Override
    public ObjectNode toJson() {
      ObjectNode n = JsonNodeFactory.instance.objectNode();
      n.put("type", "file");
      if (uri != null) {
        n.put("uri", uri);
      }
      if (bytesBase64 != null) {
        n.put("bytes_base64", bytesBase64);
      }
      if (mimeType != null) {
        n.put("mime_type", mimeType);
      }
      if (name != null) {
        n.put("name", name);
      }
      return n;
    }
  }

  /**
   * Parses a part from its wire JSON.
   *
   * @param node the JSON object
   * @param path the field path used in error messages, e.g. {@code input_message.parts.0}
   * @return the part
   * @throws OrchException INVALID_ARGUMENT naming the path when the node is not a valid part
   */
  static MessagePart fromJson(JsonNode node, String path) {
    if (node == null || !node.isObject()) {
      throw OrchException.invalid(path + ": expected an object");
    }
    String type = node.path("type").asText(null);
    if (type == null || !node.path("type").isTextual()) {
      throw OrchException.invalid(path + ".type: expected one of \"text\"|\"data\"|\"file\"");
    }
    switch (type) {
      case "text": {
        JsonNode text = node.get("text");
        if (text == null || !text.isTextual() || text.asText().isEmpty()) {
          throw OrchException.invalid(path + ".text: expected a non-empty string");
        }
        return new Text(text.asText());
      }
      case "data": {
        JsonNode data = node.get("data");
        if (data == null || !data.isObject()) {
          throw OrchException.invalid(path + ".data: expected an object");
        }
        return new Data((ObjectNode) data);
      }
      case "file":
        return new File(optText(node, "uri", path), optText(node, "bytes_base64", path),
            optText(node, "mime_type", path), optText(node, "name", path));
      default:
        throw OrchException.invalid(path + ".type: expected one of \"text\"|\"data\"|\"file\", got \"" + type + "\"");
    }
  }

  private static String optText(JsonNode node, String key, String path) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual() || v.asText().isEmpty()) {
      throw OrchException.invalid(path + "." + key + ": expected a non-empty string");
    }
    return v.asText();
  }
}
