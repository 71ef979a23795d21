package dev.orch.backend.a2a.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orch.core.testing.Peers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * An independent A2A agent for tests: {@code a2a-peer.cjs} (npm {@code @a2a-js/sdk@1.3.0} + express, v0.3
 * compatibility on) run by the real {@code node} on 127.0.0.1 with an OS-chosen port. Its behaviour is chosen by
 * keywords in the message text ({@code [ask]}, {@code [auth]}, {@code [taskwait]}, {@code [reject]}, {@code [fail]},
 * {@code [slow]}, {@code [drop]}, {@code [hold]} until {@link #release()}, anything else answers with an artifact); see
 * the script's header. Every JSON-RPC
 * request it received is listed by {@link #log()}: {@code [{method, headers, task_id, context_id, metadata, text[],
 * configuration}]}.
 *
 * <p>{@link #close()} stops the process (SIGTERM, then SIGKILL after 5 s) and checks it is gone. Not thread-safe.
 */
public final class JsA2aPeer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private final Process process;
  private final Path dir;
  private final int port;
  private final List<String> stderr;

  private JsA2aPeer(Process process, Path dir, int port, List<String> stderr) {
    this.process = process;
    this.dir = dir;
    this.port = port;
    this.stderr = stderr;
  }

  /**
   * Starts a streaming peer.
   *
   * @return the running peer
   * @throws IllegalStateException when node or the npm packages are missing or the peer does not start in 20 s
   */
  public static JsA2aPeer start() {
    return start(true);
  }

  /**
   * @param streaming false to start a peer whose card says {@code streaming: false} (clients use message/send)
   * @return the running peer
   * @throws IllegalStateException when node or the npm packages are missing or the peer does not start in 20 s
   */
  public static JsA2aPeer start(boolean streaming) {
    Path nodeModules = Peers.nodeModules();
    Peers.require(nodeModules.resolve("@a2a-js/sdk"));
    Peers.require(nodeModules.resolve("express"));
    try {
      Path dir = Files.createTempDirectory("orch-js-a2a-peer");
      Path script = dir.resolve("a2a-peer.cjs");
      try (InputStream in = JsA2aPeer.class.getResourceAsStream("a2a-peer.cjs")) {
        if (in == null) {
          throw new IllegalStateException("a2a-peer.cjs is missing from the class path");
        }
        Files.copy(in, script);
      }
      List<String> cmd = new ArrayList<>(List.of("node", script.toString()));
      if (!streaming) {
        cmd.add("--no-streaming");
      }
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
      pb.environment().put("NODE_PATH", nodeModules.toString());
      Process p = pb.start();
      List<String> err = java.util.Collections.synchronizedList(new ArrayList<>());
      drain(p.getErrorStream(), err);
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      CompletableFuture<Integer> portFuture = CompletableFuture.supplyAsync(() -> {
        try {
          String line;
          while ((line = out.readLine()) != null) {
            if (line.startsWith("PORT ")) {
              return Integer.parseInt(line.substring(5).trim());
            }
          }
          return -1;
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      int port;
      try {
        port = portFuture.get(20, TimeUnit.SECONDS);
      } catch (Exception e) {
        port = -1;
      }
      if (port <= 0) {
        p.destroyForcibly();
        throw new IllegalStateException("the JS A2A peer did not start; stderr: " + String.join("\n", err));
      }
      drain(p.getInputStream(), new ArrayList<>());
      return new JsA2aPeer(p, dir, port, err);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void drain(InputStream in, List<String> sink) {
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          if (sink.size() < 500) {
            sink.add(line);
          }
        }
      } catch (IOException e) {
        // the process ended
      }
    }, "js-a2a-peer-drain");
    t.setDaemon(true);
    t.start();
  }

  /** @return the TCP port on 127.0.0.1 */
  public int port() {
    return port;
  }

  /** @return {@code http://127.0.0.1:<port>}, the agent's base URL (card at {@code /.well-known/agent-card.json}) */
  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  /** @return the node process */
  public ProcessHandle process() {
    return process.toHandle();
  }

  /** @return stderr lines so far (for failure messages) */
  public List<String> stderr() {
    return List.copyOf(stderr);
  }

  /**
   * @return the JSON-RPC requests the peer received, oldest first (GET /_log)
   * @throws IllegalStateException when the log cannot be read
   */
  public JsonNode log() {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/_log"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the peer log", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * Lets every {@code [hold]} task (waiting or later) answer (GET /_release).
   *
   * @throws IllegalStateException when the peer does not answer
   */
  public void release() {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/_release"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("release answered " + r.statusCode());
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot release the peer's held tasks", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Header that marks the peer log entries of {@link #taskState} (so tests can tell them from the client's). */
  public static final String PROBE_HEADER = "x-orch-test-probe";

  /**
   * Reads a task's state with a JSON-RPC {@code tasks/get} of its own (logged with {@value #PROBE_HEADER}).
   *
   * @param taskId the task
   * @return the A2A 0.3 state ({@code working}, {@code completed} …), or "" when the answer has none
   * @throws IllegalStateException when the peer does not answer
   */
  public String taskState(String taskId) {
    String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tasks/get\",\"params\":{\"id\":\"" + taskId
        + "\"}}";
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/a2a/jsonrpc"))
          .header("Content-Type", "application/json").header(PROBE_HEADER, "1").timeout(Duration.ofSeconds(5))
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
      return JSON.readTree(r.body()).path("result").path("status").path("state").asText("");
    } catch (IOException e) {
      throw new IllegalStateException("cannot read task " + taskId, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** @return the log entries with that JSON-RPC method (without those of {@link #taskState}) */
  public List<JsonNode> requests(String method) {
    List<JsonNode> out = new ArrayList<>();
    log().forEach(n -> {
      if (method.equals(n.path("method").asText()) && !n.path("headers").has(PROBE_HEADER)) {
        out.add(n);
      }
    });
    return out;
  }

  /**
   * Stops the peer and removes its temporary directory.
   *
   * @throws IllegalStateException when the process is still alive after SIGKILL
   */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (process.isAlive()) {
      throw new IllegalStateException("the JS A2A peer (pid " + process.pid() + ") is still alive");
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // best effort
    }
  }
}
