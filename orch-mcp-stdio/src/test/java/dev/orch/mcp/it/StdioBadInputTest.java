package dev.orch.mcp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Lines that made the SDK's stdio transport stop reading for good (issue 9 item 1): each one gets its JSON-RPC 2.0
 * error answer (or, for a malformed response from the client, none), the request after it is answered, and stdin
 * EOF still ends the process. Every stdout line is checked to be one whole JSON-RPC message.
 */
@DisplayName("No input line makes the server deaf or keeps it alive after stdin EOF")
class StdioBadInputTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration ANSWER = Duration.ofSeconds(30);
  /** Expected code for lines that must get no answer at all (responses from the client). */
  private static final int NO_ANSWER = 0;

  @TempDir
  Path tmp;

  /** The lines of issue 9 item 1 (label, line, expected error code or {@link #NO_ANSWER}, expected id JSON). */
  static Stream<Arguments> issueLines() {
    return Stream.of(
        Arguments.of("id true", "{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"ping\"}", -32600, "null"),
        Arguments.of("id 1.5", "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}", -32600, "null"),
        Arguments.of("id 1e400", "{\"jsonrpc\":\"2.0\",\"id\":1e400,\"method\":\"ping\"}", -32600, "null"),
        Arguments.of("id object", "{\"jsonrpc\":\"2.0\",\"id\":{\"a\":1},\"method\":\"ping\"}", -32600, "null"),
        Arguments.of("id null", "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}", -32600, "null"),
        Arguments.of("response with error \"boom\"", "{\"jsonrpc\":\"2.0\",\"id\":5,\"error\":\"boom\"}", NO_ANSWER,
            null),
        Arguments.of("response with a string error code",
            "{\"jsonrpc\":\"2.0\",\"id\":6,\"error\":{\"code\":\"x\",\"message\":\"boom\"}}", NO_ANSWER, null),
        Arguments.of("method object", "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":{}}", -32600, "7"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("issueLines")
  @DisplayName("after initialize, a bad line is answered (or dropped), the next ping is answered, EOF ends the process")
  void badLineThenPingThenEof(String label, String line, int code, String id) throws Exception {
    RawServer server = new RawServer(tmp, Map.of());
    try {
      server.initialize();
      server.send(line);
      JsonNode pong = server.request("ping", JSON.createObjectNode(), ANSWER);
      assertThat(pong.get("result")).as("ping answer").isEqualTo(JSON.createObjectNode());
      List<String> lines = server.lines();
      if (code == NO_ANSWER) {
        assertThat(lines).as("initialize answer and pong only").hasSize(2);
      } else {
        assertThat(lines).as("initialize answer, error answer, pong").hasSize(3);
        JsonNode error = JSON.readTree(lines.get(1));
        assertThat(error.at("/error/code").asInt()).as("%s", error).isEqualTo(code);
        assertThat(error.get("id").toString()).as("%s", error).isEqualTo(id);
      }
      server.closeStdin();
      assertThat(server.process.waitFor(5, TimeUnit.SECONDS)).as("exited after EOF").isTrue();
      assertThat(server.process.exitValue()).isZero();
      assertAllJsonRpc(server);
    } finally {
      server.close();
    }
  }

  @Test
  @DisplayName("more bad lines in a row (not JSON, batches, wrong version, bad params, huge and deep values, stray "
      + "responses) are each answered in order and the server keeps serving until EOF")
  void manyBadLinesInARow() throws Exception {
    List<Object[]> cases = new ArrayList<>();
    cases.add(new Object[] {"this is not json", -32700, "null"});
    cases.add(new Object[] {"{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"ping\"} trailing", -32700, "null"});
    cases.add(new Object[] {new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xff, (byte) 0xfe, '"', '}'}, -32700,
        "null"});
    cases.add(new Object[] {"{\"a\":".repeat(5000), -32700, "null"});
    cases.add(new Object[] {"[]", -32600, "null"});
    cases.add(new Object[] {"[{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\"}]", -32600, "null"});
    cases.add(new Object[] {"\"just a string\"", -32600, "null"});
    cases.add(new Object[] {"42", -32600, "null"});
    cases.add(new Object[] {"null", -32600, "null"});
    cases.add(new Object[] {"{\"jsonrpc\":\"1.0\",\"id\":10,\"method\":\"ping\"}", -32600, "10"});
    cases.add(new Object[] {"{\"id\":11,\"method\":\"ping\"}", -32600, "11"});
    cases.add(new Object[] {"{\"jsonrpc\":\"2.0\",\"id\":12}", -32600, "12"});
    cases.add(new Object[] {"{\"jsonrpc\":\"2.0\",\"id\":\"s13\",\"method\":\"ping\",\"params\":\"x\"}", -32600,
        "\"s13\""});
    cases.add(new Object[] {"{\"jsonrpc\":\"2.0\",\"id\":14,\"method\":\"ping\",\"params\":[1]}", -32602, "14"});
    cases.add(new Object[] {"{\"jsonrpc\":\"2.0\",\"id\":123456789012345678901234567890,\"method\":\"ping\"}",
        -32600, "null"});
    cases.add(new Object[] {"{\"jsonrpc\":\"2.0\",\"id\":-3,\"method\":5}", -32600, "-3"});
    cases.add(new Object[] {"{\"jsonrpc\":\"2.0\",\"method\":5}", -32600, "null"});
    cases.add(new Object[] {"{\"jsonrpc\":\"2.0\",\"id\":15,\"method\":\"no/such/method\"}", -32601, "15"});
    cases.add(new Object[] {"{\"jsonrpc\":\"2.0\",\"id\":\"nobody\",\"result\":{}}", NO_ANSWER, null});
    cases.add(new Object[] {"{\"jsonrpc\":\"2.0\",\"id\":16,\"result\":{},\"error\":{\"code\":1,\"message\":\"m\"}}",
        NO_ANSWER, null});
    cases.add(new Object[] {"{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"Parse\"}}",
        NO_ANSWER, null});
    cases.add(new Object[] {"{\"jsonrpc\":\"2.0\",\"id\":17,\"error\":{\"code\":1.5,\"message\":\"m\"}}", NO_ANSWER,
        null});
    cases.add(new Object[] {"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/unknown\",\"params\":{}}", NO_ANSWER,
        null});
    cases.add(new Object[] {"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/x\",\"params\":[1]}", NO_ANSWER, null});
    cases.add(new Object[] {"   \t ", NO_ANSWER, null});
    cases.add(new Object[] {"{\"jsonrpc\":\"2.0\",\"id\":18,\"method\":\"ping\",\"params\":{\"pad\":\""
        + "x".repeat(17 * 1024 * 1024) + "\"}}", -32600, "null"});

    RawServer server = new RawServer(tmp, Map.of());
    try {
      server.initialize();
      int seen = server.lines().size();
      for (Object[] c : cases) {
        byte[] bytes = c[0] instanceof byte[] b ? b : ((String) c[0]).getBytes(StandardCharsets.UTF_8);
        byte[] line = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, line, 0, bytes.length);
        line[bytes.length] = '\n';
        server.sendBytes(line);
        JsonNode pong = server.request("ping", JSON.createObjectNode(), ANSWER);
        String label = c[0] instanceof String s && s.length() < 200 ? s : "(" + bytes.length + " bytes)";
        assertThat(pong.has("result")).as("ping after %s: %s", label, pong).isTrue();
        List<String> lines = server.lines();
        List<String> answers = lines.subList(seen, lines.size() - 1);
        seen = lines.size();
        int code = (int) c[1];
        if (code == NO_ANSWER) {
          assertThat(answers).as("answers to %s", label).isEmpty();
        } else {
          assertThat(answers).as("answers to %s", label).hasSize(1);
          JsonNode error = JSON.readTree(answers.get(0));
          assertThat(error.at("/error/code").asInt()).as("%s -> %s", label, error).isEqualTo(code);
          assertThat(error.get("id").toString()).as("%s -> %s", label, error).isEqualTo(c[2]);
          assertThat(error.at("/error/message").asText()).as("%s -> %s", label, error).isNotBlank()
              .doesNotContain("Exception").doesNotContain("java.").doesNotContain("io.modelcontextprotocol");
        }
      }
      server.closeStdin();
      assertThat(server.process.waitFor(5, TimeUnit.SECONDS)).as("exited after EOF").isTrue();
      assertThat(server.process.exitValue()).isZero();
      assertAllJsonRpc(server);
    } finally {
      server.close();
    }
  }

  @Test
  @DisplayName("stdin EOF in the middle of a line still ends the process")
  void eofInsideALine() throws Exception {
    RawServer server = new RawServer(tmp, Map.of());
    try {
      server.initialize();
      server.sendBytes("{\"jsonrpc\":\"2.0\",\"id\":99,\"meth".getBytes(StandardCharsets.UTF_8));
      server.closeStdin();
      assertThat(server.process.waitFor(5, TimeUnit.SECONDS)).as("exited after EOF").isTrue();
      assertThat(server.process.exitValue()).isZero();
      assertAllJsonRpc(server);
    } finally {
      server.close();
    }
  }

  /** Every stdout byte belongs to a line that is one JSON-RPC 2.0 message, and stdout ends with a newline. */
  static void assertAllJsonRpc(RawServer server) throws Exception {
    byte[] raw = server.rawStdout();
    assertThat(raw).isNotEmpty();
    assertThat(raw[raw.length - 1]).as("stdout ends with a newline").isEqualTo((byte) '\n');
    for (String line : new String(raw, StandardCharsets.UTF_8).split("\n")) {
      JsonNode n = JSON.readTree(line);
      assertThat(n.path("jsonrpc").asText()).as("line %s", line).isEqualTo("2.0");
      assertThat(n.has("result") || n.has("error") || n.has("method")).as("line %s", line).isTrue();
    }
  }
}
