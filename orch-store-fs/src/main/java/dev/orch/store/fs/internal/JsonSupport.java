package dev.orch.store.fs.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The one place where the file store turns JSON trees into bytes and back. Pretty output matches JavaScript's
 * {@code JSON.stringify(value, null, 2) + "\n"} (the TS server's format): two-space indent, {@code "key": value},
 * arrays one item per line, {@code {}} and {@code []} for empty containers. Lines of JSONL files are compact.
 */
public final class JsonSupport {
  /** Shared mapper; thread-safe. */
  public static final ObjectMapper MAPPER = new ObjectMapper();
  private static final ObjectWriter PRETTY;
  private static final ObjectWriter COMPACT = MAPPER.writer();

  static {
    Separators separators = Separators.createDefaultInstance()
        .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
        .withObjectEmptySeparator("")
        .withArrayEmptySeparator("");
    DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
    DefaultPrettyPrinter printer = new DefaultPrettyPrinter(separators);
    printer.indentObjectsWith(indenter);
    printer.indentArraysWith(indenter);
    PRETTY = MAPPER.writer(printer);
  }

  private JsonSupport() {
  }

  /** @return the value pretty-printed as UTF-8 with a trailing newline (JSON {@code null} for a null node) */
  public static byte[] pretty(JsonNode node) {
    try {
      String text = PRETTY.writeValueAsString(node) + "\n";
      return text.getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize a JSON tree", e);
    }
  }

  /** @return the value as one compact UTF-8 line ending in {@code '\n'} */
  public static byte[] line(JsonNode node) {
    try {
      byte[] body = COMPACT.writeValueAsBytes(node);
      byte[] out = new byte[body.length + 1];
      System.arraycopy(body, 0, out, 0, body.length);
      out[body.length] = '\n';
      return out;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize a JSON tree", e);
    }
  }

  /**
   * @param bytes UTF-8 JSON
   * @return the tree
   * @throws IOException when the bytes are not valid JSON
   */
  public static JsonNode parse(byte[] bytes, int offset, int length) throws IOException {
    JsonNode node = MAPPER.readTree(bytes, offset, length);
    if (node == null || node.isMissingNode()) {
      throw new IOException("empty JSON document");
    }
    return node;
  }
}
