package dev.orch.mcp.internal;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Turns payloads into MCP tool results (SPEC §2): one text content holding the pretty-printed JSON payload (the
 * layout of JavaScript's {@code JSON.stringify(x, null, 2)}, as the TS server printed it) plus
 * {@code structuredContent} = the payload; errors are {@code isError} results with one text content.
 *
 * <p>Also measures results: TS MCP clients drop the connection on a message above 10 MiB, so every result must
 * stay below {@link #MAX_RESULT_BYTES}.
 */
public final class ResultRenderer {
  /** Upper bound for the serialized size of one result, bytes (below the 10 MiB TS client limit). */
  public static final long MAX_RESULT_BYTES = 9L * 1024 * 1024;

  /** Text buffers kept between answers: two, of up to 1 Mi chars each (1 MiB while the text is Latin-1). */
  private static final BufferPool<StringWriter> TEXT_BUFFERS = new BufferPool<>(2, () -> new StringWriter(8192),
      w -> w.getBuffer().capacity() <= (1 << 20));

  private final ObjectMapper mapper;
  private final ObjectWriter pretty;
  /** The payload this thread rendered last (checked for size), until its result is built. */
  private final ThreadLocal<Rendered> last = new ThreadLocal<>();

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
  }

  /**
   * @return the payload pretty-printed with two-space indentation and {@code "\n"} line ends. Written into a pooled
   *     buffer (see {@link BufferPool}): a 256 KiB artifact slice costs one copy of its text instead of the growing
   *     char segments and the final copies of {@code writeValueAsString}.
   */
  public String prettyText(ObjectNode payload) {
    StringWriter buffer = TEXT_BUFFERS.take();
    try {
      pretty.writeValue(buffer, payload);
      return buffer.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      buffer.getBuffer().setLength(0);
      TEXT_BUFFERS.give(buffer);
    }
  }

  /**
   * @return a successful result: the pretty text plus structuredContent (the text rendered by {@link #wireBytes}
   *     for this payload on this thread is reused)
   */
  public CallToolResult success(ObjectNode payload) {
    String text = render(payload).text();
    last.remove();
    return CallToolResult.builder()
        .content(List.of(TextContent.builder(text).build()))
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
   * @return whether the result for this payload stays below {@link #MAX_RESULT_BYTES}: answered from the length of
   *     the pretty text when even its largest possible size as a JSON string ({@link #maxJsonStringBytes}) is below
   *     half the limit (a 256 KiB artifact slice: its text is never walked), else from the size of the escaped pretty
   *     text when twice that is below the limit (the compact structured copy is never larger than the pretty text),
   *     else by {@link #wireBytes}. The rendering is kept for {@link #success}.
   */
  public boolean fits(ObjectNode payload) {
    Rendered r = render(payload);
    return 2 * maxJsonStringBytes(r.text().length()) < MAX_RESULT_BYTES
        || 2 * r.textBytes() < MAX_RESULT_BYTES || r.wireBytes(mapper) <= MAX_RESULT_BYTES;
  }

  /**
   * @return the most bytes {@link #jsonStringBytes} can count for a text of {@code chars} UTF-16 chars: 6 a char (a
   *     control character as {@code \\u00XX}, or half of a surrogate pair's 12) plus the 2 quotes
   */
  static long maxJsonStringBytes(int chars) {
    return 6L * chars + 2;
  }

  /** A payload rendered once: its pretty text and (counted when needed) that text's size as a JSON string, bytes. */
  private static final class Rendered {
    final ObjectNode payload;
    final String text;
    private long textBytes = -1;
    private long wireBytes = -1;

    Rendered(ObjectNode payload, String text) {
      this.payload = payload;
      this.text = text;
    }

    String text() {
      return text;
    }

    /** @return the text's size as a JSON string, counted once on first use */
    long textBytes() {
      if (textBytes < 0) {
        textBytes = jsonStringBytes(text);
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
    r = new Rendered(payload, prettyText(payload));
    last.set(r);
    return r;
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
