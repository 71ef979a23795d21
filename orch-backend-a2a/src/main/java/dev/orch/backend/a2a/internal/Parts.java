package dev.orch.backend.a2a.internal;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.AgentMessage;
import dev.orch.core.MessagePart;
import dev.orch.core.MessageRole;
import io.a2a.spec.DataPart;
import io.a2a.spec.FileContent;
import io.a2a.spec.FilePart;
import io.a2a.spec.FileWithBytes;
import io.a2a.spec.FileWithUri;
import io.a2a.spec.Message;
import io.a2a.spec.Part;
import io.a2a.spec.TextPart;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Converts between Orch's message model (SPEC §2 {@code AgentMessage} / {@code MessagePart}) and the A2A 0.3 spec
 * classes of the Java SDK. Pure functions; thread-safe.
 */
final class Parts {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
  };

  private Parts() {
  }

  /** @return the A2A parts of Orch parts (text → text, data → data, file → file by uri or bytes) */
  static List<Part<?>> toA2a(List<MessagePart> parts) {
    List<Part<?>> out = new ArrayList<>();
    for (MessagePart p : parts) {
      if (p instanceof MessagePart.Text t) {
        out.add(new TextPart(t.text()));
      } else if (p instanceof MessagePart.Data d) {
        out.add(new DataPart(toMap(d.data())));
      } else if (p instanceof MessagePart.File f) {
        FileContent content = f.uri() != null ? new FileWithUri(f.mimeType(), f.name(), f.uri())
            : new FileWithBytes(f.mimeType(), f.name(), f.bytesBase64() == null ? "" : f.bytesBase64());
        out.add(new FilePart(content));
      }
    }
    return out;
  }

  /** @return a JSON object as a mutable map (for A2A metadata and data parts); empty for null */
  static Map<String, Object> toMap(ObjectNode node) {
    return node == null ? new java.util.LinkedHashMap<>() : JSON.convertValue(node, MAP);
  }

  /** @return a map (A2A metadata, data) as a JSON object, or null when the map is null */
  static ObjectNode toJson(Map<String, ?> map) {
    return map == null ? null : JSON.valueToTree(map);
  }

  /** @return the Orch part of an A2A part, or null for a part kind Orch does not know */
  static MessagePart fromA2a(Part<?> part) {
    if (part instanceof TextPart t) {
      return new MessagePart.Text(t.getText() == null ? "" : t.getText());
    }
    if (part instanceof DataPart d) {
      ObjectNode data = toJson(d.getData());
      return new MessagePart.Data(data == null ? JsonNodeFactory.instance.objectNode() : data);
    }
    if (part instanceof FilePart f) {
      FileContent c = f.getFile();
      if (c instanceof FileWithUri u) {
        return new MessagePart.File(u.uri(), null, u.mimeType(), u.name());
      }
      if (c instanceof FileWithBytes b) {
        return new MessagePart.File(null, b.bytes(), b.mimeType(), b.name());
      }
    }
    return null;
  }

  /** @return the Orch parts of A2A parts (unknown kinds left out), never null */
  static List<MessagePart> fromA2a(List<Part<?>> parts) {
    List<MessagePart> out = new ArrayList<>();
    if (parts != null) {
      for (Part<?> p : parts) {
        MessagePart m = fromA2a(p);
        if (m != null) {
          out.add(m);
        }
      }
    }
    return out;
  }

  /** @return wire JSON of the parts ({@code [{type:"text", text}, ...]}) */
  static ArrayNode toWire(List<MessagePart> parts) {
    ArrayNode arr = JsonNodeFactory.instance.arrayNode();
    parts.forEach(p -> arr.add(p.toJson()));
    return arr;
  }

  /** @return the text parts joined by a newline; empty when there are none */
  static String text(List<MessagePart> parts) {
    StringBuilder sb = new StringBuilder();
    for (MessagePart p : parts) {
      if (p instanceof MessagePart.Text t) {
        if (sb.length() > 0) {
          sb.append('\n');
        }
        sb.append(t.text());
      }
    }
    return sb.toString();
  }

  /** @return the data of the last data part, or null */
  static ObjectNode lastData(List<MessagePart> parts) {
    ObjectNode last = null;
    for (MessagePart p : parts) {
      if (p instanceof MessagePart.Data d) {
        last = d.data();
      }
    }
    return last;
  }

  /**
   * @param message an A2A message
   * @return the Orch message, or null when it has no part Orch understands
   */
  static AgentMessage toAgentMessage(Message message) {
    List<MessagePart> parts = fromA2a(message.getParts());
    if (parts.isEmpty()) {
      return null;
    }
    MessageRole role = message.getRole() == Message.Role.USER ? MessageRole.USER : MessageRole.AGENT;
    return new AgentMessage(role, parts, toJson(message.getMetadata()));
  }
}
