package dev.orch.core.internal.sanitize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** RFC 6901 JSON Pointers as SPEC §5 uses them: relative to {@code event.data}, {@code ~}→{@code ~0}, {@code /}→{@code ~1}. */
public final class JsonPointers {
  private JsonPointers() {
  }

  /**
   * @param key an object key (not null)
   * @return the key as one pointer token: {@code ~} becomes {@code ~0}, then {@code /} becomes {@code ~1}
   */
  public static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }

  /**
   * @param token one pointer token (not null)
   * @return the key it names: {@code ~1} becomes {@code /}, then {@code ~0} becomes {@code ~}
   */
  public static String unescape(String token) {
    return token.replace("~1", "/").replace("~0", "~");
  }

  /**
   * @param pointer a JSON Pointer such as {@code /input/old_string}; {@code ""} is the root
   * @return its unescaped tokens, in order (empty for the root)
   * @throws IllegalArgumentException if the pointer is neither empty nor starts with {@code /}
   */
  public static List<String> parse(String pointer) {
    if (pointer.isEmpty()) {
      return List.of();
    }
    if (!pointer.startsWith("/")) {
      throw new IllegalArgumentException("Invalid JSON Pointer: " + pointer);
    }
    List<String> tokens = new ArrayList<>();
    for (String token : pointer.substring(1).split("/", -1)) {
      tokens.add(unescape(token));
    }
    return tokens;
  }

  /**
   * Finds the slot a non-root pointer names. Array tokens must be plain decimal indexes in range.
   *
   * @param root the document (not modified)
   * @param pointer a non-root JSON Pointer
   * @return the slot holding the value, or empty when any step is missing or not a container
   * @throws IllegalArgumentException if the pointer is malformed or the root
   */
  static Optional<Slot> locate(ObjectNode root, String pointer) {
    return locate(root, parse(pointer), pointer);
  }

  /** {@link #locate(ObjectNode, String)} with the pointer already {@link #parse parsed} into {@code tokens}. */
  static Optional<Slot> locate(ObjectNode root, List<String> tokens, String pointer) {
    if (tokens.isEmpty()) {
      throw new IllegalArgumentException("The root is not a field: " + pointer);
    }
    JsonNode current = root;
    for (int i = 0; i < tokens.size() - 1 && current != null; i++) {
      current = child(current, tokens.get(i));
    }
    String last = tokens.get(tokens.size() - 1);
    if (current instanceof ObjectNode object && object.has(last)) {
      return Optional.of(Slot.field(object, last));
    }
    if (current instanceof ArrayNode array) {
      int index = index(last);
      if (index >= 0 && index < array.size()) {
        return Optional.of(Slot.item(array, index));
      }
    }
    return Optional.empty();
  }

  private static JsonNode child(JsonNode node, String token) {
    if (node instanceof ObjectNode object) {
      return object.get(token);
    }
    if (node instanceof ArrayNode array) {
      int index = index(token);
      return index >= 0 ? array.get(index) : null;
    }
    return null;
  }

  private static int index(String token) {
    if (token.isEmpty() || token.length() > 9 || !token.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return -1;
    }
    return Integer.parseInt(token);
  }
}
