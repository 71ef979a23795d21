package dev.orch.core.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Keeps secrets of {@code backend_config} off the disk (SPEC §8: "Secrets in backend_config are never written to
 * disk in clear"): values under secret-looking keys and every value of a {@code headers} object are replaced by
 * {@value #REDACTED} before run.json is written. The clear values live only in memory for the process lifetime.
 */
public final class Secrets {
  /** Replacement text. */
  public static final String REDACTED = "[redacted]";
  private static final Pattern SECRET_KEY = Pattern.compile(
      "(?i).*(token|secret|password|passwd|api[_-]?key|authorization|cookie|credential|private[_-]?key).*");

  private Secrets() {
  }

  /** @return a redacted deep copy of the config */
  public static ObjectNode redact(ObjectNode config) {
    ObjectNode copy = config.deepCopy();
    redactInPlace(copy, false);
    return copy;
  }

  private static void redactInPlace(ObjectNode node, boolean allValues) {
    List<String> keys = new ArrayList<>();
    node.fieldNames().forEachRemaining(keys::add);
    for (String k : keys) {
      JsonNode v = node.get(k);
      boolean secret = allValues || SECRET_KEY.matcher(k).matches();
      if (v.isObject()) {
        redactInPlace((ObjectNode) v, secret || k.equalsIgnoreCase("headers"));
      } else if (secret && !v.isNull()) {
        node.set(k, TextNode.valueOf(REDACTED));
      }
    }
  }

  /** @return a copy without redacted entries (so server-wide settings apply again on a resume from disk) */
  public static ObjectNode withoutRedacted(ObjectNode config) {
    ObjectNode copy = config.deepCopy();
    strip(copy);
    return copy;
  }

  private static void strip(ObjectNode node) {
    List<String> keys = new ArrayList<>();
    node.fieldNames().forEachRemaining(keys::add);
    for (String k : keys) {
      JsonNode v = node.get(k);
      if (v.isObject()) {
        strip((ObjectNode) v);
      } else if (v.isTextual() && REDACTED.equals(v.asText())) {
        node.remove(k);
      }
    }
  }
}
