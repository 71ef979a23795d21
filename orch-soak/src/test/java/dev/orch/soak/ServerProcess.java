package dev.orch.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real server process ({@code bin/orch-mcp}, possibly behind a prefix such as {@code unshare}) driven with
 * hand-written JSON-RPC lines over its stdio: requests are matched to answers by id, every stdout line is kept
 * when asked, stderr goes to a log file. The process is this object's {@link Process} itself (bin/orch-mcp
 * {@code exec}s java), so {@link #kill9()} is a real {@code kill -9} of the server. Thread-safe.
 */
final class ServerProcess implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  final Process process;
  final Path log;
  private final OutputStream stdin;
  private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private final boolean keepLines;
  private final List<String> lines = new ArrayList<>();

  private ServerProcess(Process process, Path log, boolean keepLines) {
    this.process = process;
    this.log = log;
    this.keepLines = keepLines;
    this.stdin = process.getOutputStream();
    Thread reader = new Thread(this::readStdout, "soak-stdout-" + process.pid());
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts a server.
   *
   * @param command the command (e.g. {@link SoakEnv#serverCommand()})
   * @param env variables added to the inherited environment
   * @param log where stderr goes
   * @param keepLines true to keep every stdout line ({@link #lines()})
   * @return the started process, not initialized yet
   */
  static ServerProcess start(List<String> command, Map<String, String> env, Path log, boolean keepLines)
      throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().putAll(env);
    pb.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
    return new ServerProcess(pb.start(), log, keepLines);
  }

  /** Sends initialize and notifications/initialized; waits for the answer. */
  JsonNode initialize(Duration timeout) throws IOException, TimeoutException, InterruptedException {
    ObjectNode params = JSON.createObjectNode();
    params.put("protocolVersion", "2025-06-18");
    params.putObject("capabilities");
    params.putObject("clientInfo").put("name", "orch-soak").put("version", "1");
    JsonNode r = await(request("initialize", params), timeout, "initialize");
    send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
    return r;
  }

  /**
   * Waits until the server serves tools: the answer to {@code initialize} can come before the engine is built (the
   * early handshake answer), so a test that times something from "the server is up" asks for {@code tools/list}
   * first.
   *
   * @throws TimeoutException when tools/list is not answered within the timeout
   */
  void awaitServing(Duration timeout) throws IOException, TimeoutException, InterruptedException {
    await(request("tools/list", null), timeout, "tools/list");
  }

  /**
   * Sends a request.
   *
   * @return the whole JSON-RPC answer when it comes; fails with an IOException when the server's stdout ends first
   */
  CompletableFuture<JsonNode> request(String method, JsonNode params) throws IOException {
    long id = ids.incrementAndGet();
    CompletableFuture<JsonNode> f = new CompletableFuture<>();
    pending.put(Long.toString(id), f);
    ObjectNode msg = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", method);
    if (params != null) {
      msg.set("params", params);
    }
    try {
      send(JSON.writeValueAsString(msg));
    } catch (IOException e) {
      pending.remove(Long.toString(id));
      throw e;
    }
    return f;
  }

  /**
   * Calls a tool and waits for the answer.
   *
   * @return the answer
   * @throws TimeoutException when no answer came within the timeout (the call counts as unanswered)
   * @throws IOException when the server is gone
   */
  ToolAnswer call(String tool, JsonNode args, Duration timeout)
      throws IOException, TimeoutException, InterruptedException {
    ObjectNode params = JSON.createObjectNode().put("name", tool);
    params.set("arguments", args);
    long start = System.nanoTime();
    JsonNode r = await(request("tools/call", params), timeout, tool);
    return ToolAnswer.of(tool, r, System.nanoTime() - start);
  }

  /** Writes one line (a newline is added). */
  void send(String line) throws IOException {
    sendBytes((line + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /** Writes raw bytes (the caller adds the line end). */
  void sendBytes(byte[] bytes) throws IOException {
    synchronized (stdin) {
      stdin.write(bytes);
      stdin.flush();
    }
  }

  /**
   * Registers interest in the answer with that raw id (a JSON string or number as written in the line).
   *
   * @param idKey the id as {@link JsonNode#asText()} gives it
   */
  CompletableFuture<JsonNode> expect(String idKey) {
    return pending.computeIfAbsent(idKey, k -> new CompletableFuture<>());
  }

  /** @return every stdout line so far (only with keepLines) */
  List<String> lines() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  /** kill -9 of the server; waits for it to be gone. */
  void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /**
   * Closes stdin and waits for the exit.
   *
   * @param max longest wait
   * @return ms from closing stdin to the exit, or -1 when the process was still alive after {@code max}
   */
  long closeStdinAndAwaitExit(Duration max) throws InterruptedException {
    long start = System.nanoTime();
    try {
      synchronized (stdin) {
        stdin.close();
      }
    } catch (IOException e) {
      // already closed
    }
    if (!process.waitFor(max.toMillis(), TimeUnit.MILLISECONDS)) {
      return -1;
    }
    return (System.nanoTime() - start) / 1_000_000;
  }

  /** @return the server's stderr so far (the tail, at most 4000 characters) */
  String stderrTail() {
    try {
      String s = Files.readString(log, StandardCharsets.UTF_8);
      return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Ends the process (stdin EOF, then kill -9 after 5 s); keeps the thread's interrupt status. */
  @Override
  public void close() {
    try {
      if (closeStdinAndAwaitExit(Duration.ofSeconds(5)) < 0) {
        kill9();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  static JsonNode await(CompletableFuture<JsonNode> f, Duration timeout, String what)
      throws TimeoutException, InterruptedException, IOException {
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(what + ": " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new TimeoutException("no answer to " + what + " within " + timeout);
    }
  }

  private void readStdout() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8), 1 << 16)) {
      String line;
      while ((line = in.readLine()) != null) {
        if (keepLines) {
          synchronized (lines) {
            lines.add(line);
          }
        }
        dispatch(line);
      }
    } catch (IOException e) {
      // the process ended
    } finally {
      IOException gone = new IOException("the server's stdout ended (process gone)");
      pending.values().forEach(f -> f.completeExceptionally(gone));
    }
  }

  private void dispatch(String line) {
    JsonNode n;
    try {
      n = JSON.readTree(line);
    } catch (IOException e) {
      return;
    }
    if (n != null && n.has("id") && (n.has("result") || n.has("error"))) {
      CompletableFuture<JsonNode> f = pending.remove(n.get("id").asText());
      if (f != null) {
        f.complete(n);
      }
    }
  }
}
