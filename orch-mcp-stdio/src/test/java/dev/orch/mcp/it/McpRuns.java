package dev.orch.mcp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Drives one real server process through the MCP Java SDK client ({@link ServerProcesses#client}) the way an
 * orchestrating model would: tool calls by name with JSON arguments, and {@code poll_events} loops that remember,
 * per run, every event seen so far and the next {@code after_seq}. {@link #close()} stops the server and asserts
 * that no process of it is left. Not thread-safe.
 */
final class McpRuns implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Set<String> TERMINAL = Set.of("completed", "failed", "cancelled", "rejected");

  private final McpSyncClient client;
  private final Map<String, List<JsonNode>> events = new ConcurrentHashMap<>();
  private final Map<String, Long> nextAfter = new ConcurrentHashMap<>();
  private final Map<String, String> lastStatus = new ConcurrentHashMap<>();
  private static final Duration EXIT = Duration.ofSeconds(30);
  private boolean closed;

  private McpRuns(McpSyncClient client) {
    this.client = client;
  }

  /** @return a driver for a new, initialized server process with that environment */
  static McpRuns start(Map<String, String> env) {
    return new McpRuns(ServerProcesses.client(env));
  }

  /** @return a driver whose client was customized (handlers, capabilities) before it was built */
  static McpRuns start(Map<String, String> env, java.util.function.Consumer<McpClient.SyncSpec> customize) {
    return new McpRuns(ServerProcesses.client(env, customize));
  }

  /** @return the SDK client (for resources, logging levels and requests with a progress token) */
  McpSyncClient client() {
    return client;
  }

  /** @return a new empty JSON object for building arguments */
  static ObjectNode object() {
    return JSON.createObjectNode();
  }

  /** @return an AgentMessage {@code {role:"user", parts:[{type:"text", text}]}} */
  static ObjectNode userText(String text) {
    ObjectNode m = JSON.createObjectNode().put("role", "user");
    m.putArray("parts").addObject().put("type", "text").put("text", text);
    return m;
  }

  /** Calls a tool that must succeed; @return its structuredContent, checked against the text content */
  JsonNode call(String tool, JsonNode args) {
    McpSchema.CallToolResult r = raw(tool, args);
    String text = text(r);
    assertThat(r.isError()).as("%s failed: %s", tool, text).isNotEqualTo(Boolean.TRUE);
    JsonNode structured = JSON.valueToTree(r.structuredContent());
    try {
      assertThat(JSON.readTree(text)).as("text content of %s", tool).isEqualTo(structured);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return structured;
  }

  /** Calls a tool that must fail; @return the error text */
  String callError(String tool, JsonNode args) {
    McpSchema.CallToolResult r = raw(tool, args);
    assertThat(r.isError()).as("%s answered %s", tool, text(r)).isTrue();
    return text(r);
  }

  McpSchema.CallToolResult raw(String tool, JsonNode args) {
    Map<String, Object> map = JSON.convertValue(args, new TypeReference<Map<String, Object>>() {
    });
    return client.callTool(McpSchema.CallToolRequest.builder(tool).arguments(map).build());
  }

  static String text(McpSchema.CallToolResult r) {
    return ((McpSchema.TextContent) r.content().get(0)).text();
  }

  /** @return the spawn_run answer; its status is {@code queued} */
  JsonNode spawn(JsonNode args) {
    JsonNode out = call("spawn_run", args);
    assertThat(out.path("status").asText()).as("status at return of spawn_run").isEqualTo("queued");
    return out;
  }

  /** @return get_run of that run */
  JsonNode getRun(String runId) {
    return call("get_run", object().put("run_id", runId));
  }

  /**
   * Polls the run (long polls of at most 2 s) until an event matches, looking at the events seen before too.
   *
   * @return the first matching event
   * @throws AssertionError when none matches within the timeout or the run ends without one
   */
  JsonNode awaitEvent(String runId, Predicate<JsonNode> match, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      for (JsonNode e : events(runId)) {
        if (match.test(e)) {
          return e;
        }
      }
      boolean drained = pollOnce(runId, 2000);
      if (drained && TERMINAL.contains(lastStatus.get(runId))) {
        throw new AssertionError("run " + runId + " ended " + lastStatus.get(runId) + " without the expected event: "
            + events(runId));
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no expected event of run " + runId + " within " + timeout + ": " + events(runId));
      }
    }
  }

  /** @return the first event of that type (waiting for it) */
  JsonNode awaitEvent(String runId, String type, Duration timeout) {
    return awaitEvent(runId, e -> type.equals(e.path("type").asText()), timeout);
  }

  /**
   * Polls until poll_events reports one of the statuses; for a terminal status also until the run has nothing new.
   *
   * @return the status reached
   */
  String awaitStatus(String runId, Set<String> statuses, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      boolean drained = pollOnce(runId, 2000);
      String s = lastStatus.get(runId);
      if (statuses.contains(s) && (!TERMINAL.contains(s) || drained)) {
        return s;
      }
      if (drained && TERMINAL.contains(s)) {
        throw new AssertionError("run " + runId + " ended " + s + ", expected " + statuses + ": " + events(runId));
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("run " + runId + " is " + s + " after " + timeout + ", expected " + statuses + ": "
            + events(runId));
      }
    }
  }

  /** Polls until the run is terminal with nothing new; @return the terminal status */
  String awaitTerminal(String runId, Duration timeout) {
    return awaitStatus(runId, TERMINAL, timeout);
  }

  /** One poll_events call; @return true when the page was empty (nothing new within wait_ms, or terminal) */
  private boolean pollOnce(String runId, long waitMs) {
    long after = nextAfter.getOrDefault(runId, 0L);
    JsonNode page = call("poll_events", object().put("run_id", runId).put("after_seq", after).put("wait_ms", waitMs)
        .put("limit", 1000));
    assertThat(page.path("run_id").asText()).isEqualTo(runId);
    List<JsonNode> list = events.computeIfAbsent(runId, k -> new ArrayList<>());
    for (JsonNode e : page.path("events")) {
      assertThat(e.path("seq").asLong()).as("seq order").isEqualTo(list.size() + 1L);
      assertThat(e.path("run_id").asText()).isEqualTo(runId);
      list.add(e);
    }
    nextAfter.put(runId, page.path("next_after_seq").asLong());
    lastStatus.put(runId, page.path("status").asText());
    return page.path("events").isEmpty();
  }

  /** @return every event of the run seen so far, oldest first */
  List<JsonNode> events(String runId) {
    return List.copyOf(events.getOrDefault(runId, List.of()));
  }

  /** @return the event types of the run seen so far */
  List<String> types(String runId) {
    return events(runId).stream().map(e -> e.path("type").asText()).toList();
  }

  /** @return the events of that type seen so far */
  List<JsonNode> ofType(String runId, String type) {
    return events(runId).stream().filter(e -> type.equals(e.path("type").asText())).toList();
  }

  /** @return how many terminal events (run_completed, run_failed, status_changed to a terminal status) the run has */
  long terminalCount(String runId) {
    return events(runId).stream().filter(e -> {
      String t = e.path("type").asText();
      return t.equals("run_completed") || t.equals("run_failed")
          || t.equals("status_changed") && TERMINAL.contains(e.path("data").path("status").asText());
    }).count();
  }

  /** @return every regular file below the directories that exist among the given ones */
  static List<Path> filesUnder(Path... dirs) {
    List<Path> out = new ArrayList<>();
    for (Path d : dirs) {
      if (!Files.isDirectory(d)) {
        continue;
      }
      try (Stream<Path> s = Files.walk(d)) {
        s.filter(Files::isRegularFile).forEach(out::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  /**
   * Kills this driver's server with SIGKILL (no shutdown of any kind) and waits up to 30 s until it is gone; the
   * agents it started are left as they are. The driver cannot be used afterwards.
   */
  void kill() {
    ProcessHandle server = ServerProcesses.process(client);
    server.destroyForcibly();
    ServerProcesses.awaitExit(server, EXIT);
    client.close();
    closed = true;
  }

  /**
   * Ends the session the way a one-shot client does (stdin EOF) and waits up to 30 s until this driver's server has
   * exited, without asserting anything about the agents it started (with {@code ORCH_ON_EXIT=detach} they go on).
   */
  void closeLeavingAgents() {
    closed = true;
    client.closeGracefully();
    ServerProcesses.awaitExit(ServerProcesses.process(client), EXIT);
  }

  /**
   * Stops the server (stdin EOF) and asserts that neither it nor any process it started is left. Does nothing once
   * the driver was closed or its server killed, so that a test's clean-up may close every driver it started.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<ProcessHandle> tree = ServerProcesses.tree(ServerProcesses.process(client));
    client.closeGracefully();
    try {
      ServerProcesses.assertNoneLeft(tree);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while checking that no server process is left", e);
    }
  }

  /**
   * Closes every driver given that is not null (see {@link #close()}), each even when an earlier one fails.
   *
   * @throws AssertionError or another failure of the first close that failed, the later ones suppressed in it
   */
  static void closeAll(McpRuns... drivers) {
    Throwable first = null;
    for (McpRuns d : drivers) {
      try {
        if (d != null) {
          d.close();
        }
      } catch (RuntimeException | AssertionError e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first instanceof RuntimeException r) {
      throw r;
    }
    if (first != null) {
      throw (AssertionError) first;
    }
  }
}
