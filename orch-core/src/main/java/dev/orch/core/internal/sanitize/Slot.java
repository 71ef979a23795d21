package dev.orch.core.internal.sanitize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A place in a JSON tree that holds one value: a key of an object or an index of an array.
 *
 * @param parent the object or array holding the value
 * @param key the object key (null for an array item)
 * @param index the array index (-1 for an object field)
 */
record Slot(ContainerNode<?> parent, String key, int index) {

  static Slot field(ObjectNode parent, String key) {
    return new Slot(parent, key, -1);
  }

  static Slot item(ArrayNode parent, int index) {
    return new Slot(parent, null, index);
  }

  /** @return the value in this slot, or null when absent */
  JsonNode get() {
    return parent instanceof ObjectNode object ? object.get(key) : parent.get(index);
  }

  /** Replaces the value in place (an object keeps the key's position). */
  void set(JsonNode value) {
    if (parent instanceof ObjectNode object) {
      object.set(key, value);
    } else {
      ((ArrayNode) parent).set(index, value);
    }
  }
}
