package dev.orch.mcp.internal.stdio;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCRequest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("InitializeLine recognizes only initialize requests the SDK session is certain to accept")
class InitializeLineTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PARAMS = "\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},"
      + "\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}";

  private static InitializeLine.Request parse(String line) {
    return InitializeLine.parse(line.getBytes(StandardCharsets.UTF_8));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\"," + PARAMS + "}",
      "  {\"id\":\"x\",\"method\":\"initialize\",\"jsonrpc\":\"2.0\"," + PARAMS + "}  ",
      "{\"jsonrpc\":\"2.0\",\"id\":2147483648,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"x\","
          + "\"capabilities\":{\"roots\":{},\"sampling\":{\"tools\":{}},\"experimental\":{\"a\":{\"a\":1,\"a\":2}},"
          + "\"elicitation\":{\"form\":{}}},\"_meta\":{\"progressToken\":1}}}"})
  @DisplayName("a recognized line decodes as a request and its params bind to the SDK's InitializeRequest")
  void recognizedLinesAreAccepted(String line) {
    InitializeLine.Request r = parse(line);
    assertThat(r).isNotNull();
    InboundDecoder.Decoded decoded = new InboundDecoder(JSON).decode(line.getBytes(StandardCharsets.UTF_8));
    assertThat(decoded).isInstanceOf(InboundDecoder.Message.class);
    JSONRPCRequest request = (JSONRPCRequest) ((InboundDecoder.Message) decoded).message();
    assertThat(request.method()).isEqualTo("initialize");
    assertThat(request.id()).isEqualTo(r.id());
    McpSchema.InitializeRequest init = new JacksonMcpJsonMapper(JSON).convertValue(request.params(),
        new TypeRef<McpSchema.InitializeRequest>() {
        });
    assertThat(init.protocolVersion()).isEqualTo(r.protocolVersion());
  }

  @Test
  @DisplayName("ids keep the decoder's types: Integer when they fit an int, else Long, else String")
  void idTypes() {
    assertThat(parse("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"initialize\"," + PARAMS + "}").id())
        .isEqualTo(7);
    assertThat(parse("{\"jsonrpc\":\"2.0\",\"id\":8589934592,\"method\":\"initialize\"," + PARAMS + "}").id())
        .isEqualTo(8589934592L);
    assertThat(parse("{\"jsonrpc\":\"2.0\",\"id\":\"7\",\"method\":\"initialize\"," + PARAMS + "}").id())
        .isEqualTo("7");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "",
      "not json",
      "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\"," + PARAMS + "}]",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\"," + PARAMS + "} {}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\"," + PARAMS,
      "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"initialize\"," + PARAMS + "}",
      "{\"id\":1,\"method\":\"initialize\"," + PARAMS + "}",
      "{\"jsonrpc\":\"2.0\",\"method\":\"initialize\"," + PARAMS + "}",
      "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"initialize\"," + PARAMS + "}",
      "{\"jsonrpc\":\"2.0\",\"id\":1.0,\"method\":\"initialize\"," + PARAMS + "}",
      "{\"jsonrpc\":\"2.0\",\"id\":99999999999999999999,\"method\":\"initialize\"," + PARAMS + "}",
      "{\"jsonrpc\":\"2.0\",\"id\":{\"id\":1},\"method\":\"initialize\"," + PARAMS + "}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"," + PARAMS + "}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"method\":\"tools/list\"," + PARAMS + "}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":2,\"method\":\"initialize\"," + PARAMS + "}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\"," + PARAMS + ",\"extra\":1}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\"}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":[]}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":5}}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"a\","
          + "\"protocolVersion\":\"b\"}}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"a\",\"x\":1}}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"a\","
          + "\"capabilities\":5}}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"a\","
          + "\"capabilities\":{\"roots\":{\"listChanged\":\"yes\"}}}}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"a\","
          + "\"capabilities\":{\"roots\":\"x\"}}}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"a\","
          + "\"capabilities\":{\"elicitation\":{\"form\":{\"x\":1}}}}}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"a\","
          + "\"capabilities\":{\"tasks\":{}}}}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"a\","
          + "\"clientInfo\":{\"name\":{}}}}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"a\","
          + "\"clientInfo\":{\"name\":\"n\",\"icons\":[]}}}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"a\",\"_meta\":1}}"})
  @DisplayName("anything outside the recognized shape is left to the session")
  void otherLinesAreNotRecognized(String line) {
    assertThat(parse(line)).isNull();
  }

  @Test
  @DisplayName("invalid UTF-8 is not recognized")
  void invalidUtf8() {
    byte[] line = ("{\"jsonrpc\":\"2.0\",\"id\":\"\u00e9\",\"method\":\"initialize\"," + PARAMS + "}")
        .getBytes(StandardCharsets.UTF_8);
    byte[] broken = line.clone();
    for (int i = 0; i < broken.length; i++) {
      if (broken[i] == (byte) 0xC3) {
        broken[i + 1] = (byte) 0x28;
      }
    }
    assertThat(InitializeLine.parse(line)).isNotNull();
    assertThat(InitializeLine.parse(broken)).isNull();
  }

  @Test
  @DisplayName("the answer negotiates the version as the SDK does and renders the handshake")
  void answer() throws Exception {
    Handshake h = new Handshake("n\"", "1", null, "{\"tools\":{}}");
    String known = new String(InitializeLine.answer(new InitializeLine.Request(3, "2024-11-05"), h,
        Handshake.PROTOCOL_VERSIONS), StandardCharsets.UTF_8);
    assertThat(known).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{\"protocolVersion\":\"2024-11-05\","
        + "\"capabilities\":{\"tools\":{}},\"serverInfo\":{\"name\":\"n\\\"\",\"version\":\"1\"}}}");
    String unknown = new String(InitializeLine.answer(new InitializeLine.Request("a", "2099-01-01"), h,
        Handshake.PROTOCOL_VERSIONS), StandardCharsets.UTF_8);
    assertThat(JSON.readTree(unknown).at("/result/protocolVersion").asText()).isEqualTo("2025-11-25");
    assertThat(JSON.readTree(unknown).path("id").asText()).isEqualTo("a");
  }
}
