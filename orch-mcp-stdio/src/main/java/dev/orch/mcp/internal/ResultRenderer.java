package dev.orch.mcp.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.json.UTF8JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.Module;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Turns payloads into MCP tool results (SPEC §2): one text content holding the pretty-printed JSON payload (the
 * layout of JavaScript's {@code JSON.stringify(x, null, 2)}, as the TS server printed it) plus
 * {@code structuredContent} = the payload; errors are {@code isError} results with one text content.
 *
 * <p>Also measures results: TS MCP clients drop the connection on a message above 10 MiB, so every result must
 * stay below {@link #MAX_RESULT_BYTES}.
 *
 * <p>A long text (a poll page of 1000 events is about 400 KB) is escaped as a JSON string once, while it is
 * rendered: the pretty JSON is written as UTF-8 bytes, which give both the text and, through {@link #escape}, the
 * bytes of the JSON string the transport writes for it ({@link #module}). The transport's generic path escaped
 * the text character by character again (issue 8: 40% of the poll tool thread's samples in a flood).
 */
public final class ResultRenderer {
  /** Upper bound for the serialized size of one result, bytes (below the 10 MiB TS client limit). */
  public static final long MAX_RESULT_BYTES = 9L * 1024 * 1024;
  /** Texts at least this long (chars) have their escaped bytes kept for the transport. */
  static final int ESCAPE_ONCE_CHARS = 8 * 1024;

  private final ObjectMapper mapper;
  private final ObjectWriter pretty;
  private final ObjectWriter prettyUtf8;
  /** The payload this thread rendered last (checked for size), until its result is built. */
  private final ThreadLocal<Rendered> last = new ThreadLocal<>();
  /** long texts rendered and not yet written (package-private for tests) */
  final EscapedTexts escaped = new EscapedTexts();

  /** @param mapper the mapper used for all protocol JSON */
  public ResultRenderer(ObjectMapper mapper) {
    this.mapper = mapper;
    DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
    DefaultPrettyPrinter printer = new DefaultPrettyPrinter(Separators.createDefaultInstance()
        .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
        .withObjectEmptySeparator("")
        .withArrayEmptySeparator(""));
    printer.indentObjectsWith(indenter);
    printer.indentArraysWith(indenter);
    this.pretty = mapper.writer(printer);
    // characters outside the BMP as themselves (as a Writer writes them), not as two \\uXXXX escapes
    this.prettyUtf8 = pretty.with(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8);
  }

  /**
   * @return a Jackson module for the protocol mapper: a string that this renderer escaped while rendering a
   *     result's text is written from those bytes (the same JSON string); every other string as Jackson writes it
   */
  public Module module() {
    SimpleModule m = new SimpleModule("orch-result-texts");
    m.addSerializer(String.class, new EscapedTextSerializer(escaped));
    return m;
  }

  /** @return the payload pretty-printed with two-space indentation and {@code "\n"} line ends */
  public String prettyText(ObjectNode payload) {
    try {
      return pretty.writeValueAsString(payload);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * @return a successful result: the pretty text plus structuredContent (the text rendered by {@link #wireBytes}
   *     for this payload on this thread is reused; a long text's escaped bytes are handed to the transport)
   */
  public CallToolResult success(ObjectNode payload) {
    Rendered r = render(payload);
    last.remove();
    if (r.escaped != null) {
      escaped.put(r.text, r.escaped);
    }
    return CallToolResult.builder()
        .content(List.of(TextContent.builder(r.text).build()))
        .structuredContent(payload)
        .isError(false)
        .build();
  }

  /** @return an {@code isError} result with the given text */
  public CallToolResult error(String text) {
    last.remove();
    return CallToolResult.builder().content(List.of(TextContent.builder(text).build())).isError(true).build();
  }

  /**
   * @return the number of bytes the result for this payload takes on the wire (text content as an escaped JSON
   *     string plus the compact structured copy), without the small JSON-RPC envelope. The rendering is kept for
   *     {@link #success} of the same payload object on the same thread, so a result is rendered once however often
   *     its size is checked.
   */
  public long wireBytes(ObjectNode payload) {
    return render(payload).wireBytes(mapper);
  }

  /**
   * @return whether the result for this payload stays below {@link #MAX_RESULT_BYTES}: answered from the size of
   *     the text as a JSON string plus three times its UTF-8 size (the compact structured copy is never larger: it
   *     only lacks the indentation, and a character outside the BMP takes 12 bytes there against 4), else by
   *     {@link #wireBytes}. The rendering is kept for {@link #success}.
   */
  public boolean fits(ObjectNode payload) {
    Rendered r = render(payload);
    return r.textBytes() + 3L * r.utf8Bytes < MAX_RESULT_BYTES || r.wireBytes(mapper) <= MAX_RESULT_BYTES;
  }

  /** A payload rendered once: its pretty text, that text's size as a JSON string, and (long texts) its escape. */
  private static final class Rendered {
    final ObjectNode payload;
    final String text;
    /** the text's UTF-8 size, bytes */
    final int utf8Bytes;
    /** the text as JSON string content (no quotes), for long texts; else null */
    final byte[] escaped;
    private long textBytes = -1;
    private long wireBytes = -1;

    Rendered(ObjectNode payload, String text, int utf8Bytes, byte[] escaped) {
      this.payload = payload;
      this.text = text;
      this.utf8Bytes = utf8Bytes;
      this.escaped = escaped;
    }

    /** @return the text's size as a JSON string with its quotes, counted once on first use */
    long textBytes() {
      if (textBytes < 0) {
        textBytes = escaped != null ? escaped.length + 2L : jsonStringBytes(text);
      }
      return textBytes;
    }

    /** @return the text's bytes plus the compact structured copy's, counted once on first use */
    long wireBytes(ObjectMapper mapper) {
      if (wireBytes < 0) {
        try {
          ByteCounter count = new ByteCounter();
          mapper.writeValue(count, payload);
          wireBytes = textBytes() + count.bytes;
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      return wireBytes;
    }
  }

  private Rendered render(ObjectNode payload) {
    Rendered r = last.get();
    if (r != null && r.payload == payload) {
      return r;
    }
    byte[] utf8;
    try {
      utf8 = prettyUtf8.writeValueAsBytes(payload);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
    String text = new String(utf8, StandardCharsets.UTF_8);
    r = new Rendered(payload, text, utf8.length, text.length() >= ESCAPE_ONCE_CHARS ? escape(utf8) : null);
    last.set(r);
    return r;
  }

  /**
   * Escapes UTF-8 text as the content of a JSON string (without the quotes), the way Jackson escapes a string:
   * {@code "} and {@code \\} with a backslash, {@code \\n \\t \\r \\b \\f} short, other control characters
   * as {@code \\u00XX} (upper-case hex); every other byte as it is (multi-byte UTF-8 sequences stay whole). Written
   * here because Jackson escapes only from chars ({@code JsonStringEncoder}), and the point is not to decode the
   * bytes first.
   *
   * @param utf8 well-formed UTF-8
   * @return the escaped bytes
   */
  static byte[] escape(byte[] utf8) {
    int extra = 0;
    for (byte b : utf8) {
      if (b == '"' || b == '\\') {
        extra++;
      } else if (b >= 0 && b < 0x20) {
        extra += shortEscape(b) != 0 ? 1 : 5;
      }
    }
    if (extra == 0) {
      return utf8;
    }
    byte[] out = new byte[utf8.length + extra];
    int o = 0;
    for (byte b : utf8) {
      if (b == '"' || b == '\\') {
        out[o++] = '\\';
        out[o++] = b;
      } else if (b >= 0 && b < 0x20) {
        out[o++] = '\\';
        byte s = shortEscape(b);
        if (s != 0) {
          out[o++] = s;
        } else {
          out[o++] = 'u';
          out[o++] = '0';
          out[o++] = '0';
          out[o++] = HEX[b >> 4];
          out[o++] = HEX[b & 0xF];
        }
      } else {
        out[o++] = b;
      }
    }
    return out;
  }

  private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

  /** @return the letter of the short escape of a control character, or 0 when it has none */
  private static byte shortEscape(byte b) {
    return switch (b) {
      case '\n' -> 'n';
      case '\t' -> 't';
      case '\r' -> 'r';
      case '\b' -> 'b';
      case '\f' -> 'f';
      default -> 0;
    };
  }

  /**
   * Escaped bytes of recent long texts, found again by identity. An entry is taken when the transport writes its
   * text (a result is written once); the few slots bound what a result that is never written keeps alive.
   */
  static final class EscapedTexts {
    private static final int SLOTS = 16;
    private final WeakReference<?>[] texts = new WeakReference<?>[SLOTS];
    private final byte[][] bytes = new byte[SLOTS][];
    private int next;

    synchronized void put(String text, byte[] escaped) {
      texts[next] = new WeakReference<>(text);
      bytes[next] = escaped;
      next = (next + 1) % SLOTS;
    }

    /** @return whether escaped bytes of exactly this string object are kept */
    synchronized boolean holds(String text) {
      for (WeakReference<?> ref : texts) {
        if (ref != null && ref.get() == text) {
          return true;
        }
      }
      return false;
    }

    /** @return the escaped bytes of exactly this string object (and forgets them), or null */
    synchronized byte[] take(String text) {
      for (int i = 0; i < SLOTS; i++) {
        WeakReference<?> ref = texts[i];
        if (ref != null && ref.get() == text) {
          byte[] b = bytes[i];
          texts[i] = null;
          bytes[i] = null;
          return b;
        }
      }
      return null;
    }
  }

  /** Writes a string from its kept escaped bytes when there are some and the output is UTF-8 JSON. */
  private static final class EscapedTextSerializer extends StdSerializer<String> {
    private final transient EscapedTexts escaped;

    EscapedTextSerializer(EscapedTexts escaped) {
      super(String.class);
      this.escaped = escaped;
    }

    @Override
    public void serialize(String value, JsonGenerator gen, SerializerProvider provider) throws IOException {
      if (value.length() >= ESCAPE_ONCE_CHARS && gen instanceof UTF8JsonGenerator) {
        byte[] b = escaped.take(value);
        if (b != null) {
          gen.writeRawUTF8String(b, 0, b.length);
          return;
        }
      }
      gen.writeString(value);
    }
  }

  /**
   * @return the UTF-8 bytes of {@code s} written as a JSON string by Jackson's default settings, quotes included:
   *     {@code "} and {@code \\} take 2 bytes, control characters 2 ({@code \\n}, {@code \\t}, {@code \\r},
   *     {@code \\b}, {@code \\f}) or 6 ({@code \\u00XX}), a surrogate pair 12 (two escapes), other characters their
   *     UTF-8 length. A loop instead of a second serialization of a text that can be megabytes long (the transport
   *     serializes it once more anyway).
   */
  static long jsonStringBytes(String s) {
    long n = 2;
    int len = s.length();
    for (int i = 0; i < len; i++) {
      char c = s.charAt(i);
      if (c < 0x20) {
        n += c == '\n' || c == '\t' || c == '\r' || c == '\b' || c == '\f' ? 2 : 6;
      } else if (c == '"' || c == '\\') {
        n += 2;
      } else if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 12; // Jackson's byte output escapes a pair as two \\uXXXX
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  /** Counts what is written and keeps nothing. */
  private static final class ByteCounter extends java.io.OutputStream {
    long bytes;

    @Override
    public void write(int b) {
      bytes++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      bytes += len;
    }
  }

}
