package dev.orch.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orch.core.Orchestrator;
import dev.orch.mcp.internal.stdio.EarlyInput;
import dev.orch.mcp.internal.stdio.Handshake;
import io.modelcontextprotocol.spec.McpServerSession;
import io.modelcontextprotocol.spec.McpServerTransportProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;

/**
 * The server answers {@code initialize} from its {@link Handshake} before it is built (issue 8: start-up). These
 * tests run the real server in process, once with the early answer and once without (the embedders' path, where
 * only the SDK answers), and require byte-identical answers, exactly one answer per request, and a session that
 * works afterwards.
 */
@DisplayName("Early initialize: the answer written at start-up is the SDK's answer, byte for byte, and is written once")
class EarlyInitializeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CLIENT_INFO = "\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}";

  @TempDir
  Path home;
  private Orchestrator orchestrator;

  @BeforeEach
  void build() {
    orchestrator = Orchestrator.builder().environment(Map.of("NANOBOT_ORCHESTRATOR_HOME", home.toString())).build();
  }

  @AfterEach
  void close() {
    orchestrator.close();
  }

  /** One server on pipes; the test is the client. */
  private final class Session implements AutoCloseable {
    final PipedOutputStream toServer = new PipedOutputStream();
    final Lines fromServer = new Lines();
    final PipedInputStream in;
    OrchMcpServer server;

    Session() throws IOException {
      in = new PipedInputStream(toServer, 1 << 16);
    }

    void send(String line) throws IOException {
      toServer.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      toServer.flush();
    }

    @Override
    public void close() throws IOException {
      toServer.close();
      if (server != null) {
        server.close();
      }
    }
  }

  /** Collects the server's output lines. */
  private static final class Lines extends OutputStream {
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final ByteArrayOutputStream current = new ByteArrayOutputStream();

    @Override
    public synchronized void write(int b) {
      if (b == '\n') {
        lines.add(current.toString(StandardCharsets.UTF_8));
        current.reset();
      } else {
        current.write(b);
      }
    }

    String next() throws InterruptedException {
      String line = lines.poll(20, TimeUnit.SECONDS);
      assertThat(line).as("a line from the server within 20 s").isNotNull();
      return line;
    }

    String poll(long ms) throws InterruptedException {
      return lines.poll(ms, TimeUnit.MILLISECONDS);
    }
  }

  /** The SDK's answer alone (the embedders' {@link OrchMcpServer#start} has no early answer). */
  private String sdkAnswer(String initialize) throws Exception {
    try (Session s = new Session()) {
      s.server = OrchMcpServer.start(orchestrator, s.in, s.fromServer, 4);
      s.send(initialize);
      return s.fromServer.next();
    }
  }

  /**
   * The early path: the line is sent before the input starts (answered on the starting thread) or after (answered
   * on the reader thread); then the server is built, and a tools/list must be the next answer.
   */
  private String earlyAnswer(String initialize, boolean sentBeforeStart) throws Exception {
    try (Session s = new Session()) {
      if (sentBeforeStart) {
        s.send(initialize);
      }
      EarlyInput input = EarlyInput.start(s.in, s.fromServer, OrchMcpServer.HANDSHAKE);
      if (!sentBeforeStart) {
        s.send(initialize);
      }
      String early = s.fromServer.next();
      s.server = OrchMcpServer.start(orchestrator, input, 4);
      s.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
      s.send("{\"jsonrpc\":\"2.0\",\"id\":\"after\",\"method\":\"tools/list\"}");
      JsonNode next = JSON.readTree(s.fromServer.next());
      assertThat(next.path("id").asText()).as("the answer after the early one (no second initialize answer)")
          .isEqualTo("after");
      assertThat(next.at("/result/tools").size()).isGreaterThanOrEqualTo(10);
      assertThat(s.server.earlyAnswerDiffered()).isFalse();
      assertThat(s.fromServer.poll(200)).as("nothing more").isNull();
      return early;
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
          + "\"capabilities\":{}," + CLIENT_INFO + "}}",
      "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2024-11-05\","
          + "\"capabilities\":{\"roots\":{\"listChanged\":true},\"sampling\":{},\"elicitation\":{}}," + CLIENT_INFO
          + "}}",
      "{\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"1999-01-01\",\"capabilities\":{\"experimental\":"
          + "{\"x\":[1,{\"y\":null}]},\"elicitation\":{\"form\":{},\"url\":{}}},\"clientInfo\":{\"name\":\"c\","
          + "\"title\":\"C\",\"version\":\"2\",\"websiteUrl\":\"https://example.org\"},\"_meta\":{\"k\":1}},"
          + "\"id\":\"s-\u00e9/\u2028\u00ff\ud83d\ude00\",\"jsonrpc\":\"2.0\"}",
      "{\"jsonrpc\":\"2.0\",\"id\":-9223372036854775808,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
          + "\"2025-11-25\",\"capabilities\":{}," + CLIENT_INFO + "}}",
      "{\"jsonrpc\":\"2.0\",\"id\":4294967296,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
          + "\"2025-03-26\"}}"})
  @DisplayName("a valid initialize is answered early with exactly the SDK's bytes, on the starting thread or on the "
      + "reader thread")
  void sameBytes(String initialize) throws Exception {
    String sdk = sdkAnswer(initialize);
    assertThat(JSON.readTree(sdk).has("result")).as(sdk).isTrue();
    assertThat(earlyAnswer(initialize, true)).isEqualTo(sdk);
    assertThat(earlyAnswer(initialize, false)).isEqualTo(sdk);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      // refused by the SDK (capabilities must be an object): an error answer
      "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
          + "\"capabilities\":5}}",
      // accepted by the SDK, outside the early path's subset (an escape in a string): answered when the server is up
      "{\"jsonrpc\":\"2.0\",\"id\":\"s-\\u00e9\\\"\\\\\\n\",\"method\":\"initialize\",\"params\":{"
          + "\"protocolVersion\":\"2025-06-18\",\"capabilities\":{}," + CLIENT_INFO + "}}"})
  @DisplayName("an initialize the early path does not recognize is not answered early: the session answers it, once, "
      + "as without the early path")
  void unrecognizedLeftToTheSession(String line) throws Exception {
    String sdk = sdkAnswer(line);
    try (Session s = new Session()) {
      s.send(line);
      EarlyInput input = EarlyInput.start(s.in, s.fromServer, OrchMcpServer.HANDSHAKE);
      assertThat(s.fromServer.poll(300)).as("no early answer").isNull();
      s.server = OrchMcpServer.start(orchestrator, input, 4);
      String first = s.fromServer.next();
      if (JSON.readTree(sdk).has("error")) { // an incident id differs from one answer to the next
        assertThat(JSON.readTree(first).at("/error/code").asInt()).isEqualTo(JSON.readTree(sdk).at("/error/code")
            .asInt()).isEqualTo(-32603);
      } else {
        assertThat(first).isEqualTo(sdk);
      }
      s.send("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
          + "\"capabilities\":{}," + CLIENT_INFO + "}}");
      assertThat(JSON.readTree(s.fromServer.next()).path("id").asInt()).isEqualTo(8);
      assertThat(s.fromServer.poll(200)).as("nothing more").isNull();
    }
  }

  @Test
  @DisplayName("stdin ending during start-up: the hook runs when only the early-answered initialize and notifications "
      + "came, not when a request is owed, nothing came, or the transport has taken over")
  void endDuringStartUp() throws Exception {
    String init = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
        + "\"2025-06-18\",\"capabilities\":{}," + CLIENT_INFO + "}}";
    String notification = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";
    assertThat(hookRan(List.of(init, notification, ""), false)).isTrue();
    assertThat(hookRan(List.of(init, notification, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}"),
        false)).isFalse();
    assertThat(hookRan(List.of(init, "not json"), false)).isFalse();
    assertThat(hookRan(List.of("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\"}"), false)).isFalse();
    assertThat(hookRan(List.of(init), true)).isFalse();
    assertThat(hookRan(List.of(), false)).as("no line at all: the start goes on (and reports bad settings)").isFalse();
  }

  /** Sends the lines, then EOF (after a hand-over when asked); @return whether the hook ran within 2 s. */
  private boolean hookRan(List<String> lines, boolean handOverFirst) throws Exception {
    try (Session s = new Session()) {
      java.util.concurrent.CountDownLatch ran = new java.util.concurrent.CountDownLatch(1);
      EarlyInput input = EarlyInput.start(s.in, s.fromServer, OrchMcpServer.HANDSHAKE, ran::countDown);
      for (String line : lines) {
        s.send(line);
      }
      s.fromServer.poll(500); // the early answer, when the first line gets one
      if (handOverFirst) {
        input.handOver();
      }
      s.toServer.close();
      return ran.await(2, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("the protocol versions of the early answer are the SDK transport's default list")
  void protocolVersionsAreTheSdks() {
    McpServerTransportProvider sdkDefault = new McpServerTransportProvider() {
      @Override
      public void setSessionFactory(McpServerSession.Factory sessionFactory) {
      }

      @Override
      public Mono<Void> notifyClients(String method, Object params) {
        return Mono.empty();
      }

      @Override
      public Mono<Void> closeGracefully() {
        return Mono.empty();
      }
    };
    assertThat(Handshake.PROTOCOL_VERSIONS).isEqualTo(sdkDefault.protocolVersions());
  }
}
