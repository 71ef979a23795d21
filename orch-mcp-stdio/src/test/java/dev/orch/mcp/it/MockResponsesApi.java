package dev.orch.mcp.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A mock OpenAI Responses API on 127.0.0.1 for the real codex CLI (REAL-PEERS "Codex against a mock Responses
 * API"). {@link Mode#ANSWER} streams one assistant message and completes; {@link Mode#STALL} keeps every request
 * open until {@link #close()}, so a run stays {@code running}.
 */
final class MockResponsesApi implements AutoCloseable {
  enum Mode { ANSWER, STALL }

  private final HttpServer server;
  private final CountDownLatch release = new CountDownLatch(1);
  private final AtomicInteger requests = new AtomicInteger();

  MockResponsesApi(Mode mode) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "mock-responses");
      t.setDaemon(true);
      return t;
    }));
    server.createContext("/", exchange -> handle(exchange, mode));
    server.start();
  }

  /** @return base URL for codex's {@code model_providers.mock.base_url} */
  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  /** @return how many model requests arrived */
  int requests() {
    return requests.get();
  }

  private void handle(HttpExchange ex, Mode mode) throws IOException {
    try (ex) {
      ex.getRequestBody().readAllBytes();
      if (!ex.getRequestURI().getPath().endsWith("/responses")) {
        ex.sendResponseHeaders(404, -1);
        return;
      }
      requests.incrementAndGet();
      ex.getResponseHeaders().add("Content-Type", "text/event-stream");
      ex.sendResponseHeaders(200, 0);
      OutputStream out = ex.getResponseBody();
      if (mode == Mode.STALL) {
        out.flush();
        release.await();
        return;
      }
      int n = requests.get();
      sse(out, "{\"type\":\"response.created\",\"response\":{\"id\":\"resp_" + n + "\"}}");
      sse(out, "{\"type\":\"response.output_item.done\",\"item\":{\"type\":\"message\",\"role\":\"assistant\","
          + "\"id\":\"msg_" + n + "\",\"content\":[{\"type\":\"output_text\",\"text\":\"Done.\"}]}}");
      sse(out, "{\"type\":\"response.completed\",\"response\":{\"id\":\"resp_" + n + "\",\"usage\":{"
          + "\"input_tokens\":10,\"input_tokens_details\":{\"cached_tokens\":0},\"output_tokens\":2,"
          + "\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":12}}}");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sse(OutputStream out, String json) throws IOException {
    out.write(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  @Override
  public void close() {
    release.countDown();
    server.stop(0);
  }
}
