package dev.orch.mcp.internal.stdio;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;

/**
 * Recognizes an {@code initialize} request line that the MCP session is certain to accept, and renders the answer
 * to it, with Jackson's streaming parser and generator only (no data binding: this runs at start-up, before the
 * rest of the server has loaded, issue 8).
 *
 * <p>"Certain to accept" is deliberately narrower than what the session accepts: {@link InboundDecoder} must decode
 * the line as a request and the SDK must bind its params to an {@code InitializeRequest}. A line is recognized only
 * when it is one JSON object with exactly {@code jsonrpc: "2.0"}, an {@code id} that is a string or an integer
 * fitting a long, {@code method: "initialize"} and {@code params}, no key twice anywhere, and params made of
 * <ul>
 *   <li>{@code protocolVersion}: a string (required);</li>
 *   <li>{@code capabilities}: an object with any of {@code roots} (an object with at most a boolean
 *       {@code listChanged}), {@code sampling} (any object), {@code elicitation} (an object with at most
 *       {@code form} and {@code url}, each an empty object) and {@code experimental} (any object);</li>
 *   <li>{@code clientInfo}: an object with any of {@code name}, {@code title}, {@code version},
 *       {@code websiteUrl}, each a string;</li>
 *   <li>{@code _meta}: any object.</li>
 * </ul>
 * Anything else (other keys, other types) is not recognized and is left to the session, which answers it as it
 * always does. Stateless and thread-safe.
 */
final class InitializeLine {
  private static final JsonFactory JSON = new JsonFactory();

  private InitializeLine() {
  }

  /**
   * A recognized initialize request.
   *
   * @param id the request id as {@link InboundDecoder} makes it: a {@code String}, an {@code Integer} when it fits
   *     an int, else a {@code Long}
   * @param protocolVersion the client's {@code params.protocolVersion}
   */
  record Request(Object id, String protocolVersion) {
  }

  /**
   * @param line one input line without its terminator
   * @return the request when the line is an initialize the session is certain to accept (see the class doc), else
   *     null; never throws for any input
   */
  static Request parse(byte[] line) {
    try (JsonParser p = JSON.createParser(line)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      Object id = null;
      String version = null;
      boolean jsonrpc = false;
      boolean method = false;
      Set<String> seen = new HashSet<>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        if (!seen.add(key)) {
          return null;
        }
        JsonToken t = p.nextToken();
        boolean ok = switch (key) {
          case "jsonrpc" -> jsonrpc = t == JsonToken.VALUE_STRING && "2.0".equals(p.getText());
          case "method" -> method = t == JsonToken.VALUE_STRING && "initialize".equals(p.getText());
          case "id" -> (id = id(p, t)) != null;
          case "params" -> (version = params(p, t)) != null;
          default -> false;
        };
        if (!ok) { // stop at the first thing outside the recognized shape
          return null;
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
        return null;
      }
      return jsonrpc && method && id != null && version != null ? new Request(id, version) : null;
    } catch (IOException | RuntimeException e) { // not JSON, invalid UTF-8, too deep: the session answers it
      return null;
    }
  }

