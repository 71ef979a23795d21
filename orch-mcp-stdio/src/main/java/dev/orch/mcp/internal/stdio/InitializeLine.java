package dev.orch.mcp.internal.stdio;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Recognizes an {@code initialize} request line that the MCP session is certain to accept, and renders the answer
 * to it (issue 8: start-up).
 *
 * <p><b>Written by hand, not with Jackson</b> (the project's JSON library, which the session itself uses for every
 * line): this runs on {@code main} before anything else, and a JVM's first use of Jackson's streaming parser and
 * generator costs about 20 ms of class loading and static initialisation even from the start-up archive — two
 * thirds of the time between {@code main} and this answer (measured; {@code docs/benchmarks.md}, "Start-up"). It is
 * a recognizer of one narrow line shape, not a JSON parser: it only says yes for a strict subset of JSON, and says
 * no to everything else, which then waits for the session (whose Jackson decoding stays the authority) and is
 * answered when the server is built. At run time the session's own answer is also compared byte for byte with the
 * early one ({@link StdioTransportProvider}).
 *
 * <p>"Certain to accept" is deliberately narrower than what the session accepts: {@link InboundDecoder} must decode
 * the line as a request and the SDK must bind its params to an {@code InitializeRequest}. A line is recognized only
 * when it is one JSON object with exactly {@code jsonrpc: "2.0"}, an {@code id} that is a string or an integer
 * fitting a long, {@code method: "initialize"} and {@code params}, no key twice in any object checked below, and
 * params made of
 * <ul>
 *   <li>{@code protocolVersion}: a string (required);</li>
 *   <li>{@code capabilities}: an object with any of {@code roots} (an object with at most a boolean
 *       {@code listChanged}), {@code sampling} (any object), {@code elicitation} (an object with at most
 *       {@code form} and {@code url}, each an empty object) and {@code experimental} (any object);</li>
 *   <li>{@code clientInfo}: an object with any of {@code name}, {@code title}, {@code version},
 *       {@code websiteUrl}, each a string;</li>
 *   <li>{@code _meta}: any object.</li>
 * </ul>
 * and lexically: valid UTF-8; strings without escapes ({@code \}) or control characters; numbers only as JSON
 * numbers of at most {@link #MAX_NUMBER_CHARS} characters; at most {@link #MAX_DEPTH} nested objects and arrays;
 * JSON whitespace between tokens. Stateless and thread-safe.
 *
 * <p>No lambdas, method references or {@code +} on strings here or in {@link EarlyInput}: each bootstraps
 * {@code java.lang.invoke} at its first use, several ms before the answer ({@code EarlyAnswerClassesTest}).
 */
final class InitializeLine {
  /** Deepest nesting of objects and arrays in a recognized line (Jackson's own limit is 1000). */
  static final int MAX_DEPTH = 32;
  /** Longest number in a recognized line, characters (Jackson's own limit is 1000). */
  static final int MAX_NUMBER_CHARS = 100;

  private final byte[] b;
  private int i;

  private InitializeLine(byte[] line) {
    this.b = line;
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

  /** The objects whose members are checked (see the class doc), each by {@link #member}. */
  private enum Shape { REQUEST, NOTIFICATION, PARAMS, CAPABILITIES, ROOTS, ELICITATION, CLIENT_INFO, ANY }

  /** What one line gave: the members found so far. */
  private static final class Found {
    Object id;
    String protocolVersion;
    boolean jsonrpc;
    boolean method;
  }

  /**
   * @param line one input line without its terminator
   * @return the request when the line is an initialize the session is certain to accept (see the class doc), else
   *     null; never throws for any input
   */
  static Request parse(byte[] line) {
    Found found = new Found();
    if (!validUtf8(line) || !new InitializeLine(line).root(Shape.REQUEST, found)) {
      return null;
    }
    return found.jsonrpc && found.method && found.id != null && found.protocolVersion != null
        ? new Request(found.id, found.protocolVersion) : null;
  }

  /**
   * @param line one input line
   * @return true when the line is certainly a notification (one JSON object with {@code "jsonrpc":"2.0"}, a string
   *     {@code method}, no {@code id}, other members within the recognized subset), which is never answered; false
   *     for anything else. Never throws.
   */
  static boolean isNotification(byte[] line) {
    Found found = new Found();
    return validUtf8(line) && new InitializeLine(line).root(Shape.NOTIFICATION, found) && found.jsonrpc
        && found.method;
  }

  /**
   * Renders the whole answer line (without the line end) as the session's transport serializes it (Jackson's UTF-8
   * generator with its defaults: compact; {@code "}, {@code \} and control characters escaped, surrogates escaped
   * one by one as {@code \}{@code uXXXX}, everything else as UTF-8): {@code
   * {"jsonrpc":"2.0","id":…,"result":{"protocolVersion":…,"capabilities":…,"serverInfo":{"name":…,"version":…},
   * "instructions":…}}} (no instructions when the handshake has none).
   *
   * @param request the recognized request
   * @param handshake the server's handshake
   * @param supported the supported protocol versions, oldest first
   * @return the UTF-8 bytes of the answer
   */
  static byte[] answer(Request request, Handshake handshake, List<String> supported) {
    StringBuilder s = new StringBuilder(512);
    s.append("{\"jsonrpc\":\"2.0\",\"id\":");
    if (request.id() instanceof Number n) {
      s.append(n.longValue());
    } else {
      quote(s, request.id().toString());
    }
    s.append(",\"result\":{\"protocolVersion\":");
    quote(s, Handshake.negotiate(request.protocolVersion(), supported));
    s.append(",\"capabilities\":").append(handshake.capabilitiesJson()).append(",\"serverInfo\":{\"name\":");
    quote(s, handshake.name());
    s.append(",\"version\":");
    quote(s, handshake.version());
    s.append('}');
    if (handshake.instructions() != null) {
      s.append(",\"instructions\":");
      quote(s, handshake.instructions());
    }
    s.append("}}");
    return s.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Appends a JSON string as Jackson's UTF-8 generator writes it (see {@link #answer}). */
  private static void quote(StringBuilder s, String text) {
    s.append('"');
    for (int k = 0; k < text.length(); k++) {
      char c = text.charAt(k);
      switch (c) {
        case '"' -> s.append("\\\"");
        case '\\' -> s.append("\\\\");
        case '\b' -> s.append("\\b");
        case '\t' -> s.append("\\t");
        case '\n' -> s.append("\\n");
        case '\f' -> s.append("\\f");
        case '\r' -> s.append("\\r");
        default -> {
          if (c < 0x20 || Character.isSurrogate(c)) {
            s.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xF]).append(HEX[(c >> 4) & 0xF])
                .append(HEX[c & 0xF]);
          } else {
            s.append(c);
          }
        }
      }
    }
    s.append('"');
  }

  private static final char[] HEX = {'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'A', 'B', 'C', 'D', 'E', 'F'};

  /** @return true when the bytes are well-formed UTF-8 (the JDK's decoder replaces anything else) */
  private static boolean validUtf8(byte[] line) {
    for (byte x : line) {
      if (x < 0) { // not all ASCII: decode and encode again; a malformed sequence does not survive the round trip
        return Arrays.equals(line, new String(line, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8));
      }
    }
    return true;
  }

  /** The whole line: one object of that shape, then only whitespace. */
  private boolean root(Shape shape, Found found) {
    return object(shape, found, 1) && ws() == -1;
  }

  /** An object of that shape at the cursor (after whitespace); its keys each appear once. */
  private boolean object(Shape shape, Found found, int depth) {
    if (depth > MAX_DEPTH || !consume('{')) {
      return false;
    }
    if (consume('}')) {
      return true;
    }
    Set<String> seen = new HashSet<>();
    do {
      String key = string();
      if (key == null || !seen.add(key) || !consume(':') || !member(shape, key, found, depth)) {
        return false;
      }
    } while (consume(','));
    return consume('}');
  }

  /** Checks and consumes one member's value (the cursor is after its colon). */
  private boolean member(Shape shape, String key, Found found, int depth) {
    return switch (shape) {
      case REQUEST -> switch (key) {
        case "jsonrpc" -> found.jsonrpc = "2.0".equals(string());
        case "method" -> found.method = "initialize".equals(string());
        case "id" -> (found.id = id()) != null;
        case "params" -> object(Shape.PARAMS, found, depth + 1) && found.protocolVersion != null;
        default -> false;
      };
      case NOTIFICATION -> switch (key) {
        case "jsonrpc" -> found.jsonrpc = "2.0".equals(string());
        case "method" -> found.method = string() != null;
        case "id" -> false;
        default -> value(depth + 1);
      };
      case PARAMS -> switch (key) {
        case "protocolVersion" -> (found.protocolVersion = string()) != null;
        case "capabilities" -> object(Shape.CAPABILITIES, found, depth + 1);
        case "clientInfo" -> object(Shape.CLIENT_INFO, found, depth + 1);
        case "_meta" -> object(Shape.ANY, found, depth + 1);
        default -> false;
      };
      case CAPABILITIES -> switch (key) {
        case "roots" -> object(Shape.ROOTS, found, depth + 1);
        case "sampling", "experimental" -> object(Shape.ANY, found, depth + 1);
        case "elicitation" -> object(Shape.ELICITATION, found, depth + 1);
        default -> false;
      };
      case ROOTS -> key.equals("listChanged") && (literal("true") || literal("false"));
      case ELICITATION -> (key.equals("form") || key.equals("url")) && emptyObject();
      case CLIENT_INFO -> switch (key) {
        case "name", "title", "version", "websiteUrl" -> string() != null;
        default -> false;
      };
      case ANY -> value(depth + 1);
    };
  }

  /** Any value of the recognized subset at the cursor. */
  private boolean value(int depth) {
    int c = ws();
    if (c == '{') {
      return object(Shape.ANY, null, depth);
    }
    if (c == '[') {
      return array(depth);
    }
    if (c == '"') {
      return string() != null;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      return number(false) != null;
    }
    return literal("true") || literal("false") || literal("null");
  }

  /** An array of values of the recognized subset at the cursor. */
  private boolean array(int depth) {
    if (depth > MAX_DEPTH || !consume('[')) {
      return false;
    }
    if (consume(']')) {
      return true;
    }
    do {
      if (!value(depth + 1)) {
        return false;
      }
    } while (consume(','));
    return consume(']');
  }

  /** {@code {}} (whitespace allowed inside). */
  private boolean emptyObject() {
    return consume('{') && consume('}');
  }

  /** @return true when the next token (after whitespace) is {@code c}, which is then consumed */
  private boolean consume(char c) {
    if (ws() != c) {
      return false;
    }
    i++;
    return true;
  }

  /** The id: a string, or an integer that fits a long (Integer when it fits an int); null for anything else. */
  private Object id() {
    if (ws() == '"') {
      return string();
    }
    String digits = number(true);
    if (digits == null) {
      return null;
    }
    long v;
    try {
      v = Long.parseLong(digits);
    } catch (NumberFormatException e) { // beyond a long: the decoder refuses such an id, the session answers
      return null;
    }
    return v == (int) v ? (Object) (int) v : (Object) v;
  }

  /**
   * A JSON number at the cursor: {@code -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?}, then a delimiter.
   *
   * @param integer true to accept only an integer
   * @return its text, or null when there is none or it is longer than {@link #MAX_NUMBER_CHARS}
   */
  private String number(boolean integer) {
    int start = i;
    if (at('-')) {
      i++;
    }
    if (at('0')) {
      i++;
    } else if (!digits()) {
      return null;
    }
    if (!integer && at('.')) {
      i++;
      if (!digits()) {
        return null;
      }
    }
    if (!integer && (at('e') || at('E'))) {
      i++;
      if (at('+') || at('-')) {
        i++;
      }
      if (!digits()) {
        return null;
      }
    }
    if (i - start > MAX_NUMBER_CHARS || (i < b.length && !delimiter(b[i]))) {
      return null;
    }
    return new String(b, start, i - start, StandardCharsets.US_ASCII);
  }

  private boolean digits() {
    int start = i;
    while (i < b.length && b[i] >= '0' && b[i] <= '9') {
      i++;
    }
    return i > start;
  }

  private static boolean delimiter(byte c) {
    return c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\r' || c == '\n';
  }

  /** A string without escapes or control characters at the cursor (after whitespace); null for anything else. */
  private String string() {
    if (ws() != '"') {
      return null;
    }
    int start = ++i;
    while (i < b.length) {
      byte c = b[i];
      if (c == '"') {
        return new String(b, start, i++ - start, StandardCharsets.UTF_8);
      }
      if (c == '\\' || (c >= 0 && c < 0x20)) {
        return null;
      }
      i++;
    }
    return null;
  }

  /** The literal at the cursor (after whitespace), then a delimiter; the cursor moves only when it matches. */
  private boolean literal(String word) {
    ws();
    int n = word.length();
    if (i + n > b.length || (i + n < b.length && !delimiter(b[i + n]))) {
      return false;
    }
    for (int k = 0; k < n; k++) {
      if (b[i + k] != word.charAt(k)) {
        return false;
      }
    }
    i += n;
    return true;
  }

  private boolean at(char c) {
    return i < b.length && b[i] == c;
  }

  /** Skips JSON whitespace; @return the byte at the cursor then, or -1 at the end of the line */
  private int ws() {
    while (i < b.length && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n')) {
      i++;
    }
    return i < b.length ? b[i] : -1;
  }
}
