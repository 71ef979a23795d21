package dev.orch.backend.a2a;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.orch.core.Role;
import dev.orch.core.RunEvent;
import dev.orch.core.RunId;
import dev.orch.core.SessionId;
import dev.orch.core.spi.Backend;
import dev.orch.core.spi.RunSpec;
import dev.orch.tck.RecordingSink;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broken agents that no real SDK produces, served by a JDK HttpServer on 127.0.0.1. */
@DisplayName("remote_a2a backend against broken agents")
class A2aMalformedAgentTest {
  @TempDir
  Path cwd;
  HttpServer server;
  Backend backend;
  String base;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    base = "http://127.0.0.1:" + server.getAddress().getPort();
    server.createContext("/garbage/", ex -> send(ex, 200, "application/json", "this is not an agent card"));
    card("/sse-garbage", true);
    server.createContext("/sse-garbage/rpc", ex -> send(ex, 200, "text/event-stream", "data: {not json\n\n"));
    card("/http500", false);
    server.createContext("/http500/rpc", ex -> send(ex, 500, "text/plain", "boom inside"));
    card("/bogus-result", false);
    server.createContext("/bogus-result/rpc", ex -> send(ex, 200, "application/json",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"kind\":\"bogus\"}}"));
    card("/rpc-error", true);
    server.createContext("/rpc-error/rpc", ex -> send(ex, 200, "application/json",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32603,\"message\":\"agent is broken\"}}"));
    server.start();
    backend = A2aBackendTest.newBackend(Map.of());
  }

  @AfterEach
  void stop() {
    backend.close();
    server.stop(0);
  }

  private void card(String prefix, boolean streaming) {
    String json = "{\"name\":\"Broken\",\"description\":\"d\",\"url\":\"" + base + prefix + "/rpc\",\"version\":\"1\","
        + "\"protocolVersion\":\"0.3.0\",\"preferredTransport\":\"JSONRPC\",\"capabilities\":{\"streaming\":"
        + streaming + "},\"defaultInputModes\":[\"text\"],\"defaultOutputModes\":[\"text\"],\"skills\":[]}";
    server.createContext(prefix + "/.well-known/agent-card.json", ex -> send(ex, 200, "application/json", json));
  }

  private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
    ex.getRequestBody().readAllBytes();
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }

  private RunEvent.RunFailed failedRun(String agentUrl) throws InterruptedException {
    RecordingSink sink = RecordingSink.withoutProcesses();
    RunSpec spec = new RunSpec(new RunId("run-" + UUID.randomUUID()), new SessionId("ses-1"), "a", Role.WORKER, cwd,
        "hello", null, null, null, A2aBackendTest.config(agentUrl), null, Map.of(), null);
    sink.attach(backend.start(spec, sink));
    RunEvent t = sink.awaitTerminal(A2aBackendTest.WAIT);
    Thread.sleep(200);
    assertThat(sink.terminals()).hasSize(1);
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
