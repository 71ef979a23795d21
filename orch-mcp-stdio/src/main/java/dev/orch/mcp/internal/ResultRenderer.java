package dev.orch.mcp.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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

  private final ObjectMapper mapper;
  private final ObjectWriter pretty;

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

  /** @return the payload pretty-printed with two-space indentation and {@code "\n"} line ends */
  public String prettyText(ObjectNode payload) {
    try {
      return pretty.writeValueAsString(payload);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** @return a successful result: the pretty text plus structuredContent */
  public CallToolResult success(ObjectNode payload) {
    return CallToolResult.builder()
        .content(List.of(TextContent.builder(prettyText(payload)).build()))
        .structuredContent(payload)
        .isError(false)
        .build();
  }

  /** @return an {@code isError} result with the given text */
  public CallToolResult error(String text) {
    return CallToolResult.builder().content(List.of(TextContent.builder(text).build())).isError(true).build();
  }

  /**
   * @return the number of bytes the result for this payload takes on the wire (text content as an escaped JSON
   *     string plus the compact structured copy), without the small JSON-RPC envelope
   */
  public long wireBytes(ObjectNode payload) {
    try {
      long text = mapper.writeValueAsBytes(TextNode.valueOf(prettyText(payload))).length;
      long structured = mapper.writeValueAsString(payload).getBytes(StandardCharsets.UTF_8).length;
      return text + structured;
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
