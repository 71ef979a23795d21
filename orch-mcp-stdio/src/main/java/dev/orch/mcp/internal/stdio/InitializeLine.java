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
 * always does. Stateless and thread-safe. No lambdas or method references on this path: it runs before the answer
 * to {@code initialize}, and a JVM's first lambda bootstraps {@code java.lang.invoke}, several ms of start-up.
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
      // stops at the first thing outside the recognized shape
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        JsonToken t = p.nextToken();
        boolean ok = seen.add(key) && switch (key) {
          case "jsonrpc" -> jsonrpc = t == JsonToken.VALUE_STRING && "2.0".equals(p.getText());
          case "method" -> method = t == JsonToken.VALUE_STRING && "initialize".equals(p.getText());
          case "id" -> (id = id(p, t)) != null;
          case "params" -> (version = params(p, t)) != null;
          default -> false;
        };
        if (!ok) {
          return null;
        }
      }
      return p.currentToken() == JsonToken.END_OBJECT && p.nextToken() == null && jsonrpc && method && id != null
          && version != null ? new Request(id, version) : null;
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
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return false;
      }
      boolean jsonrpc = false;
      boolean method = false;
      Set<String> seen = new HashSet<>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        JsonToken v = p.nextToken();
        if (!seen.add(key) || key.equals("id")) {
          return false;
        }
        switch (key) {
          case "jsonrpc" -> jsonrpc = v == JsonToken.VALUE_STRING && "2.0".equals(p.getText());
          case "method" -> method = v == JsonToken.VALUE_STRING;
          default -> p.skipChildren();
        }
      }
      return p.currentToken() == JsonToken.END_OBJECT && p.nextToken() == null && jsonrpc && method;
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

  /** The objects recognized inside {@code params} (see the class doc), each checked by {@link #member}. */
  private enum Shape { PARAMS, CAPABILITIES, ROOTS, ELICITATION, CLIENT_INFO, ANY }

  /**
   * @param version receives {@code params.protocolVersion}
   * @return true when the value is an object of that shape whose keys each appear once; false at the first member
   *     that does not fit
   */
  private static boolean object(JsonParser p, JsonToken t, Shape shape, String[] version) throws IOException {
    if (t != JsonToken.START_OBJECT) {
      return false;
    }
    Set<String> seen = new HashSet<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      if (!seen.add(key) || !member(p, shape, key, p.nextToken(), version)) {
        return false;
      }
    }
    return true;
  }

  /** Checks and consumes one member's value (the parser is on its first token {@code v}). */
  private static boolean member(JsonParser p, Shape shape, String key, JsonToken v, String[] version)
      throws IOException {
    return switch (shape) {
      case PARAMS -> switch (key) {
        case "protocolVersion" -> v == JsonToken.VALUE_STRING && (version[0] = p.getText()) != null;
        case "capabilities" -> object(p, v, Shape.CAPABILITIES, version);
        case "clientInfo" -> object(p, v, Shape.CLIENT_INFO, version);
        case "_meta" -> object(p, v, Shape.ANY, version);
        default -> false;
      };
      case CAPABILITIES -> switch (key) {
        case "roots" -> object(p, v, Shape.ROOTS, version);
        case "sampling", "experimental" -> object(p, v, Shape.ANY, version);
        case "elicitation" -> object(p, v, Shape.ELICITATION, version);
        default -> false;
      };
      case ROOTS -> key.equals("listChanged") && (v == JsonToken.VALUE_TRUE || v == JsonToken.VALUE_FALSE);
      case ELICITATION -> (key.equals("form") || key.equals("url")) && v == JsonToken.START_OBJECT
          && p.nextToken() == JsonToken.END_OBJECT;
      case CLIENT_INFO -> switch (key) {
        case "name", "title", "version", "websiteUrl" -> v == JsonToken.VALUE_STRING;
        default -> false;
      };
      case ANY -> {
        p.skipChildren();
        yield true;
      }
    };
  }

  /** @return params.protocolVersion when params has the recognized shape, else null */
  private static String params(JsonParser p, JsonToken t) throws IOException {
    String[] version = new String[1];
    return object(p, t, Shape.PARAMS, version) ? version[0] : null;
  }
}
