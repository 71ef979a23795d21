package dev.orch.mcp.internal.stdio;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpAsyncServer;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures.AsyncToolSpecification;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.ProgressNotification;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The transport under a real {@code McpAsyncServer} of the SDK, in process: the test plays the client on piped
 * streams. Covers what later features build on (server-initiated notifications and requests from any thread) and the
 * end of a session (EOF with answers still due, a client that stops reading).
 */
@DisplayName("The stdio transport carries an SDK server session: concurrent output, server requests, EOF, lost client")
class StdioTransportProviderTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final List<McpAsyncServer> servers = new ArrayList<>();

  @AfterEach
  void stop() {
    servers.forEach(McpAsyncServer::close);
    pool.shutdownNow();
  }

  /** The client's side of the pipes. */
  private final class Client {
    final PipedOutputStream toServer = new PipedOutputStream();
    final LinesOut fromServer = new LinesOut();
    final StdioTransportProvider transport;

    Client(List<AsyncToolSpecification> tools) throws IOException {
      this(tools, null);
    }

    Client(List<AsyncToolSpecification> tools, OutputStream out) throws IOException {
      PipedInputStream in = new PipedInputStream(toServer, 1 << 20);
      transport = new StdioTransportProvider(JSON, in, out == null ? fromServer : out, RequestGuard.NONE);
      servers.add(McpServer.async(transport)
          .serverInfo("test", "1")
          .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
          .jsonMapper(new JacksonMcpJsonMapper(JSON))
          .tools(tools)
          .build());
    }

    void send(String line) throws IOException {
      synchronized (toServer) {
        toServer.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        toServer.flush();
      }
    }

    void initialize() throws Exception {
      send("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
          + "\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}");
      assertThat(fromServer.next().at("/result/serverInfo/name").asText()).isEqualTo("test");
      send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
    }

    String call(long id, String tool, String arguments) {
      return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
          + "\",\"arguments\":" + arguments + ",\"_meta\":{\"progressToken\":\"t" + id + "\"}}}";
    }
  }

  private static AsyncToolSpecification tool(String name,
      java.util.function.BiFunction<io.modelcontextprotocol.server.McpAsyncServerExchange, McpSchema.CallToolRequest,
          Mono<CallToolResult>> handler) {
    return new AsyncToolSpecification(McpSchema.Tool.builder(name, Map.of("type", "object")).build(), handler);
  }

  private static CallToolResult text(String text) {
    return CallToolResult.builder().content(List.of(TextContent.builder(text).build())).isError(false).build();
  }

  @Test
  @DisplayName("64 threads released at once send 30 large progress notifications each while 200 pings are answered: "
      + "every line is one whole message and each thread's notifications keep their order")
  void concurrentNotificationsAndAnswers() throws Exception {
    int threads = 64;
    int each = 30;
    Client c = new Client(List.of(tool("burst", (exchange, request) -> Mono.fromCallable(() -> {
      CyclicBarrier start = new CyclicBarrier(threads);
      List<java.util.concurrent.Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        done.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < each; i++) {
            exchange.progressNotification(new ProgressNotification("burst", (double) (thread * 1000 + i), null,
                thread + ":" + i + ":" + "x".repeat(4000 + 37 * i), null)).block();
          }
          return null;
        }));
      }
      for (var f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
      return text("done");
    }).subscribeOn(Schedulers.boundedElastic()))));
    c.initialize();
    c.send(c.call(1, "burst", "{}"));
    for (int i = 0; i < 200; i++) {
      c.send("{\"jsonrpc\":\"2.0\",\"id\":" + (100 + i) + ",\"method\":\"ping\"}");
    }
    Map<Integer, Integer> nextOf = new HashMap<>();
    int pings = 0;
    boolean result = false;
    int notifications = 0;
    while (!(result && pings == 200 && notifications == threads * each)) {
      JsonNode m = c.fromServer.next();
      if ("notifications/progress".equals(m.path("method").asText())) {
        String[] parts = m.at("/params/message").asText().split(":", 3);
        int thread = Integer.parseInt(parts[0]);
        int seq = Integer.parseInt(parts[1]);
        assertThat(seq).as("order of thread %d", thread).isEqualTo(nextOf.getOrDefault(thread, 0));
        assertThat(parts[2]).isEqualTo("x".repeat(4000 + 37 * seq));
        nextOf.put(thread, seq + 1);
        notifications++;
      } else if (m.path("id").asInt() == 1) {
        assertThat(m.at("/result/content/0/text").asText()).isEqualTo("done");
        result = true;
      } else {
        assertThat(m.path("id").asInt()).isBetween(100, 299);
        assertThat(m.get("result")).isEqualTo(JSON.createObjectNode());
        pings++;
      }
    }
    assertThat(c.fromServer.torn).as("lines that were not one JSON message").isZero();
  }

  @Test
  @DisplayName("a tool can ask the client (server-to-client request) and gets the client's answer back")
  void serverToClientRequest() throws Exception {
    Client c = new Client(List.of(tool("ask", (exchange, request) -> exchange.ping()
        .map(pong -> text("client answered")))));
    c.initialize();
    c.send(c.call(7, "ask", "{}"));
    JsonNode ping = c.fromServer.next();
    assertThat(ping.path("method").asText()).isEqualTo("ping");
    assertThat(ping.get("id").isTextual()).isTrue();
    // a malformed answer first: dropped, the server keeps waiting for the real one
    c.send("{\"jsonrpc\":\"2.0\",\"id\":" + ping.get("id") + ",\"error\":\"boom\"}");
    c.send("{\"jsonrpc\":\"2.0\",\"id\":" + ping.get("id") + ",\"result\":{}}");
    JsonNode answer = c.fromServer.next();
    assertThat(answer.path("id").asInt()).isEqualTo(7);
    assertThat(answer.at("/result/content/0/text").asText()).isEqualTo("client answered");
  }

  @Test
  @DisplayName("at stdin EOF the input ends at once and the answer to a request sent just before is still written")
  void eofWithAnswerDue() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Client c = new Client(List.of(tool("slow", (exchange, request) -> Mono.fromCallable(() -> {
      release.await(30, TimeUnit.SECONDS);
      return text("late but here");
    }).subscribeOn(Schedulers.boundedElastic()))));
    c.initialize();
    c.send(c.call(9, "slow", "{}"));
    c.toServer.close();
    assertThat(c.transport.awaitInputEnd(10_000)).isTrue();
    assertThat(c.transport.endReason()).isEqualTo("stdin EOF");
    assertThat(c.transport.awaitAnswers(200)).as("the slow call is still due").isFalse();
    assertThat(c.transport.unansweredRequests()).isPositive();
    release.countDown();
    assertThat(c.transport.awaitAnswers(10_000)).isTrue();
    assertThat(c.fromServer.next().at("/result/content/0/text").asText()).isEqualTo("late but here");
  }

  @Test
  @DisplayName("a client that stops reading (stdout write fails) ends the session instead of a spinning server")
  void lostClient() throws Exception {
    OutputStream gone = new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        throw new IOException("Broken pipe");
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        throw new IOException("Broken pipe");
      }
    };
    Client c = new Client(List.of(), gone);
    c.send("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
        + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}");
    assertThat(c.transport.awaitInputEnd(10_000)).isTrue();
    assertThat(c.transport.endReason()).isEqualTo("stdout write failed");
    assertThat(c.transport.awaitAnswers(0)).as("no answer can be due any more").isTrue();
    Mono<Void> late = c.transport.notifyClients("notifications/message", Map.of("level", "info"));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> late.block(Duration.ofSeconds(5)))
        .hasMessageContaining("closed");
  }

  /** Collects the server's output lines as JSON (counting lines that are not one JSON object). */
  static final class LinesOut extends OutputStream {
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final BlockingQueue<JsonNode> lines = new LinkedBlockingQueue<>();
    volatile int torn;

    @Override
    public synchronized void write(int b) {
      if (b == '\n') {
        try {
          JsonNode n = JSON.readTree(line.toByteArray());
          if (n == null || !n.isObject()) {
            torn++;
          } else {
            lines.add(n);
          }
        } catch (IOException e) {
          torn++;
        }
        line.reset();
      } else {
        line.write(b);
      }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      for (int i = off; i < off + len; i++) {
        write(b[i]);
      }
    }

    JsonNode next() throws InterruptedException {
      JsonNode n = lines.poll(60, TimeUnit.SECONDS);
      assertThat(n).as("a message from the server within 60 s").isNotNull();
      return n;
    }
  }

}
