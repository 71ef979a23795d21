package dev.orch.mcp.internal.stdio;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orch.mcp.internal.stdio.InboundDecoder.Answer;
import dev.orch.mcp.internal.stdio.InboundDecoder.Blank;
import dev.orch.mcp.internal.stdio.InboundDecoder.Decoded;
import dev.orch.mcp.internal.stdio.InboundDecoder.Dropped;
import dev.orch.mcp.internal.stdio.InboundDecoder.Message;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCNotification;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCRequest;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("Every input line becomes a message, an error answer, or a logged drop; the decoder never throws")
class InboundDecoderTest {
  private final InboundDecoder decoder = new InboundDecoder(new ObjectMapper());

  private Decoded decode(String line) {
    return decoder.decode(line.getBytes(StandardCharsets.UTF_8));
  }

  @ParameterizedTest(name = "{0} -> {1}, id {2}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "not json|-32700|null",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"} x|-32700|null",
      "{\"jsonrpc\":\"2.0\",|-32700|null",
      "[]|-32600|null",
      "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]|-32600|null",
      "`\"s\"`|-32600|null",
      "42|-32600|null",
      "null|-32600|null",
      "{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"ping\"}|-32600|null",
      "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}|-32600|null",
      "{\"jsonrpc\":\"2.0\",\"id\":1e400,\"method\":\"ping\"}|-32600|null",
      "{\"jsonrpc\":\"2.0\",\"id\":{\"a\":1},\"method\":\"ping\"}|-32600|null",
      "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}|-32600|null",
      "{\"jsonrpc\":\"2.0\",\"id\":[1],\"method\":\"ping\"}|-32600|null",
      "{\"jsonrpc\":\"2.0\",\"id\":9223372036854775808,\"method\":\"ping\"}|-32600|null",
      "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":{}}|-32600|7",
      "{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":null}|-32600|\"x\"",
      "{\"jsonrpc\":\"2.1\",\"id\":8,\"method\":\"ping\"}|-32600|8",
      "{\"id\":9,\"method\":\"ping\"}|-32600|9",
      "{\"jsonrpc\":2.0,\"id\":10,\"method\":\"ping\"}|-32600|10",
      "{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":\"ping\",\"params\":[1]}|-32602|11",
      "{\"jsonrpc\":\"2.0\",\"id\":12,\"method\":\"ping\",\"params\":\"p\"}|-32600|12",
      "{\"jsonrpc\":\"2.0\",\"id\":13}|-32600|13",
      "{\"jsonrpc\":\"2.0\"}|-32600|null",
      "{\"jsonrpc\":\"2.0\",\"method\":5}|-32600|null"})
  @DisplayName("an undecodable line gets the JSON-RPC error with the id echoed only when it is a string or a long")
  void answers(String line, int code, String id) {
    Decoded d = decode(line);
    assertThat(d).as(line).isInstanceOf(Answer.class);
    Answer a = (Answer) d;
    assertThat(a.response().path("jsonrpc").asText()).isEqualTo("2.0");
    assertThat(a.response().has("id")).isTrue();
    assertThat(a.response().get("id").toString()).isEqualTo(id);
    assertThat(a.response().at("/error/code").asInt()).isEqualTo(code);
    assertThat(a.response().at("/error/message").asText()).isNotBlank();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "{\"jsonrpc\":\"2.0\",\"id\":5,\"error\":\"boom\"}",
      "{\"jsonrpc\":\"2.0\",\"id\":6,\"error\":{\"code\":\"x\",\"message\":\"boom\"}}",
      "{\"jsonrpc\":\"2.0\",\"id\":6,\"error\":{\"code\":1.5,\"message\":\"boom\"}}",
      "{\"jsonrpc\":\"2.0\",\"id\":6,\"error\":{\"code\":1,\"message\":7}}",
      "{\"jsonrpc\":\"2.0\",\"id\":6,\"error\":{\"code\":1}}",
      "{\"jsonrpc\":\"2.0\",\"id\":6,\"error\":null}",
      "{\"jsonrpc\":\"2.0\",\"id\":6,\"result\":{},\"error\":{\"code\":1,\"message\":\"m\"}}",
      "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"Parse error\"}}",
      "{\"jsonrpc\":\"2.0\",\"id\":true,\"result\":{}}",
      "{\"jsonrpc\":\"1.0\",\"id\":1,\"result\":{}}",
      "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/x\",\"params\":[1]}"})
  @DisplayName("a malformed response (or notification) from the client is dropped, never answered")
  void drops(String line) {
    assertThat(decode(line)).as(line).isInstanceOf(Dropped.class);
  }

  @Test
  @DisplayName("valid requests, notifications and responses pass with the SDK's id and params types")
  void messages() {
    Message request = (Message) decode("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":"
        + "{\"name\":\"get_run\",\"arguments\":{\"run_id\":\"r\"}}}");
    JSONRPCRequest r = (JSONRPCRequest) request.message();
    assertThat(r.id()).isEqualTo(3);
    assertThat(r.method()).isEqualTo("tools/call");
    assertThat(r.params()).isEqualTo(Map.of("name", "get_run", "arguments", Map.of("run_id", "r")));

    assertThat(((JSONRPCRequest) ((Message) decode("{\"jsonrpc\":\"2.0\",\"id\":4294967296,\"method\":\"ping\"}"))
        .message()).id()).isEqualTo(4294967296L);
    assertThat(((JSONRPCRequest) ((Message) decode("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"ping\","
        + "\"params\":null}")).message()).params()).isNull();

    JSONRPCNotification n = (JSONRPCNotification) ((Message) decode(
        "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}")).message();
    assertThat(n.method()).isEqualTo("notifications/initialized");

    JSONRPCResponse ok = (JSONRPCResponse) ((Message) decode("{\"jsonrpc\":\"2.0\",\"id\":\"s-1\",\"result\":{}}"))
        .message();
    assertThat(ok.id()).isEqualTo("s-1");
    assertThat(ok.error()).isNull();
    JSONRPCResponse err = (JSONRPCResponse) ((Message) decode("{\"jsonrpc\":\"2.0\",\"id\":\"s-2\",\"error\":"
        + "{\"code\":-1,\"message\":\"declined\",\"data\":{\"k\":1}}}")).message();
    assertThat(err.error().code()).isEqualTo(-1);
    assertThat(err.error().message()).isEqualTo("declined");
    assertThat(err.error().data()).isEqualTo(Map.of("k", 1));
  }

  @Test
  @DisplayName("blank lines are skipped; invalid UTF-8 and nesting deeper than 1000 are parse errors")
  void blanksAndHostileInput() {
    assertThat(decode("")).isInstanceOf(Blank.class);
    assertThat(decode(" \t\r")).isInstanceOf(Blank.class);
    assertThat(decoder.decode(new byte[] {'"', (byte) 0xc3, (byte) 0x28, '"'})).isInstanceOf(Answer.class);
    Decoded deep = decode("[".repeat(5000) + "]".repeat(5000));
    assertThat(((Answer) deep).response().at("/error/code").asInt()).isEqualTo(-32700);
    assertThat(decoder.tooLong(16).response().at("/error/code").asInt()).isEqualTo(-32600);
  }
}
