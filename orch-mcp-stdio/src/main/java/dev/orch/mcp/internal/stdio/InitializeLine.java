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
      Object[] id = new Object[1];
      String[] version = new String[1];
      boolean[] jsonrpc = new boolean[1];
      boolean[] method = new boolean[1];
      // stops at the first thing outside the recognized shape
      boolean ok = object(p, p.nextToken(), (key, t) -> switch (key) {
        case "jsonrpc" -> jsonrpc[0] = t == JsonToken.VALUE_STRING && "2.0".equals(p.getText());
        case "method" -> method[0] = t == JsonToken.VALUE_STRING && "initialize".equals(p.getText());
        case "id" -> (id[0] = id(p, t)) != null;
        case "params" -> (version[0] = params(p, t)) != null;
        default -> false;
      });
      return ok && p.nextToken() == null && jsonrpc[0] && method[0] && id[0] != null && version[0] != null
          ? new Request(id[0], version[0]) : null;
    } catch (IOException | RuntimeException e) { // not JSON, invalid UTF-8, too deep: the session answers it
      return null;
    }
  }

  /**
   * @param line one input line
   * @return true when the line is certainly a notification (one JSON object with {@code "jsonrpc":"2.0"}, a string
   *     {@code method}, no {@code id}), which is never answered; false for anything else. Never throws.
   */
  static boolean isNotification(byte[] line) {
    try (JsonParser p = JSON.createParser(line)) {
      boolean[] jsonrpc = new boolean[1];
      boolean[] method = new boolean[1];
      boolean ok = object(p, p.nextToken(), (key, v) -> switch (key) {
        case "id" -> false;
        case "jsonrpc" -> jsonrpc[0] = v == JsonToken.VALUE_STRING && "2.0".equals(p.getText());
        case "method" -> method[0] = v == JsonToken.VALUE_STRING;
        default -> {
          p.skipChildren();
          yield true;
        }
      });
      return ok && p.nextToken() == null && jsonrpc[0] && method[0];
    } catch (IOException | RuntimeException e) {
      return false;
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

  /** A check of one member of an object: its key and its first token (the parser is on it). */
  @FunctionalInterface
  private interface MemberCheck {
    boolean accept(String key, JsonToken value) throws IOException;
  }

  /**
   * @return true when the value is an object whose keys each appear once and each member passes {@code check}
   *     (which must consume the member's value); false at the first that does not
   */
  private static boolean object(JsonParser p, JsonToken t, MemberCheck check) throws IOException {
    if (t != JsonToken.START_OBJECT) {
      return false;
    }
    Set<String> seen = new HashSet<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      if (!seen.add(key) || !check.accept(key, p.nextToken())) {
        return false;
      }
    }
    return true;
  }

  /** @return params.protocolVersion when params has the recognized shape, else null */
  private static String params(JsonParser p, JsonToken t) throws IOException {
    String[] version = new String[1];
    boolean ok = object(p, t, (key, v) -> switch (key) {
      case "protocolVersion" -> {
        version[0] = v == JsonToken.VALUE_STRING ? p.getText() : null;
        yield version[0] != null;
      }
      case "capabilities" -> object(p, v, (k, c) -> switch (k) {
        case "roots" -> object(p, c, (r, b) -> r.equals("listChanged")
            && (b == JsonToken.VALUE_TRUE || b == JsonToken.VALUE_FALSE));
        case "sampling", "experimental" -> anyObject(p, c);
        case "elicitation" -> object(p, c, (e, m) -> (e.equals("form") || e.equals("url"))
            && m == JsonToken.START_OBJECT && p.nextToken() == JsonToken.END_OBJECT);
        default -> false;
      });
      case "clientInfo" -> object(p, v, (k, c) -> Set.of("name", "title", "version", "websiteUrl").contains(k)
          && c == JsonToken.VALUE_STRING);
      case "_meta" -> anyObject(p, v);
      default -> false;
    });
    return ok ? version[0] : null;
  }

  /** Any object, skipped (a key twice at its top level is refused: Jackson's tree would keep only the last). */
  private static boolean anyObject(JsonParser p, JsonToken t) throws IOException {
    return object(p, t, (key, v) -> {
      p.skipChildren();
      return true;
    });
  }
}
