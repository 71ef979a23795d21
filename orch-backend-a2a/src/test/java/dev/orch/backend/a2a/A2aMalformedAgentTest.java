package dev.orch.backend.a2a;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import dev.orch.core.RunEvent;
import dev.orch.core.testing.LoopbackHttpServer;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Broken agents that no real SDK produces, served by a JDK HttpServer on 127.0.0.1. */
@DisplayName("remote_a2a backend against broken agents")
class A2aMalformedAgentTest extends A2aTestBase {
  LoopbackHttpServer server;
  String base;

  @BeforeEach
  void startServer() throws IOException {
    server = LoopbackHttpServer.start("broken-a2a-agent");
    base = server.baseUrl();
    server.handle("/garbage/", ex -> send(ex, 200, "application/json", "this is not an agent card"));
    card("/sse-garbage", true);
    server.handle("/sse-garbage/rpc", ex -> send(ex, 200, "text/event-stream", "data: {not json\n\n"));
    card("/http500", false);
    server.handle("/http500/rpc", ex -> send(ex, 500, "text/plain", "boom inside"));
    card("/bogus-result", false);
    server.handle("/bogus-result/rpc", ex -> send(ex, 200, "application/json",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"kind\":\"bogus\"}}"));
    card("/rpc-error", true);
    server.handle("/rpc-error/rpc", ex -> send(ex, 200, "application/json",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32603,\"message\":\"agent is broken\"}}"));
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  private void card(String prefix, boolean streaming) {
    String json = "{\"name\":\"Broken\",\"description\":\"d\",\"url\":\"" + base + prefix + "/rpc\",\"version\":\"1\","
        + "\"protocolVersion\":\"0.3.0\",\"preferredTransport\":\"JSONRPC\",\"capabilities\":{\"streaming\":"
        + streaming + "},\"defaultInputModes\":[\"text\"],\"defaultOutputModes\":[\"text\"],\"skills\":[]}";
    server.handle(prefix + "/.well-known/agent-card.json", ex -> send(ex, 200, "application/json", json));
  }

  private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
    try (ex) {
      ex.getRequestBody().readAllBytes();
      LoopbackHttpServer.respond(ex, status, type, body);
    }
  }

  private RunEvent.RunFailed failedRun(String agentUrl) {
    RunEvent t = run(spec("hello", config(agentUrl))).awaitSoleTerminal(WAIT, Duration.ofMillis(200));
    assertThat(t).isInstanceOf(RunEvent.RunFailed.class);
    return (RunEvent.RunFailed) t;
  }

  @Test
  @DisplayName("a card that is not JSON fails the run naming the card URL")
  void garbageCard() throws Exception {
    assertThat(failedRun(base + "/garbage/").message())
        .startsWith("could not load the agent card from " + base + "/garbage/.well-known/agent-card.json")
        .contains("malformed response");
  }

  @Test
  @DisplayName("a stream of unparsable events that ends without a task fails the run")
  void sseGarbage() throws Exception {
    assertThat(failedRun(base + "/sse-garbage/").message()).contains("answered without a task or message");
  }

  @Test
  @DisplayName("an HTTP 500 from message/send fails the run with the status and body")
  void http500() throws Exception {
    assertThat(failedRun(base + "/http500/").message()).contains("HTTP 500").contains("boom inside");
  }

  @Test
  @DisplayName("a JSON-RPC result of an unknown kind fails the run")
  void bogusResult() throws Exception {
    assertThat(failedRun(base + "/bogus-result/").message()).startsWith("the A2A agent at " + base);
  }

  @Test
  @DisplayName("a JSON-RPC error instead of an event stream fails the run with the agent's error message")
  void rpcErrorInsteadOfStream() throws Exception {
    assertThat(failedRun(base + "/rpc-error/").message()).contains("agent is broken");
  }
}
