package dev.orch.soak;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * Issue 9 item 6 (d), second half: raw protocol lines over real stdio to a real {@code bin/orch-mcp} — random bytes,
 * truncated JSON, wrong ids ({@code true}, {@code 1.5}, {@code 1e400}, objects, {@code null}), responses the client
 * should never send, batches, huge lines (1–3 MB, and now and then over the 16 MiB limit), notifications and valid
 * requests — from a seeded generator. After every ten lines a ping must be answered (the server keeps answering);
 * afterwards every stdout line must be one JSON-RPC 2.0 message, each valid request answered exactly once, no
 * response ever answered, and the process must exit after stdin EOF (the time is measured; the soak holds it to
 * 1 s).
 */
final class RawLines {
  private static final Duration ANSWER = Duration.ofSeconds(60);
  private static final int MAX_LINE = 16 * 1024 * 1024;

  private RawLines() {
  }

  /**
   * @param lines raw lines to send
   * @param seed generator seed
   * @param eofBudgetMs the exit after EOF must take at most this long (counted as unanswered otherwise)
   * @return the figures
   */
  static Figures run(SoakEnv env, int lines, long seed, long eofBudgetMs) throws Exception {
    Figures f = new Figures("raw protocol lines (" + lines + ")");
    f.note("seed " + seed);
    Random r = new Random(seed);
    ServerProcess server = ServerProcess.start(env.serverCommand(), env.serverEnv(), env.logFile("raw"), true);
    Set<String> valid = new HashSet<>();
    Set<String> pings = new HashSet<>();
    try {
      server.initialize(ANSWER);
      for (int i = 0; i < lines; i++) {
        byte[] line = line(r, i, valid);
        server.sendBytes(line);
        f.count("raw lines", 1);
        f.count("raw bytes", line.length);
        if (i % 10 == 9) {
          String id = "p" + i;
          pings.add(id);
          CompletableFuture<JsonNode> pong = server.expect(id);
          long start = System.nanoTime();
          server.send("{\"jsonrpc\":\"2.0\",\"id\":\"" + id + "\",\"method\":\"ping\"}");
          try {
            ServerProcess.await(pong, ANSWER, "ping " + id);
            f.latency(System.nanoTime() - start);
          } catch (TimeoutException | IOException e) {
            f.problem(Figures.UNANSWERED, "ping after line " + i + ": " + e.getMessage());
            break;
          }
        }
      }
    } finally {
      long exitMs = server.closeStdinAndAwaitExit(Duration.ofSeconds(10));
      f.note("exit after stdin EOF: " + (exitMs < 0 ? "none within 10 s" : exitMs + " ms"));
      if (exitMs < 0 || exitMs > eofBudgetMs) {
        f.problem(Figures.UNANSWERED, "the server took " + (exitMs < 0 ? "over 10 s" : exitMs + " ms")
            + " to exit after stdin EOF (budget " + eofBudgetMs + " ms)");
      }
      if (exitMs < 0) {
        server.kill9();
      }
    }
    checkOutput(f, server.lines(), valid, pings);
    return f;
  }

  private static void checkOutput(Figures f, List<String> out, Set<String> valid, Set<String> pings) {
    Map<String, Integer> answered = new HashMap<>();
    for (String line : out) {
      JsonNode n;
      try {
        n = ServerProcess.JSON.readTree(line);
      } catch (IOException e) {
        f.problem(Figures.BAD_ANSWERS, "a stdout line that is not JSON: " + ToolCallFuzz.cut(line));
        continue;
      }
      if (n == null || !"2.0".equals(n.path("jsonrpc").asText()) || !(n.has("result") || n.has("error"))) {
        f.problem(Figures.BAD_ANSWERS, "a stdout line that is not a JSON-RPC answer: " + ToolCallFuzz.cut(line));
        continue;
      }
      f.count("answers", 1);
      String id = n.path("id").isNull() ? null : n.path("id").asText();
      if (id != null && id.startsWith("resp-")) {
        f.problem(Figures.BAD_ANSWERS, "a response from the client was answered: " + ToolCallFuzz.cut(line));
      }
      if (id != null) {
        answered.merge(id, 1, Integer::sum);
      }
      String message = n.at("/error/message").asText("");
      if (message.contains("Exception") || message.contains("java.")) {
        f.problem(Figures.BAD_ANSWERS, "Java internals in an error: " + ToolCallFuzz.cut(line));
      }
    }
    for (Set<String> expected : List.of(valid, pings)) {
      for (String id : expected) {
        int n = answered.getOrDefault(id, 0);
        if (n == 0) {
          f.problem(Figures.UNANSWERED, "request " + id + " was never answered");
        } else if (n > 1) {
          f.problem(Figures.DUPLICATED, "request " + id + " was answered " + n + " times");
        }
      }
    }
    f.count("valid requests answered once", valid.stream().filter(id -> answered.getOrDefault(id, 0) == 1).count());
  }

