package dev.orch.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Issue 9 item 6 (d), first half: generated {@code tools/call} requests for every tool — arbitrary JSON argument trees,
 * schema-shaped arguments with plausible and wrong values (huge strings, control characters, wrong types, deep
 * nesting, path tricks), unknown tools and malformed params — sent one at a time to the real server wired in-process
 * ({@link InProcessServer}), each answer checked by {@link #check}: exactly one well-formed answer, a tool result for
 * every call that names a tool, no internal error (an unexpected exception is a crash caught) and no store fault (the
 * store is healthy: a store fault would be a client input mistaken for one), no Java class names,
 * stack traces or absolute server paths, echoed values cut. Problems go to the rig's {@link Figures}.
 */
final class ToolCallFuzz {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  static final List<String> TOOLS = List.of("spawn_run", "get_run", "poll_events", "cancel_run", "continue_run",
      "list_runs", "get_event_artifact", "list_agents", "send_agent_message", "fetch_agent_messages");
  private static final List<String> FIELDS = List.of("backend", "role", "cwd", "session_mode", "session_id",
      "nickname", "prompt", "input_message", "profile", "output_schema", "metadata", "backend_config", "run_id",
      "agent_name", "after_seq", "limit", "wait_ms", "status", "seq", "field_path", "offset", "to_agent_name",
      "from_agent_name", "message");
  /** Longest whitespace-free run an error text may hold: an echoed value is cut to 200 characters + a marker. */
  static final int MAX_ECHO_TOKEN = 240;
  private static final Pattern INTERNALS = Pattern.compile(
      "Exception|\\tat |\\bat (?:java|dev|io|com|reactor)\\.|(?:java|javax|jdk|sun|dev\\.orch|io\\.modelcontextprotocol"
          + "|com\\.fasterxml|com\\.networknt|reactor\\.core)\\.[a-z]+\\.");
  /** An absolute file path of two or more plain segments (what a server path looks like). */
  private static final Pattern ABSOLUTE_PATH = Pattern.compile("(?<![\\w:/.~-])/(?:[\\w.-]+/)+[\\w.-]+");

  /** The state shared by the tries of one property run: the server and what it already holds. */
  static final class Rig implements AutoCloseable {
    final SoakEnv env;
    final InProcessServer server;
    final Path cwd;
    final List<String> runIds = new ArrayList<>();
    final List<String> agentNames = new ArrayList<>();
    final List<String> sessionIds = new ArrayList<>();
    final Figures figures = new Figures("generated tool calls (jqwik, in-process)");
    long nextId = 1000;

    Rig() throws Exception {
      env = SoakEnv.create("fuzz");
      cwd = env.cwd("fuzz");
      server = new InProcessServer(env);
      server.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
          + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"fuzz\",\"version\":\"1\"}}}");
      if (server.nextLine(60_000) == null) {
        throw new IllegalStateException("the in-process server did not answer initialize");
      }
      server.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
      for (int i = 0; i < 2; i++) {
        ObjectNode args = F.objectNode().put("backend", "codex").put("role", "worker").put("cwd", cwd.toString())
            .put("session_mode", "new").put("nickname", "fuzz-agent-" + i).put("prompt", "steps=2 delay=0");
        JsonNode out = call("spawn_run", args).at("/result/structuredContent");
        runIds.add(out.path("run_id").asText());
        agentNames.add(out.path("agent_name").asText());
        sessionIds.add(out.path("session_id").asText());
      }
    }

    private JsonNode call(String tool, ObjectNode args) throws Exception {
      ObjectNode msg = F.objectNode().put("jsonrpc", "2.0").put("id", nextId++).put("method", "tools/call");
      msg.putObject("params").put("name", tool).set("arguments", args);
      server.send(JSON.writeValueAsString(msg));
      String line = server.nextLine(60_000);
      if (line == null) {
        throw new IllegalStateException("no answer to " + tool);
      }
      return JSON.readTree(line);
    }

    @Override
    public void close() {
      server.close();
      env.close();
    }
  }

  /**
   * One generated request line.
   *
   * @param line the JSON-RPC line (may be invalid JSON for the deep case)
   * @param namesTool true when params is an object whose name is a string (the answer must be a tool result)
   * @param deep true when the line nests deeper than any parser limit (an answer with id null is fine)
   * @param label a short description for problem reports
   */
  record Call(String line, boolean namesTool, boolean deep, String label) {
  }

  private ToolCallFuzz() {
  }

  /** @return generated calls; ids are filled in when sent */
  static Arbitrary<Call> calls(Rig rig) {
    Arbitrary<Call> named = Combinators.combine(toolNames(), arguments(rig)).as((name, args) -> {
      ObjectNode params = F.objectNode();
      params.set("name", name);
      if (args != null) {
        params.set("arguments", args);
      }
      return new Call(request(params), name.isTextual(), false, "tools/call " + cut(name.toString())
          + " arguments " + cut(String.valueOf(args)));
    });
    Arbitrary<Call> malformed = json(2).map(params -> {
      boolean namesTool = params.isObject() && params.path("name").isTextual();
      return new Call(request(params), namesTool, false, "tools/call params " + cut(params.toString()));
    });
    Arbitrary<Call> deep = Combinators.combine(Arbitraries.integers().between(1001, 3000),
        Arbitraries.of(TOOLS), Arbitraries.of("[", "{\"a\":")).as((depth, tool, open) -> {
          String close = open.equals("[") ? "]" : "}";
          String nested = open.repeat(depth) + "1" + close.repeat(depth);
          String line = "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
              + "\",\"arguments\":{\"run_id\":" + nested + "}}}";
          return new Call(line, true, true, "tools/call " + tool + " with arguments nested " + depth + " deep");
        });
    Arbitrary<Call> huge = Combinators.combine(Arbitraries.of(TOOLS), Arbitraries.of(FIELDS),
        Arbitraries.integers().between(100_000, 3_000_000)).as((tool, field, size) -> {
          ObjectNode params = F.objectNode().put("name", tool);
          params.putObject("arguments").put(field, "x".repeat(size));
          return new Call(request(params), true, false, "tools/call " + tool + " with a " + size + "-char " + field);
        });
    return Arbitraries.frequencyOf(Tuple.of(85, named), Tuple.of(10, malformed), Tuple.of(3, deep),
        Tuple.of(2, huge));
  }

  private static String request(JsonNode params) {
    ObjectNode msg = F.objectNode().put("jsonrpc", "2.0").put("id", 0).put("method", "tools/call");
    msg.set("params", params);
    try {
      return JSON.writeValueAsString(msg);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Arbitrary<JsonNode> toolNames() {
    return Arbitraries.frequencyOf(
        Tuple.of(20, Arbitraries.of(TOOLS).map(F::textNode)),
        Tuple.of(2, strings().map(F::textNode)),
        Tuple.of(1, Arbitraries.of("spawn_run ", "GET_RUN", "poll_events\u0000", "tools/list", "")
            .map(F::textNode)),
        Tuple.of(1, Arbitraries.integers().between(300, 20_000).map(n -> F.textNode("t".repeat(n)))));
  }

  /** @return arguments: schema-shaped (often), any JSON value, or none (null = absent) */
  private static Arbitrary<JsonNode> arguments(Rig rig) {
    Arbitrary<JsonNode> shaped = Arbitraries.maps(fieldNames(), value(rig)).ofMaxSize(8).map(m -> {
      ObjectNode o = F.objectNode();
      m.forEach(o::set);
      return o;
    });
    return Arbitraries.frequencyOf(Tuple.of(12, shaped), Tuple.of(3, json(3)),
        Tuple.of(1, Arbitraries.just(null)));
  }

  private static Arbitrary<String> fieldNames() {
    return Arbitraries.frequencyOf(Tuple.of(10, Arbitraries.of(FIELDS)), Tuple.of(1, strings()));
  }

  /** @return a value for an argument: plausible for some field, or wrong */
  private static Arbitrary<JsonNode> value(Rig rig) {
    String cwd = rig.cwd.toString();
    ObjectNode userMessage = F.objectNode().put("role", "user");
    userMessage.putArray("parts").addObject().put("type", "text").put("text", "hello");
    ObjectNode badMessage = F.objectNode().put("role", "robot");
    badMessage.putArray("parts").addObject().put("type", "video");
    ObjectNode schema = F.objectNode().put("type", "object");
    ObjectNode a2a = F.objectNode().put("agent_url", "http://127.0.0.1:9/");
    ObjectNode exe = F.objectNode().put("executable", "/bin/cat");
    List<JsonNode> plausible = new ArrayList<>(List.of(F.textNode(cwd), F.textNode(cwd + "/../.."),
        F.textNode("/nonexistent/dir"), F.textNode("relative/dir"), F.textNode("/proc/self/environ"),
        F.textNode("../../../etc/passwd"), F.textNode("builtin:worker"), F.textNode("builtin:nope"),
        F.textNode("codex"), F.textNode("claude_code"), F.textNode("remote_a2a"), F.textNode("worker"),
        F.textNode("planner"), F.textNode("new"), F.textNode("resume"), F.textNode("completed"),
        F.textNode("running"), F.textNode("steps=1 delay=0"), F.textNode("bad\u0000name"), F.textNode("tab\tname"),
        F.textNode("line\nbreak"), F.textNode("result"), F.textNode("data.output"), F.numberNode(0),
        F.numberNode(1), F.numberNode(5), F.numberNode(1000), F.numberNode(-1), F.numberNode(30_000),
        F.numberNode(9007199254740993L), F.numberNode(1.5), F.numberNode(new BigInteger("1" + "0".repeat(40))),
        F.booleanNode(true), F.nullNode(), userMessage, badMessage, schema, a2a, exe, F.objectNode(),
        F.arrayNode()));
    rig.runIds.forEach(id -> plausible.add(F.textNode(id)));
    rig.agentNames.forEach(n -> plausible.add(F.textNode(n)));
    rig.sessionIds.forEach(s -> plausible.add(F.textNode(s)));
    return Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.of(plausible)), Tuple.of(3, json(2)),
        Tuple.of(1, Arbitraries.integers().between(201, 50_000).map(n -> F.textNode("v".repeat(n)))));
  }

  private static Arbitrary<String> strings() {
    return Arbitraries.frequencyOf(
        Tuple.of(4, Arbitraries.strings().ofMaxLength(30)),
        Tuple.of(2, Arbitraries.strings().all().ofMaxLength(20)),
        Tuple.of(1, Arbitraries.strings().withChars("\u0000\u0001\u001f\u007f\u0085\u2028\n\r\t\"\\/.")
            .ofMaxLength(10)));
  }

  /** @return any JSON value with at most that nesting */
  static Arbitrary<JsonNode> json(int depth) {
    Arbitrary<JsonNode> leaf = Arbitraries.frequencyOf(
        Tuple.of(4, strings().map(F::textNode)),
        Tuple.of(2, Arbitraries.longs().map(F::numberNode)),
        Tuple.of(1, Arbitraries.doubles().map(F::numberNode)),
        Tuple.of(1, Arbitraries.bigIntegers().between(BigInteger.TEN.pow(30).negate(), BigInteger.TEN.pow(30))
            .map(F::numberNode)),
        Tuple.of(1, Arbitraries.of(true, false).map(F::booleanNode)),
        Tuple.of(1, Arbitraries.just(F.nullNode())));
    if (depth == 0) {
      return leaf;
    }
    Arbitrary<JsonNode> inner = Arbitraries.lazy(() -> json(depth - 1));
    Arbitrary<JsonNode> array = inner.list().ofMaxSize(4).map(list -> {
      ArrayNode a = F.arrayNode();
      list.forEach(a::add);
      return a;
    });
    Arbitrary<JsonNode> object = Arbitraries.maps(Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.of(FIELDS)),
        Tuple.of(2, strings())), inner).ofMaxSize(4).map(m -> {
          ObjectNode o = F.objectNode();
          m.forEach(o::set);
          return o;
        });
    return Arbitraries.frequencyOf(Tuple.of(5, leaf), Tuple.of(1, array), Tuple.of(2, object));
  }

  /**
   * @return the next line that is not a server notification (the server may send {@code notifications/message}
   *     log lines about runs the rig's calls started, SPEC §12.9), or null when none comes within the timeout
   */
  private static String nextAnswer(Rig rig, long timeoutMs) throws Exception {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    while (true) {
      long left = (deadline - System.nanoTime()) / 1_000_000;
      String line = left <= 0 ? null : rig.server.nextLine(left);
      if (line == null || !isNotification(line)) {
        return line;
      }
      rig.figures.count("notifications skipped", 1);
    }
  }

  private static boolean isNotification(String line) {
    try {
      JsonNode n = JSON.readTree(line);
      return n.isObject() && n.has("method") && !n.has("id");
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Sends one generated call and checks its answer; problems go to the rig's figures.
   *
   * @return true when the answer broke no rule
   */
  static boolean check(Rig rig, Call call) throws Exception {
    Figures f = rig.figures;
    long before = problemCount(f);
    long id = rig.nextId++;
    String line = call.line().replaceFirst("\"id\":0,", "\"id\":" + id + ",");
    long start = System.nanoTime();
    rig.server.send(line);
    String answer = nextAnswer(rig, 60_000);
    f.count("generated tool calls", 1);
    if (answer == null) {
      f.problem(Figures.UNANSWERED, call.label());
      return false;
    }
    f.latency(System.nanoTime() - start);
    JsonNode n;
    try {
      n = JSON.readTree(answer);
    } catch (IOException e) {
      f.problem(Figures.BAD_ANSWERS, call.label() + " -> not JSON: " + cut(answer));
      return false;
    }
    boolean idNull = n.path("id").isNull();
    if (!(n.path("id").asLong() == id || call.deep() && idNull) || !"2.0".equals(n.path("jsonrpc").asText())) {
      f.problem(Figures.BAD_ANSWERS, call.label() + " -> answer for another id or not JSON-RPC: " + cut(answer));
      return false;
    }
    if (n.has("error") == n.has("result")) {
      f.problem(Figures.BAD_ANSWERS, call.label() + " -> not exactly one of result/error: " + cut(answer));
      return false;
    }
    String text;
    if (n.has("error")) {
      text = n.at("/error/message").asText("");
      if (call.namesTool() && !idNull) {
        f.problem(Figures.BAD_ANSWERS, call.label() + " -> a JSON-RPC error for a call that names a tool: "
            + cut(text));
      }
      if (text.isBlank() || !n.at("/error/code").isInt()) {
        f.problem(Figures.BAD_ANSWERS, call.label() + " -> error without code or message: " + cut(answer));
      }
      if (n.path("error").has("data")) {
        f.problem(Figures.BAD_ANSWERS, call.label() + " -> error data: " + cut(answer));
      }
      f.count("JSON-RPC errors", 1);
    } else {
      JsonNode result = n.get("result");
      text = result.at("/content/0/text").asText(null);
      boolean isError = result.path("isError").asBoolean(false);
      if (text == null || !"text".equals(result.at("/content/0/type").asText())) {
        f.problem(Figures.BAD_ANSWERS, call.label() + " -> a result without text content: " + cut(answer));
        return false;
      }
      if (isError) {
        f.count("isError results", 1);
        if (text.contains("internal error")) {
          f.problem(Figures.BAD_ANSWERS, call.label() + " -> " + cut(text));
        }
        if (text.contains("the run store failed")) {
          // the store here is healthy: a store fault answered to a call is a client input taken for a store fault
          f.problem(Figures.BAD_ANSWERS, call.label() + " -> a store fault for a client's input: " + cut(text));
        }
      } else {
        f.count("successful calls", 1);
        JsonNode parsed;
        try {
          parsed = JSON.readTree(text);
        } catch (IOException e) {
          parsed = null;
        }
        if (parsed == null || !parsed.equals(result.get("structuredContent"))) {
          f.problem(Figures.BAD_ANSWERS, call.label() + " -> text and structuredContent differ");
        }
      }
      if (isError) {
        checkEchoes(f, call, text);
      }
    }
    if (n.has("error")) {
      checkEchoes(f, call, text);
    }
    checkInternals(rig, f, call, line, text);
    return problemCount(f) == before;
  }

  private static void checkEchoes(Figures f, ToolCallFuzz.Call call, String text) {
    for (String token : text.split("\\s+")) {
      if (token.length() > MAX_ECHO_TOKEN) {
        f.problem(Figures.BAD_ANSWERS, call.label() + " -> an echoed value of " + token.length()
            + " characters: " + cut(token));
        return;
      }
    }
  }

  /** @return every string the client sent (keys and values, decoded), or the raw line when it is not JSON */
  private static String clientText(String line) {
    StringBuilder sb = new StringBuilder();
    try {
      collect(JSON.readTree(line), sb);
    } catch (IOException e) {
      return line;
    }
    return sb.toString();
  }

  private static void collect(JsonNode n, StringBuilder sb) {
    if (n.isTextual()) {
      sb.append(n.asText()).append('\n');
    }
    n.properties().forEach(e -> {
      sb.append(e.getKey()).append('\n');
      collect(e.getValue(), sb);
    });
    if (n.isArray()) {
      n.forEach(c -> collect(c, sb));
    }
  }

  private static void checkInternals(Rig rig, Figures f, Call call, String rawLine, String text) {
    String line = clientText(rawLine);
    Matcher m = INTERNALS.matcher(text);
    while (m.find()) {
      if (!line.contains(m.group())) {
        f.problem(Figures.BAD_ANSWERS, call.label() + " -> Java internals '" + m.group() + "' in: " + cut(text));
        return;
      }
    }
    for (String server : List.of(rig.env.home.toString(), System.getProperty("java.home"),
        System.getProperty("user.home") + "/.m2", rig.env.repo.toString() + "/")) {
      if (text.contains(server) && !line.contains(server)) {
        f.problem(Figures.BAD_ANSWERS, call.label() + " -> a server path in: " + cut(text));
        return;
      }
    }
    if (text.startsWith("Error:") || text.startsWith("Invalid arguments")) {
      Matcher p = ABSOLUTE_PATH.matcher(text);
      while (p.find()) {
        String path = p.group();
        if (!line.contains(path)) {
          f.problem(Figures.BAD_ANSWERS, call.label() + " -> an absolute path the client never sent: " + path
              + " in " + cut(text));
          return;
        }
      }
    }
  }

  private static long problemCount(Figures f) {
    return f.invariant(Figures.BAD_ANSWERS) + f.invariant(Figures.UNANSWERED);
  }

  static String cut(String s) {
    return s.length() <= 300 ? s : s.substring(0, 300) + "…(" + s.length() + ")";
  }
}
