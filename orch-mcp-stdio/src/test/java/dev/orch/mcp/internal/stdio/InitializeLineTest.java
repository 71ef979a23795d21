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
          + "\"capabilities\":{\"roots\":{},\"sampling\":{\"tools\":{}},\"experimental\":{\"a\":{\"a\":1,\"b\":2}},"
          + "\"elicitation\":{\"form\":{}}},\"_meta\":{\"progressToken\":1}}}",
      " {\t\"jsonrpc\" : \"2.0\" ,\r\"id\" : -0 , \"method\":\"initialize\",\"params\":{ \"protocolVersion\":\"v\","
          + "\"capabilities\":{ \"roots\" : { \"listChanged\" : false } , \"elicitation\":{ \"url\" : { } } },"
          + "\"clientInfo\":{\"name\":\"\u00e9t\u00e9 \ud83d\ude00\",\"title\":\"T\",\"websiteUrl\":\"https://x/y\"},"
          + "\"_meta\":{\"a\":[],\"b\":[1,-2.5e+3,0.0,true,false,null,\"s\",{\"c\":[{}]}],\"d\":1E9}} } "})
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
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"a\",\"_meta\":1}}",
      // outside the lexical subset (valid JSON the session accepts, answered when the server is up)
      "{\"jsonrpc\":\"2.0\",\"id\":\"a\\\"b\",\"method\":\"initialize\"," + PARAMS + "}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
          + "\"clientInfo\":{\"name\":\"\\u0074\"}}}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"\\u0070rotocolVersion\":\"v\"}}",
      // not JSON at all
      "{\"jsonrpc\":\"2.0\",\"id\":01,\"method\":\"initialize\"," + PARAMS + "}",
      "{\"jsonrpc\":\"2.0\",\"id\":-,\"method\":\"initialize\"," + PARAMS + "}",
      "{\"jsonrpc\":\"2.0\",\"id\":1x,\"method\":\"initialize\"," + PARAMS + "}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\"," + PARAMS + ",}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"v\",\"_meta\":{\"a\":[1,]}}}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"v\",\"_meta\":{\"a\":tru}}}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"v\",\"_meta\":{\"a\":truex}}}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"v\",\"_meta\":{\"a\":1.}}}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"v\",\"_meta\":{\"a\":.5}}}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"v\",\"_meta\":{\"a\":1e}}}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"v\",\"_meta\":{\"a\" 1}}}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"v\",\"_meta\":{1:1}}}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"v\",\"_meta\":{\"a\":'x'}}}",
      "\ufeff{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\"," + PARAMS + "}"})
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

  @Test
  @DisplayName("a control character inside a string, or nesting deeper than MAX_DEPTH, is not recognized")
  void controlCharactersAndDepth() {
    assertThat(parse("{\"jsonrpc\":\"2.0\",\"id\":\"a\tb\",\"method\":\"initialize\"," + PARAMS + "}")).isNull();
    String deep = "[".repeat(InitializeLine.MAX_DEPTH) + "]".repeat(InitializeLine.MAX_DEPTH);
    String shallow = "[".repeat(InitializeLine.MAX_DEPTH - 3) + "]".repeat(InitializeLine.MAX_DEPTH - 3);
    String line = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"v\","
        + "\"_meta\":{\"a\":%s}}}";
    assertThat(parse(line.formatted(shallow))).isNotNull();
    assertThat(parse(line.formatted(deep))).isNull();
  }

  @Test
  @DisplayName("every single-byte deletion or replacement of recognized lines that is still recognized decodes as an "
      + "initialize request the SDK binds (the recognizer never says yes where the session would say no)")
  void mutationsStayCertain() throws Exception {
    String[] lines = {
        "{\"jsonrpc\":\"2.0\",\"id\":12,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
            + "\"capabilities\":{\"roots\":{\"listChanged\":true},\"sampling\":{},\"elicitation\":{\"form\":{}}},"
            + "\"clientInfo\":{\"name\":\"t\u00e9\",\"version\":\"1\"}}}",
        "{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"v\","
            + "\"_meta\":{\"a\":[1,-2.5e+3,true,null,{\"b\":\"c\"}]}}}"};
    byte[] replacements = "{}[]\",:\\ -+.0159eEtrufalsn\t\u0001".getBytes(StandardCharsets.UTF_8);
    int recognized = 0;
    for (String text : lines) {
      byte[] line = text.getBytes(StandardCharsets.UTF_8);
      java.util.List<byte[]> variants = new java.util.ArrayList<>();
      for (int k = 0; k < line.length; k++) {
        byte[] deleted = new byte[line.length - 1];
        System.arraycopy(line, 0, deleted, 0, k);
        System.arraycopy(line, k + 1, deleted, k, line.length - k - 1);
        variants.add(deleted);
        for (byte r : replacements) {
          byte[] replaced = line.clone();
          replaced[k] = r;
          variants.add(replaced);
        }
      }
      for (byte[] variant : variants) {
        InitializeLine.Request r = InitializeLine.parse(variant);
        if (r == null) {
          continue;
        }
        recognized++;
        String shown = new String(variant, StandardCharsets.UTF_8);
        InboundDecoder.Decoded decoded = new InboundDecoder(JSON).decode(variant);
        assertThat(decoded).as(shown).isInstanceOf(InboundDecoder.Message.class);
        JSONRPCRequest request = (JSONRPCRequest) ((InboundDecoder.Message) decoded).message();
        assertThat(request.method()).as(shown).isEqualTo("initialize");
        assertThat(request.id()).as(shown).isEqualTo(r.id());
        McpSchema.InitializeRequest init = new JacksonMcpJsonMapper(JSON).convertValue(request.params(),
            new TypeRef<McpSchema.InitializeRequest>() {
            });
        assertThat(init.protocolVersion()).as(shown).isEqualTo(r.protocolVersion());
      }
    }
    assertThat(recognized).as("mutations still recognized (whitespace, digits, other letters in strings)")
        .isGreaterThan(100);
  }

  @Test
  @DisplayName("isNotification: a notification within the subset, nothing with an id or outside it")
  void notifications() {
    assertThat(InitializeLine.isNotification("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"
        .getBytes(StandardCharsets.UTF_8))).isTrue();
    assertThat(InitializeLine.isNotification(("{\"method\":\"notifications/progress\",\"params\":{\"progress\":0.5,"
        + "\"total\":[1,null]},\"jsonrpc\":\"2.0\"}").getBytes(StandardCharsets.UTF_8))).isTrue();
    for (String no : new String[] {
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}",
        "{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"id\":null}",
        "{\"jsonrpc\":\"2.0\"}",
        "{\"jsonrpc\":\"1.0\",\"method\":\"x\"}",
        "{\"jsonrpc\":\"2.0\",\"method\":5}",
        "{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":{\"a\":\"\\n\"}}",
        "{\"jsonrpc\":\"2.0\",\"method\":\"x\"",
        "[{\"jsonrpc\":\"2.0\",\"method\":\"x\"}]",
        "not json"}) {
      assertThat(InitializeLine.isNotification(no.getBytes(StandardCharsets.UTF_8))).as(no).isFalse();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"orch", "q\"uote \\ back/slash", "ctl \b\t\n\f\r \u0000\u0001\u001f\u007f",
      "\u00e9t\u00e9 \u2028 \ud83d\ude00 \uffff", "unpaired \ud800 \udfff."})
  @DisplayName("the answer renders every handshake string and id exactly as the transport's Jackson writer does")
  void answerEscapesAsJackson(String text) throws Exception {
    Handshake h = new Handshake(text, text, text, "{\"tools\":{}}");
    for (Object id : new Object[] {1, 1L << 40, -5, text}) {
      byte[] ours = InitializeLine.answer(new InitializeLine.Request(id, "2025-06-18"), h, Handshake.PROTOCOL_VERSIONS);
      com.fasterxml.jackson.databind.node.ObjectNode expected = JSON.createObjectNode();
      expected.put("jsonrpc", "2.0");
      if (id instanceof Number n) {
        expected.put("id", n.longValue());
      } else {
        expected.put("id", (String) id);
      }
      com.fasterxml.jackson.databind.node.ObjectNode result = expected.putObject("result");
      result.put("protocolVersion", "2025-06-18");
      result.set("capabilities", JSON.readTree("{\"tools\":{}}"));
      result.putObject("serverInfo").put("name", text).put("version", text);
      result.put("instructions", text);
      assertThat(new String(ours, StandardCharsets.UTF_8))
          .isEqualTo(new String(JSON.writer().writeValueAsBytes(expected), StandardCharsets.UTF_8));
    }
  }
}