  /**
   * Renders the whole answer line (without the line end) as the session's transport serializes it: {@code
   * {"jsonrpc":"2.0","id":…,"result":{"protocolVersion":…,"capabilities":…,"serverInfo":{"name":…,"version":…},
   * "instructions":…}}} (no instructions when the handshake has none).
   *
   * @param request the recognized request
   * @param handshake the server's handshake
   * @param supported the supported protocol versions, oldest first
   * @return the UTF-8 bytes of the answer
   */
  static byte[] answer(Request request, Handshake handshake, java.util.List<String> supported) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
    try (JsonGenerator g = JSON.createGenerator(bytes)) {
      g.writeStartObject();
      g.writeStringField("jsonrpc", "2.0");
      g.writeFieldName("id");
      if (request.id() instanceof Number n) {
        g.writeNumber(n.longValue());
      } else {
        g.writeString(request.id().toString());
      }
      g.writeObjectFieldStart("result");
      g.writeStringField("protocolVersion", Handshake.negotiate(request.protocolVersion(), supported));
      g.writeFieldName("capabilities");
      g.writeRawValue(handshake.capabilitiesJson());
      g.writeObjectFieldStart("serverInfo");
      g.writeStringField("name", handshake.name());
      g.writeStringField("version", handshake.version());
      g.writeEndObject();
      if (handshake.instructions() != null) {
        g.writeStringField("instructions", handshake.instructions());
      }
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException e) { // a ByteArrayOutputStream does not fail
      throw new IllegalStateException(e);
    }
    return bytes.toByteArray();
  }

  private static Object id(JsonParser p, JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_STRING) {
      return p.getText();
    }
    if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
      long v = p.getLongValue();
      return v == (int) v ? (Object) (int) v : (Object) v;
    }
    return null;
  }

  /** @return params.protocolVersion when params has the recognized shape, else null */
  private static String params(JsonParser p, JsonToken t) throws IOException {
    if (t != JsonToken.START_OBJECT) {
      return null;
    }
    String version = null;
    boolean ok = true;
    Set<String> seen = new HashSet<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      JsonToken v = p.nextToken();
      ok &= seen.add(key);
      switch (key) {
        case "protocolVersion" -> {
          ok &= v == JsonToken.VALUE_STRING;
          version = p.getText();
        }
        case "capabilities" -> ok &= capabilities(p, v);
        case "clientInfo" -> ok &= fieldsOf(p, v, Set.of("name", "title", "version", "websiteUrl"),
            JsonToken.VALUE_STRING);
        case "_meta" -> ok &= anyObject(p, v);
        default -> {
          return null;
        }
      }
      if (!ok) {
        return null;
      }
    }
    return version;
  }

  private static boolean capabilities(JsonParser p, JsonToken t) throws IOException {
    if (t != JsonToken.START_OBJECT) {
      return false;
    }
    Set<String> seen = new HashSet<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      JsonToken v = p.nextToken();
      boolean ok = seen.add(key) && switch (key) {
        case "roots" -> fieldsOf(p, v, Set.of("listChanged"), null);
        case "sampling", "experimental" -> anyObject(p, v);
        case "elicitation" -> elicitation(p, v);
        default -> false;
      };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static boolean elicitation(JsonParser p, JsonToken t) throws IOException {
    if (t != JsonToken.START_OBJECT) {
      return false;
    }
    Set<String> seen = new HashSet<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      if (!seen.add(key) || !(key.equals("form") || key.equals("url")) || p.nextToken() != JsonToken.START_OBJECT
          || p.nextToken() != JsonToken.END_OBJECT) {
        return false;
      }
    }
    return true;
  }

  /**
   * An object whose keys are among {@code keys}, each once, with values of type {@code type} (null: a boolean).
   */
  private static boolean fieldsOf(JsonParser p, JsonToken t, Set<String> keys, JsonToken type) throws IOException {
    if (t != JsonToken.START_OBJECT) {
      return false;
    }
    Set<String> seen = new HashSet<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      JsonToken v = p.nextToken();
      boolean typed = type == null ? v == JsonToken.VALUE_TRUE || v == JsonToken.VALUE_FALSE : v == type;
      if (!keys.contains(key) || !seen.add(key) || !typed) {
        return false;
      }
    }
    return true;
  }

  /** Any object, skipped (a key twice at its top level is refused: Jackson's tree would keep only the last). */
  private static boolean anyObject(JsonParser p, JsonToken t) throws IOException {
    if (t != JsonToken.START_OBJECT) {
      return false;
    }
    Set<String> seen = new HashSet<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      if (!seen.add(p.currentName())) {
        return false;
      }
      p.nextToken();
      p.skipChildren();
    }
    return true;
  }
}
