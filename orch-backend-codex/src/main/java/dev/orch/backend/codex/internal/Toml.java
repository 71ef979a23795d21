package dev.orch.backend.codex.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/**
 * Renders JSON values as TOML values for {@code codex -c key=<value>} (codex parses the value part as TOML):
 * strings as basic strings with escapes, numbers and booleans bare, arrays as {@code [a, b]}, objects as inline
 * tables {@code {key = value}} (keys bare when they are {@code [A-Za-z0-9_-]+}, else quoted). TOML has no null.
 * Not API.
 */
public final class Toml {
  private Toml() {
  }

  /**
   * @param value a JSON value
   * @return why it cannot be rendered as TOML (a null anywhere, a non-finite number), or null when it can
   */
  public static String problem(JsonNode value) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return "null has no TOML form";
    }
    if (value.isNumber() && !value.isIntegralNumber() && !Double.isFinite(value.doubleValue())) {
      return "non-finite numbers have no TOML form";
    }
    if (value.isBinary() || value.isPojo()) {
      return "unsupported value";
    }
    for (JsonNode child : value) {
      String p = problem(child);
      if (p != null) {
        return p;
      }
    }
    return null;
  }

  /**
   * @param value a JSON value for which {@link #problem} returned null
   * @return its TOML text
   * @throws IllegalArgumentException when the value has no TOML form
   */
  public static String value(JsonNode value) {
    String p = problem(value);
    if (p != null) {
      throw new IllegalArgumentException(p);
    }
    StringBuilder sb = new StringBuilder();
    append(sb, value);
    return sb.toString();
  }

  private static void append(StringBuilder sb, JsonNode v) {
    if (v.isTextual()) {
      sb.append(string(v.asText()));
    } else if (v.isBoolean()) {
      sb.append(v.asBoolean());
    } else if (v.isIntegralNumber()) {
      sb.append(v.bigIntegerValue());
    } else if (v.isNumber()) {
      sb.append(v.decimalValue().toString().replace("E+", "e").replace("E", "e"));
    } else if (v.isArray()) {
      sb.append('[');
      for (int i = 0; i < v.size(); i++) {
        if (i > 0) {
          sb.append(", ");
        }
        append(sb, v.get(i));
      }
      sb.append(']');
    } else if (v.isObject()) {
      sb.append('{');
      Iterator<Map.Entry<String, JsonNode>> it = v.properties().iterator();
      boolean first = true;
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        sb.append(first ? " " : ", ").append(key(e.getKey())).append(" = ");
        append(sb, e.getValue());
        first = false;
      }
      sb.append(first ? "}" : " }");
    } else {
      throw new IllegalArgumentException("unsupported value: " + v.getNodeType());
    }
  }

  /** @return the key bare when it is {@code [A-Za-z0-9_-]+}, else as a quoted basic string */
  public static String key(String key) {
    return key.matches("[A-Za-z0-9_-]+") ? key : string(key);
  }

  /** @return a TOML basic string: {@code "} + escaped text + {@code "} */
  public static String string(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            sb.append(String.format("\\u%04X", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }
}
