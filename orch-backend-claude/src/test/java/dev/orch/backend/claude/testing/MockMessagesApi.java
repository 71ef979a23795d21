package dev.orch.backend.claude.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.orch.core.testing.LoopbackHttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scripted Anthropic Messages API on 127.0.0.1 for driving the real Claude Code CLI (REAL-PEERS "Claude Code
 * against a mock Messages API"): answers {@code HEAD /} with 200 and {@code POST /v1/messages} with an SSE stream
 * whose frames carry {@code event:} names (without them the CLI silently falls back to non-streaming).
 *
 * <p>The scenario is chosen from the {@code role:"user"} messages of the request only:
 * <ul>
 *   <li>last user message holds a {@code tool_result} → text {@value #DONE_TEXT}</li>
 *   <li>{@code FAIL500} → HTTP 500 {@code {"type":"error","error":{"type":"api_error","message":"mock internal
 *       error"}}}</li>
 *   <li>{@code SLOW} → {@code tick } text deltas every 200 ms for up to 60 s (for interrupts and cancels)</li>
 *   <li>{@code RUN_BASH create <file>} → text {@value #WILL_RUN_TEXT} and a {@code Bash} tool call
 *       {@code echo hi > <file>} (file defaults to {@code out.txt})</li>
 *   <li>the request offers the {@code StructuredOutput} tool → a call of it with
 *       {@code {"answer":"42","ok":true}}</li>
 *   <li>{@code RECALL} → {@code I remember: <first user text of the conversation>}</li>
 *   <li>anything else → {@value #HELLO_TEXT}</li>
 * </ul>
 * Every POST body is recorded for assertions. Thread-safe; {@link #close()} stops the server.
 */
public final class MockMessagesApi implements AutoCloseable {
  /** The default answer. */
  public static final String HELLO_TEXT = "Hello from mock model.";
  /** The text before the Bash tool call. */
  public static final String WILL_RUN_TEXT = "I will run the command.";
  /** The answer after a tool result. */
  public static final String DONE_TEXT = "Done: ran the command.";
  /** The API error message of the {@code FAIL500} scenario. */
  public static final String ERROR_MESSAGE = "mock internal error";

  private static final ObjectMapper JSON = new ObjectMapper();
  private final java.util.Map<String, String> commands = new java.util.concurrent.ConcurrentHashMap<>();
  private static final Pattern CREATE_FILE = Pattern.compile("RUN_BASH create (\\S+)");

  private final LoopbackHttpServer http;
  private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger ids = new AtomicInteger();

  private MockMessagesApi(LoopbackHttpServer http) {
    this.http = http;
  }

  /**
   * Starts the mock on an ephemeral port of 127.0.0.1.
   *
   * @return the running mock
   * @throws IOException when the port cannot be bound
   */
  public static MockMessagesApi start() throws IOException {
    LoopbackHttpServer http = LoopbackHttpServer.start("mock-messages-api");
    MockMessagesApi api = new MockMessagesApi(http);
    http.handle("/", api::handle);
    return api;
  }

  /** @return {@code http://127.0.0.1:<port>}, the value for {@code ANTHROPIC_BASE_URL} */
  public String baseUrl() {
    return http.baseUrl();
  }

  /** @return the JSON bodies of every {@code POST /v1/messages} so far, oldest first */
  public List<JsonNode> requests() {
    return List.copyOf(requests);
  }

  @Override
  public void close() {
    http.close();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      if ("HEAD".equals(ex.getRequestMethod()) || "GET".equals(ex.getRequestMethod())) {
        ex.sendResponseHeaders(200, -1);
        return;
      }
      if (!"POST".equals(ex.getRequestMethod()) || !ex.getRequestURI().getPath().equals("/v1/messages")) {
        ex.sendResponseHeaders(404, -1);
        return;
      }
      JsonNode body = JSON.readTree(ex.getRequestBody());
      requests.add(body);
      answer(ex, body);
    }
  }

  /**
   * Registers a shell command for a keyword: the model answers with a {@code Bash} tool call running it, then
   * (after the tool result) {@value #DONE_TEXT}.
   *
   * @param keyword text to look for in the latest user text
   * @param command the shell command
   * @return this
   */
  public MockMessagesApi scriptCommand(String keyword, String command) {
    commands.put(keyword, command);
    return this;
  }

  private void answer(HttpExchange ex, JsonNode body) throws IOException {
    JsonNode lastUser = lastUserMessage(body);
    String text = userText(lastUser);
    boolean afterTool = hasToolResult(lastUser);
    if (!afterTool && text.contains("FAIL500")) {
      LoopbackHttpServer.respond(ex, 500, "application/json",
          "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"" + ERROR_MESSAGE + "\"}}");
      return;
    }
    List<ObjectNode> blocks = new ArrayList<>();
    String scripted = afterTool ? null : commands.entrySet().stream().filter(c -> text.contains(c.getKey()))
        .map(java.util.Map.Entry::getValue).findFirst().orElse(null);
    if (scripted != null) {
      blocks.add(textBlock(WILL_RUN_TEXT));
      ObjectNode input = JSON.createObjectNode();
      input.put("command", scripted);
      input.put("description", "Run a scripted command");
      blocks.add(toolUse("Bash", input));
    } else if (afterTool) {
      blocks.add(textBlock(DONE_TEXT));
    } else if (text.contains("SLOW")) {
      streamSlow(ex);
      return;
    } else if (text.contains("RUN_BASH")) {
      Matcher m = CREATE_FILE.matcher(text);
      String file = m.find() ? m.group(1) : "out.txt";
      blocks.add(textBlock(WILL_RUN_TEXT));
      ObjectNode input = JSON.createObjectNode();
      input.put("command", "echo hi > " + file);
      input.put("description", "Write hi to " + file);
      blocks.add(toolUse("Bash", input));
    } else if (offersTool(body, "StructuredOutput")) {
      ObjectNode input = JSON.createObjectNode();
      input.put("answer", "42");
      input.put("ok", true);
      blocks.add(toolUse("StructuredOutput", input));
    } else if (text.contains("RECALL")) {
      blocks.add(textBlock("I remember: " + firstUserText(body)));
    } else {
      blocks.add(textBlock(HELLO_TEXT));
    }
    boolean toolUse = blocks.stream().anyMatch(b -> b.path("type").asText().equals("tool_use"));
    String stop = toolUse ? "tool_use" : "end_turn";
    if (body.path("stream").asBoolean(false)) {
      stream(ex, body, blocks, stop);
    } else {
      ObjectNode msg = message(body);
      ArrayNode content = msg.putArray("content");
      blocks.forEach(content::add);
      msg.put("stop_reason", stop);
      byte[] bytes = JSON.writeValueAsBytes(msg);
      ex.getResponseHeaders().set("content-type", "application/json");
      ex.sendResponseHeaders(200, bytes.length);
      ex.getResponseBody().write(bytes);
    }
  }

  private void stream(HttpExchange ex, JsonNode body, List<ObjectNode> blocks, String stop) throws IOException {
    OutputStream out = startMessage(ex, body);
    for (int i = 0; i < blocks.size(); i++) {
      ObjectNode b = blocks.get(i);
      ObjectNode cb = JSON.createObjectNode();
      cb.put("type", "content_block_start");
      cb.put("index", i);
      ObjectNode delta = JSON.createObjectNode();
      if (b.path("type").asText().equals("text")) {
        ObjectNode empty = cb.putObject("content_block");
        empty.put("type", "text");
        empty.put("text", "");
        delta.put("type", "text_delta");
        delta.put("text", b.path("text").asText());
      } else {
        ObjectNode tu = cb.putObject("content_block");
        tu.put("type", "tool_use");
        tu.put("id", b.path("id").asText());
        tu.put("name", b.path("name").asText());
        tu.putObject("input");
        delta.put("type", "input_json_delta");
        delta.put("partial_json", b.path("input").toString());
      }
      sse(out, "content_block_start", cb);
      ObjectNode d = JSON.createObjectNode();
      d.put("type", "content_block_delta");
      d.put("index", i);
      d.set("delta", delta);
      sse(out, "content_block_delta", d);
      ObjectNode stopBlock = JSON.createObjectNode();
      stopBlock.put("type", "content_block_stop");
      stopBlock.put("index", i);
      sse(out, "content_block_stop", stopBlock);
    }
    endMessage(out, stop);
  }

  private void streamSlow(HttpExchange ex) throws IOException {
    OutputStream out = startMessage(ex, null);
    sse(out, "content_block_start", JSON.readTree(
        "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"));
    long end = System.nanoTime() + 60_000_000_000L;
    try {
      while (System.nanoTime() < end) {
        sse(out, "content_block_delta", JSON.readTree(
            "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"tick \"}}"));
        Thread.sleep(200);
      }
      sse(out, "content_block_stop", JSON.readTree("{\"type\":\"content_block_stop\",\"index\":0}"));
      endMessage(out, "end_turn");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // the client went away (interrupt / cancel): nothing more to send
    }
  }

  /** Begins the event stream with {@code message_start} (empty content) for the request {@code body} (or null). */
  private OutputStream startMessage(HttpExchange ex, JsonNode body) throws IOException {
    OutputStream out = LoopbackHttpServer.beginEventStream(ex);
    ObjectNode start = JSON.createObjectNode();
    start.put("type", "message_start");
    ObjectNode msg = message(body);
    msg.putArray("content");
    start.set("message", msg);
    sse(out, "message_start", start);
    return out;
  }

  private static void endMessage(OutputStream out, String stop) throws IOException {
    ObjectNode md = JSON.createObjectNode();
    md.put("type", "message_delta");
    ObjectNode delta = md.putObject("delta");
    delta.put("stop_reason", stop);
    delta.putNull("stop_sequence");
    md.putObject("usage").put("output_tokens", 12);
    sse(out, "message_delta", md);
    ObjectNode ms = JSON.createObjectNode();
    ms.put("type", "message_stop");
    sse(out, "message_stop", ms);
  }

  private static void sse(OutputStream out, String event, JsonNode data) throws IOException {
    out.write(("event: " + event + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private ObjectNode message(JsonNode body) {
    ObjectNode msg = JSON.createObjectNode();
    msg.put("id", "msg_mock_" + ids.incrementAndGet());
    msg.put("type", "message");
    msg.put("role", "assistant");
    msg.put("model", body == null ? "claude-mock" : body.path("model").asText("claude-mock"));
    msg.putNull("stop_reason");
    msg.putNull("stop_sequence");
    ObjectNode usage = msg.putObject("usage");
    usage.put("input_tokens", 120);
    usage.put("output_tokens", 1);
    usage.put("cache_creation_input_tokens", 0);
    usage.put("cache_read_input_tokens", 20);
    return msg;
  }

  private static ObjectNode textBlock(String text) {
    ObjectNode b = JSON.createObjectNode();
    b.put("type", "text");
    b.put("text", text);
    return b;
  }

  private static ObjectNode toolUse(String name, ObjectNode input) {
    ObjectNode b = JSON.createObjectNode();
    b.put("type", "tool_use");
    b.put("id", "toolu_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20));
    b.put("name", name);
    b.set("input", input);
    return b;
  }

  private static JsonNode lastUserMessage(JsonNode body) {
    JsonNode last = null;
    for (JsonNode m : body.path("messages")) {
      if ("user".equals(m.path("role").asText())) {
        last = m;
      }
    }
    return last;
  }

  /** @return the text blocks of a user message joined by newlines (string content taken as is) */
  private static String userText(JsonNode message) {
    if (message == null) {
      return "";
    }
    JsonNode content = message.path("content");
    if (content.isTextual()) {
      return content.asText();
    }
    StringBuilder sb = new StringBuilder();
    for (JsonNode b : content) {
      if ("text".equals(b.path("type").asText())) {
        sb.append(b.path("text").asText()).append('\n');
      }
    }
    return sb.toString();
  }

  private static boolean hasToolResult(JsonNode message) {
    if (message == null) {
      return false;
    }
    for (JsonNode b : message.path("content")) {
      if ("tool_result".equals(b.path("type").asText())) {
        return true;
      }
    }
    return false;
  }

  private static boolean offersTool(JsonNode body, String name) {
    for (JsonNode t : body.path("tools")) {
      if (name.equals(t.path("name").asText())) {
        return true;
      }
    }
    return false;
  }

  /** @return the first user text block of the conversation that is not a system reminder, or empty */
  private static String firstUserText(JsonNode body) {
    for (JsonNode m : body.path("messages")) {
      if (!"user".equals(m.path("role").asText())) {
        continue;
      }
      JsonNode content = m.path("content");
      if (content.isTextual()) {
        return content.asText().trim();
      }
      for (JsonNode b : content) {
        String t = b.path("text").asText("").trim();
        if ("text".equals(b.path("type").asText()) && !t.isEmpty() && !t.startsWith("<")) {
          return t;
        }
      }
    }
    return "";
  }
}
