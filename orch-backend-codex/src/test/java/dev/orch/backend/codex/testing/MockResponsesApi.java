package dev.orch.backend.codex.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.orch.core.testing.LoopbackHttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scripted OpenAI Responses API for the real Codex CLI (REAL-PEERS "Codex against a mock Responses API"): a JDK
 * {@link HttpServer} on 127.0.0.1 (any free port) serving {@code POST /v1/responses} as {@code text/event-stream}.
 * The answer is chosen by a keyword in the latest {@code role:"user"} text of the request:
 * <ul>
 *   <li>{@link #SHELL}: a {@code function_call exec_command} running {@value #SHELL_COMMAND}; after codex posts the
 *       {@code function_call_output}, the final message {@value #SHELL_DONE}.</li>
 *   <li>{@link #BIG_SHELL}: the same, but the command creates {@code big.txt} and prints {@value #BIG_LINES} lines
 *       (about 52 KB) so that the output spills into artifacts.</li>
 *   <li>{@link #HTTP_500}: HTTP 500 (codex fails the turn: {@code turn.failed}).</li>
 *   <li>{@link #SLOW}: opens the stream and holds it (up to {@value #SLOW_HOLD_SECONDS} s or until {@link #close()}),
 *       for cancel and watchdog tests.</li>
 *   <li>{@link #GATED}: a multi-step turn whose last step waits for the test: a {@code function_call} running
 *       {@value #GATED_COMMAND}; after codex posts its output, the stream opens and waits until {@link #openGate()}
 *       (counted by {@link #gatedWaiting()}), then answers {@value #GATED_DONE}. For re-attachment tests: the server
 *       can be killed while codex is in the middle of the turn.</li>
 *   <li>a keyword registered with {@link #script(String, String)}: that final text.</li>
 *   <li>a request with an output schema ({@code text.format.type = json_schema}): {@value #SCHEMA_ANSWER}.</li>
 *   <li>anything else: {@value #PLAIN_ANSWER}.</li>
 * </ul>
 * Every request body is recorded ({@link #requests()}). Thread-safe. {@link #close()} stops at once, also while a
 * slow stream is open.
 */
public final class MockResponsesApi implements AutoCloseable {
  /** Keyword: run a shell command, then answer. */
  public static final String SHELL = "MOCK_SHELL";
  /** Keyword: run a shell command with a large output, then answer. */
  public static final String BIG_SHELL = "MOCK_BIG_SHELL";
  /** Keyword: answer HTTP 500. */
  public static final String HTTP_500 = "MOCK_HTTP_500";
  /** Keyword: hold the stream open. */
  public static final String SLOW = "MOCK_SLOW";
  /** Keyword: a shell step, then a final answer that waits for {@link #openGate()}. */
  public static final String GATED = "MOCK_GATED";
  /** The command of the {@link #GATED} scenario's first step. */
  public static final String GATED_COMMAND = "echo step-one";
  /** The final text of the {@link #GATED} scenario. */
  public static final String GATED_DONE = "Gated answer after the pause.";
  /** The default answer. */
  public static final String PLAIN_ANSWER = "Hello from mock model.";
  /** The answer when an output schema is requested. */
  public static final String SCHEMA_ANSWER = "{\"answer\": \"42\", \"ok\": true}";
  /** The command of the {@link #SHELL} scenario: creates {@code out.txt} and prints the child's PEER_NAME. */
  public static final String SHELL_COMMAND = "echo hi > out.txt; echo \"peer=$PEER_NAME\"";
  /** Lines printed by the {@link #BIG_SHELL} command. */
  public static final int BIG_LINES = 1000;
  /** The final text after a shell call. */
  public static final String SHELL_DONE = "Done: ran the command.";
  /** Longest hold of the {@link #SLOW} scenario, in seconds. */
  public static final int SLOW_HOLD_SECONDS = 120;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final LoopbackHttpServer http;
  private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
  private final Map<String, String> scripts = new ConcurrentHashMap<>();
  private final Map<String, String> commands = new ConcurrentHashMap<>();
  private final CountDownLatch closing = new CountDownLatch(1);
  private final CountDownLatch gate = new CountDownLatch(1);
  private final AtomicInteger gatedWaiting = new AtomicInteger();
  private final AtomicInteger slowStreamsOpen = new AtomicInteger();
  private final AtomicInteger ids = new AtomicInteger();

  private MockResponsesApi(LoopbackHttpServer http) {
    this.http = http;
  }

  /**
   * Starts a server on 127.0.0.1 on a free port.
   *
   * @return the running server; close it
   * @throws IOException when the port cannot be bound
   */
  public static MockResponsesApi start() throws IOException {
    LoopbackHttpServer http = LoopbackHttpServer.start("mock-responses-api");
    MockResponsesApi api = new MockResponsesApi(http);
    http.handle("/", api::handle);
    return api;
  }

  /** @return the bound port */
  public int port() {
    return http.port();
  }

  /** @return the provider base URL, {@code http://127.0.0.1:<port>/v1} */
  public String baseUrl() {
    return http.baseUrl() + "/v1";
  }

  /** @return every {@code POST /v1/responses} body received so far, oldest first */
  public List<JsonNode> requests() {
    return List.copyOf(requests);
  }

  /** @return how many slow streams are currently held open */
  public int slowStreamsOpen() {
    return slowStreamsOpen.get();
  }

  /** @return how many {@link #GATED} final answers are waiting for {@link #openGate()} right now */
  public int gatedWaiting() {
    return gatedWaiting.get();
  }

  /** Lets every waiting (and later) {@link #GATED} final answer go. */
  public void openGate() {
    gate.countDown();
  }

  /**
   * Registers a plain answer for a keyword (checked before the built-in scenarios).
   *
   * @param keyword text to look for in the latest user text
   * @param finalText the assistant's answer
   * @return this
   */
  public MockResponsesApi script(String keyword, String finalText) {
    scripts.put(keyword, finalText);
    return this;
  }

  /**
   * Registers a shell command for a keyword: codex gets a {@code function_call exec_command} running it (waiting up
   * to 30 s for its end), then (after the tool output) the final text {@value #SHELL_DONE}. Checked after
   * {@link #script} keywords.
   *
   * @param keyword text to look for in the latest user text
   * @param command the shell command
   * @return this
   */
  public MockResponsesApi scriptCommand(String keyword, String command) {
    commands.put(keyword, command);
    return this;
  }

  /**
   * @param request a recorded request body
   * @return the text of the last {@code role:"user"} message of its input (input_text parts joined), or ""
   */
  public static String latestUserText(JsonNode request) {
    String text = "";
    for (JsonNode item : request.path("input")) {
      if ("user".equals(item.path("role").asText())) {
        StringBuilder sb = new StringBuilder();
        JsonNode content = item.path("content");
        if (content.isTextual()) {
          sb.append(content.asText());
        }
        for (JsonNode part : content) {
          sb.append(part.path("text").asText(""));
        }
        text = sb.toString();
      }
    }
    return text;
  }

  /**
   * @param request a recorded request body
   * @return every user text of the request's input, oldest first
   */
  public static List<String> userTexts(JsonNode request) {
    return java.util.stream.StreamSupport.stream(request.path("input").spliterator(), false)
        .filter(i -> "user".equals(i.path("role").asText()))
        .map(i -> {
          StringBuilder sb = new StringBuilder();
          i.path("content").forEach(p -> sb.append(p.path("text").asText("")));
          return sb.toString();
        }).toList();
  }

  private static boolean hasToolOutputAfterLastUser(JsonNode request) {
    boolean seen = false;
    for (JsonNode item : request.path("input")) {
      if ("user".equals(item.path("role").asText())) {
        seen = false;
      } else if ("function_call_output".equals(item.path("type").asText())) {
        seen = true;
      }
    }
    return seen;
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      if (!"POST".equals(ex.getRequestMethod()) || !ex.getRequestURI().getPath().endsWith("/responses")) {
        ex.sendResponseHeaders(404, -1);
        return;
      }
      JsonNode body = JSON.readTree(ex.getRequestBody().readAllBytes());
      requests.add(body);
      String user = latestUserText(body);
      if (user.contains(HTTP_500)) {
        LoopbackHttpServer.respond(ex, 500, "application/json",
            "{\"error\":{\"message\":\"mock internal error\",\"type\":\"server_error\"}}");
        return;
      }
      OutputStream out = LoopbackHttpServer.beginEventStream(ex);
      String id = "resp_" + ids.incrementAndGet();
      send(out, Map.of("type", "response.created", "response", Map.of("id", id)));
      if (user.contains(SLOW)) {
        holdOpen();
        return;
      }
      if (user.contains(GATED) && hasToolOutputAfterLastUser(body)) {
        awaitGate();
      }
      ObjectNode item = answer(body, user);
      send(out, Map.of("type", "response.output_item.done", "item", item));
      send(out, Map.of("type", "response.completed", "response", Map.of("id", id, "usage", Map.of(
          "input_tokens", 120, "input_tokens_details", Map.of("cached_tokens", 20), "output_tokens", 12,
          "output_tokens_details", Map.of("reasoning_tokens", 3), "total_tokens", 132))));
    } catch (IOException | RuntimeException e) {
      // the client went away (cancel, kill): nothing to answer
    }
  }

  private void holdOpen() {
    slowStreamsOpen.incrementAndGet();
    try {
      closing.await(SLOW_HOLD_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      slowStreamsOpen.decrementAndGet();
    }
  }

  private void awaitGate() {
    gatedWaiting.incrementAndGet();
    try {
      while (gate.getCount() > 0 && closing.getCount() > 0) {
        gate.await(100, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      gatedWaiting.decrementAndGet();
    }
  }

  private ObjectNode answer(JsonNode body, String user) {
    boolean afterTool = hasToolOutputAfterLastUser(body);
    if (user.contains(GATED)) {
      return afterTool ? message(GATED_DONE) : functionCall(GATED_COMMAND);
    }
    for (Map.Entry<String, String> s : scripts.entrySet()) {
      if (user.contains(s.getKey())) {
        return message(s.getValue());
      }
    }
    for (Map.Entry<String, String> c : commands.entrySet()) {
      if (user.contains(c.getKey()) && !afterTool) {
        ObjectNode call = functionCall(c.getValue());
        // wait for the command's end (codex otherwise hands a slow command's partial output back after ~10 s)
        call.put("arguments", JSON.createObjectNode().put("cmd", c.getValue()).put("yield_time_ms", 30_000)
            .toString());
        return call;
      }
    }
    if (user.contains(BIG_SHELL) && !afterTool) {
      return functionCall("echo made > big.txt; for i in $(seq 1 " + BIG_LINES
          + "); do echo \"line $i xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"; done");
    }
    if (user.contains(SHELL) && !afterTool) {
      return functionCall(SHELL_COMMAND);
    }
    if (afterTool) {
      return message(SHELL_DONE);
    }
    if ("json_schema".equals(body.path("text").path("format").path("type").asText())) {
      return message(SCHEMA_ANSWER);
    }
    return message(PLAIN_ANSWER);
  }

  private static ObjectNode message(String text) {
    ObjectNode item = JsonNodeFactory.instance.objectNode();
    item.put("type", "message");
    item.put("role", "assistant");
    item.putArray("content").addObject().put("type", "output_text").put("text", text);
    return item;
  }

  private ObjectNode functionCall(String cmd) {
    ObjectNode item = JsonNodeFactory.instance.objectNode();
    item.put("type", "function_call");
    item.put("name", "exec_command");
    item.put("arguments", JSON.createObjectNode().put("cmd", cmd).toString());
    item.put("call_id", "call_" + ids.incrementAndGet());
    return item;
  }

  private static void send(OutputStream out, Object event) throws IOException {
    out.write(("data: " + JSON.writeValueAsString(event) + "\n\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  /** Stops the server at once, releasing held streams. Idempotent. */
  @Override
  public void close() {
    closing.countDown();
    http.close();
  }
}