  /** @return one generated line with its newline; adds the id of a valid request to {@code valid} */
  private static byte[] line(Random r, int i, Set<String> valid) {
    int kind = r.nextInt(100);
    String text;
    if (kind < 20) {
      byte[] b = new byte[1 + r.nextInt(200)];
      r.nextBytes(b);
      for (int k = 0; k < b.length; k++) {
        if (b[k] == '\n') {
          b[k] = ' ';
        }
      }
      return withNewline(b);
    } else if (kind < 35) {
      String full = request("t" + i, r);
      text = full.substring(0, 1 + r.nextInt(full.length() - 1));
    } else if (kind < 50) {
      String[] ids = {"true", "false", "1.5", "1e400", "-0.0", "{}", "{\"a\":1}", "null", "[]", "[1]",
          "123456789012345678901234567890"};
      text = "{\"jsonrpc\":\"2.0\",\"id\":" + ids[r.nextInt(ids.length)] + ",\"method\":\"ping\"}";
    } else if (kind < 60) {
      String[] responses = {"{\"jsonrpc\":\"2.0\",\"id\":\"resp-" + i + "\",\"result\":{}}",
          "{\"jsonrpc\":\"2.0\",\"id\":\"resp-" + i + "\",\"error\":\"boom\"}",
          "{\"jsonrpc\":\"2.0\",\"id\":\"resp-" + i + "\",\"error\":{\"code\":\"x\",\"message\":\"m\"}}",
          "{\"jsonrpc\":\"2.0\",\"id\":\"resp-" + i + "\",\"result\":{},\"error\":{\"code\":1,\"message\":\"m\"}}",
          "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"Parse\"}}"};
      text = responses[r.nextInt(responses.length)];
    } else if (kind < 70) {
      text = r.nextBoolean() ? "[]" : "[" + request("b" + i, r) + "," + request("c" + i, r) + "]";
    } else if (kind < 72) {
      int size = r.nextInt(50) == 0 ? MAX_LINE + 1024 : 1_000_000 + r.nextInt(2_000_000);
      text = "{\"jsonrpc\":\"2.0\",\"id\":\"h" + i + "\",\"method\":\"ping\",\"params\":{\"pad\":\"" + "x".repeat(size)
          + "\"}}";
      if (size < MAX_LINE) {
        valid.add("h" + i);
      }
    } else if (kind < 82) {
      String[] notes = {"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/unknown\",\"params\":{}}",
          "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":\"nobody\"}}",
          "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/x\",\"params\":[1]}", "", "   \t"};
      text = notes[r.nextInt(notes.length)];
    } else {
      String id = "v" + i;
      valid.add(id);
      text = request(id, r);
    }
    return withNewline(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String request(String id, Random r) {
    return switch (r.nextInt(4)) {
      case 0 -> "{\"jsonrpc\":\"2.0\",\"id\":\"" + id + "\",\"method\":\"ping\"}";
      case 1 -> "{\"jsonrpc\":\"2.0\",\"id\":\"" + id + "\",\"method\":\"tools/list\"}";
      case 2 -> "{\"jsonrpc\":\"2.0\",\"id\":\"" + id + "\",\"method\":\"tools/call\",\"params\":{\"name\":\"get_run\","
          + "\"arguments\":{\"run_id\":\"missing-" + id + "\"}}}";
      default -> "{\"jsonrpc\":\"2.0\",\"id\":\"" + id + "\",\"method\":\"tools/call\",\"params\":{\"name\":"
          + "\"list_runs\",\"arguments\":{\"limit\":5}}}";
    };
  }

  private static byte[] withNewline(byte[] b) {
    byte[] out = new byte[b.length + 1];
    System.arraycopy(b, 0, out, 0, b.length);
    out[b.length] = '\n';
    return out;
  }
}
