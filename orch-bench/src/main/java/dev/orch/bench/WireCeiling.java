package dev.orch.bench;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCResponse;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The ceiling the MCP wire shape of SPEC §2 puts on {@code get_event_artifact}, measured without a server, a pipe or
 * a disk: one real slice answer is encoded as the server must encode it (the payload pretty-printed as the text
 * content, then the JSON-RPC response holding that text and the payload again as {@code structuredContent}, with
 * Jackson) and decoded as the SDK's client decodes it ({@link McpSchema#deserializeJsonRpcMessage}, the result
 * converted to a {@link CallToolResult}, its structured content to a tree), in this JVM, warm, on its large heap.
 *
 * <p>A client that waits for each slice before asking for the next (the {@code artifact} row's client) spends at
 * least {@code encode + decode} of CPU time per slice on a machine where the two cannot overlap, so
 * {@code slice bytes / (encode + decode)} bounds what any Jackson-based server can reach through the SDK's client,
 * however fast its store reads.
 */
final class WireCeiling {
  private static final int WARM_UP = 30;
  private static final int MEASURED = 30;
  private static final TypeRef<CallToolResult> CALL_TOOL_RESULT = new TypeRef<>() {
  };

  /**
   * The medians of encoding and decoding one answer.
   *
   * @param answerBytes the size of the JSON-RPC line, bytes
   * @param encodeMs median time to encode it, ms
   * @param decodeMs median time to decode it, ms
   */
  record Figures(int answerBytes, double encodeMs, double decodeMs) {
    /** @return MB/s (10^6 bytes) of payload at one slice per {@code encode + decode} */
    double mbs(long payloadBytes) {
      return payloadBytes / 1e6 / ((encodeMs + decodeMs) / 1000);
    }
  }

  private WireCeiling() {
  }

  /**
   * @param payload the structured content of one {@code get_event_artifact} answer (as the client received it)
   * @return the medians of {@value #MEASURED} encodings and decodings after {@value #WARM_UP} of each
   * @throws IOException when the answer does not decode (it always should)
   */
  static Figures measure(ObjectNode payload) throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    McpJsonMapper sdk = new JacksonMcpJsonMapper(mapper);
    // the layout of JSON.stringify(x, null, 2), as the server's text content is written (SPEC §2)
    DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
    DefaultPrettyPrinter printer = new DefaultPrettyPrinter(Separators.createDefaultInstance()
        .withObjectFieldValueSpacing(Separators.Spacing.AFTER).withObjectEmptySeparator("")
        .withArrayEmptySeparator(""));
    printer.indentObjectsWith(indenter);
    printer.indentArraysWith(indenter);
    ObjectWriter pretty = mapper.writer(printer);
    List<Double> encode = new ArrayList<>();
    List<Double> decode = new ArrayList<>();
    int answerBytes = 0;
    for (int i = 0; i < WARM_UP + MEASURED; i++) {
      long t0 = System.nanoTime();
      String text = pretty.writeValueAsString(payload);
      CallToolResult result = CallToolResult.builder().content(List.of(TextContent.builder(text).build()))
          .structuredContent(payload).isError(false).build();
      byte[] line = mapper.writeValueAsBytes(new JSONRPCResponse(McpSchema.JSONRPC_VERSION, i, result, null));
      long t1 = System.nanoTime();
      JSONRPCResponse answer = (JSONRPCResponse) McpSchema.deserializeJsonRpcMessage(sdk,
          new String(line, StandardCharsets.UTF_8));
      CallToolResult decoded = sdk.convertValue(answer.result(), CALL_TOOL_RESULT);
      ObjectNode structured = mapper.valueToTree(decoded.structuredContent());
      long t2 = System.nanoTime();
      if (!structured.path("content").asText().equals(payload.path("content").asText())) {
        throw new IllegalStateException("the decoded answer lost its content");
      }
      answerBytes = line.length;
      if (i >= WARM_UP) {
        encode.add((t1 - t0) / 1e6);
        decode.add((t2 - t1) / 1e6);
      }
    }
    return new Figures(answerBytes, Stats.median(encode), Stats.median(decode));
  }

  /** @return the figures as the artifact row's detail words them */
  static String describe(Figures f, long payloadBytes) {
    return String.format(Locale.ROOT, "the wire's ceiling: one answer of %d KiB (%d KiB of content) encoded by Jackson in"
        + " %.2f ms and decoded by the SDK's client in %.2f ms, warm, in the benchmark JVM with no pipe and no disk:"
        + " at most %.0f MB/s one slice at a time (%.0f MB/s if the client cost nothing)", f.answerBytes() >> 10,
        payloadBytes >> 10, f.encodeMs(), f.decodeMs(), f.mbs(payloadBytes),
        payloadBytes / 1e6 / (f.encodeMs() / 1000));
  }
}
