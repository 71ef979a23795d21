package dev.orch.mcp.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server process driven with hand-written JSON-RPC lines, keeping every raw stdout byte (to prove that nothing
 * but JSON-RPC reaches stdout) and its stderr. Responses are matched to requests by id.
 */
final class RawServer {
  private static final ObjectMapper JSON = new ObjectMapper();

  final Process process;
  private final OutputStream stdin;
  private final ByteArrayOutputStream rawStdout = new ByteArrayOutputStream();
  private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
  private final Map<Long, BlockingQueue<JsonNode>> waiting = new ConcurrentHashMap<>();
  private final List<String> lines = new ArrayList<>();
  private final AtomicInteger ids = new AtomicInteger(100);

  RawServer(Path dir, Map<String, String> extraEnv) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(ServerProcesses.command());
    pb.environment().putAll(ServerProcesses.isolatedEnv(dir));
    pb.environment().putAll(extraEnv);
    process = pb.start();
    stdin = process.getOutputStream();
    Thread out = new Thread(this::readStdout, "raw-stdout");
    out.setDaemon(true);
    out.start();
    Thread err = new Thread(() -> copy(process.getErrorStream(), stderr), "raw-stderr");
    err.setDaemon(true);
    err.start();
  }

  /** Sends initialize + initialized and returns the initialize result. */
  JsonNode initialize() throws Exception {
    ObjectNode params = JSON.createObjectNode();
    params.put("protocolVersion", "2025-06-18");
    params.putObject("capabilities");
    params.putObject("clientInfo").put("name", "raw-test").put("version", "1");
    JsonNode r = request("initialize", params, Duration.ofSeconds(60));
    send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
    return r;
  }

  /** @return the response of a tools/call */
  JsonNode call(String tool, String argumentsJson, Duration timeout) throws Exception {
    ObjectNode params = JSON.createObjectNode();
    params.put("name", tool);
    params.set("arguments", JSON.readTree(argumentsJson));
    return request("tools/call", params, timeout);
  }

  /** Sends a request and waits for its response (the whole JSON-RPC message). */
  JsonNode request(String method, JsonNode params, Duration timeout) throws Exception {
    long id = ids.incrementAndGet();
    BlockingQueue<JsonNode> q = new LinkedBlockingQueue<>();
    waiting.put(id, q);
    ObjectNode msg = JSON.createObjectNode();
    msg.put("jsonrpc", "2.0");
    msg.put("id", id);
    msg.put("method", method);
    msg.set("params", params);
    send(JSON.writeValueAsString(msg));
    JsonNode r = q.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (r == null) {
      throw new AssertionError("no answer to " + method + " within " + timeout + "; stderr:\n" + stderr());
    }
    return r;
  }

  synchronized void send(String line) throws IOException {
    sendBytes((line + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /** Writes raw bytes to the server's stdin (the caller adds the line end). */
  synchronized void sendBytes(byte[] bytes) throws IOException {
    stdin.write(bytes);
    stdin.flush();
  }

  /** @return a new request id, unique for this server */
  long nextId() {
    return ids.incrementAndGet();
  }

  /** @return every complete line the server wrote to stdout so far, in order */
  List<String> lines() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  void closeStdin() throws IOException {
    stdin.close();
  }

  /** @return every byte the server wrote to stdout so far */
  byte[] rawStdout() {
    synchronized (rawStdout) {
      return rawStdout.toByteArray();
    }
  }

  String stderr() {
    synchronized (stderr) {
      return stderr.toString(StandardCharsets.UTF_8);
    }
  }

  private void readStdout() {
    InputStream in = process.getInputStream();
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    try {
      int b;
      while ((b = in.read()) >= 0) {
        synchronized (rawStdout) {
          rawStdout.write(b);
        }
        if (b == '\n') {
          String text = line.toString(StandardCharsets.UTF_8);
          synchronized (lines) {
            lines.add(text);
          }
          dispatch(text);
          line.reset();
        } else {
          line.write(b);
        }
      }
    } catch (IOException e) {
      // the process ended
    }
  }

  private void dispatch(String line) {
    try {
      JsonNode n = JSON.readTree(line);
      if (n.has("id") && (n.has("result") || n.has("error"))) {
        BlockingQueue<JsonNode> q = waiting.remove(n.get("id").asLong());
        if (q != null) {
          q.add(n);
        }
      }
    } catch (IOException e) {
      // not JSON: the test inspects rawStdout()
    }
  }

  private static void copy(InputStream in, ByteArrayOutputStream sink) {
    byte[] buf = new byte[8192];
    try {
      int n;
      while ((n = in.read(buf)) >= 0) {
        synchronized (sink) {
          sink.write(buf, 0, n);
        }
      }
    } catch (IOException e) {
      // the process ended
    }
  }

  /** @return the process tree right now (the server and its children) */
  List<ProcessHandle> tree() {
    List<ProcessHandle> out = new ArrayList<>();
    out.add(process.toHandle());
    process.descendants().forEach(out::add);
    return out;
  }

  /** Closes stdin, waits for the exit (kills after 5 s) and asserts that no process of the server is left. */
  void close() throws IOException, InterruptedException {
    List<ProcessHandle> tree = tree();
    try {
      stdin.close();
    } catch (IOException e) {
      // already closed
    }
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      tree.forEach(ProcessHandle::destroyForcibly);
    }
    ServerProcesses.assertNoneLeft(tree);
  }
}
