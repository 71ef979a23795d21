package dev.orch.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One real Orch server process started through the real launcher ({@code bin/orch-mcp}) and driven over stdio by
 * the official MCP Java SDK client, the way an orchestrating model drives it. Knows the server's pid (the launcher
 * execs the JVM) to read its RSS. The server's stderr goes to a log file. Not thread-safe except
 * {@link #call}, which the SDK client allows concurrently.
 */
public final class Server implements AutoCloseable {
  /** Terminal statuses (SPEC §2). */
  public static final Set<String> TERMINAL = Set.of("completed", "failed", "cancelled", "rejected");
  static final ObjectMapper JSON = new ObjectMapper();

  private final McpSyncClient client;
  private final ProcessHandle process;
  private final PrintWriter log;

  private Server(McpSyncClient client, ProcessHandle process, PrintWriter log) {
    this.client = client;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts a server and initializes the MCP session.
   *
   * @param launcher {@code bin/orch-mcp}
   * @param env variables added to this JVM's environment for the server
   * @param logFile where the server's stderr is appended
   * @return the initialized server
   * @throws IllegalStateException when the server process cannot be found after start
   */
  public static Server start(Path launcher, Map<String, String> env, Path logFile) {
    return start(launcher, env, logFile, false);
  }

  /**
   * Starts a server and initializes the MCP session.
   *
   * @param launcher {@code bin/orch-mcp}
   * @param env variables added to this JVM's environment for the server
   * @param logFile where the server's stderr is appended
   * @param blockReads true: the SDK client over {@link LineClientTransport} (reads stdout in blocks); false: over
   *     the SDK's own {@code StdioClientTransport} (reads one char at a time)
   * @return the initialized server
   * @throws IllegalStateException when the server process cannot be found after start
   */
  public static Server start(Path launcher, Map<String, String> env, Path logFile, boolean blockReads) {
    Set<Long> before = children();
    PrintWriter log;
    try {
      log = new PrintWriter(Files.newBufferedWriter(logFile, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND), true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    McpClientTransport transport;
    if (blockReads) {
      transport = new LineClientTransport(List.of(launcher.toString()), env, new JacksonMcpJsonMapper(JSON),
          log::println);
    } else {
      ServerParameters params = ServerParameters.builder(launcher.toString()).env(env).build();
      StdioClientTransport sdk = new StdioClientTransport(params, new JacksonMcpJsonMapper(JSON));
      sdk.setStdErrorHandler(log::println);
      transport = sdk;
    }
    McpSyncClient client = McpClient.sync(transport)
        .requestTimeout(Duration.ofSeconds(120))
        .initializationTimeout(Duration.ofSeconds(60))
        .build();
    client.initialize();
    ProcessHandle server = ProcessHandle.current().children()
        .filter(p -> !before.contains(p.pid()))
        .filter(p -> p.info().commandLine().map(c -> c.contains("orch-mcp")).orElse(false))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("the server process was not found among the children"));
    return new Server(client, server, log);
  }

  private static Set<Long> children() {
    Set<Long> out = new HashSet<>();
    ProcessHandle.current().children().forEach(p -> out.add(p.pid()));
    return out;
  }

  /** @return the server JVM's pid */
  public long pid() {
    return process.pid();
  }

  /** @return the server's resident set size now, bytes (VmRSS of /proc/&lt;pid&gt;/status) */
  public long rss() {
    return Procfs.rss(process.pid());
  }

  /** @return the server's CPU time so far (user + system), ms */
  public long cpuMillis() {
    return Procfs.cpuMillis(process.pid());
  }

  /**
   * Calls a tool that must succeed.
   *
   * @param tool tool name
   * @param args arguments object
   * @return the result's structuredContent
   * @throws IllegalStateException with the tool's error text when the result is an error
   */
  public JsonNode call(String tool, ObjectNode args) {
    Map<String, Object> map = JSON.convertValue(args, new TypeReference<Map<String, Object>>() {
    });
    McpSchema.CallToolResult r = client.callTool(McpSchema.CallToolRequest.builder(tool).arguments(map).build());
    if (Boolean.TRUE.equals(r.isError())) {
      String text = r.content().isEmpty() ? "(no text)" : ((McpSchema.TextContent) r.content().get(0)).text();
      throw new IllegalStateException(tool + " failed: " + text);
    }
    return JSON.valueToTree(r.structuredContent());
  }

  /** Sends an MCP {@code ping} and waits for its answer (the protocol's cheapest round trip). */
  public void ping() {
    client.ping();
  }

  /** @return a new empty arguments object */
  public static ObjectNode args() {
    return JSON.createObjectNode();
  }

  /**
   * Starts a codex run (the fake CLI reads the prompt as its script).
   *
   * @return the run id
   */
  public String spawnCodex(Path cwd, String prompt) {
    return call("spawn_run", args().put("backend", "codex").put("role", "worker").put("cwd", cwd.toString())
        .put("session_mode", "new").put("prompt", prompt)).path("run_id").asText();
  }

  /**
   * Polls with {@code limit: 1000} until the run is terminal and has nothing new.
   *
   * @return the number of events seen
   * @throws IllegalStateException when the run does not end as completed
   */
  public long drain(String runId) {
    long after = 0;
    long seen = 0;
    while (true) {
      JsonNode page = call("poll_events", args().put("run_id", runId).put("after_seq", after).put("limit", 1000)
          .put("wait_ms", 20_000));
      int n = page.path("events").size();
      seen += n;
      after = page.path("next_after_seq").asLong();
      String status = page.path("status").asText();
      if (n == 0 && TERMINAL.contains(status)) {
        if (!"completed".equals(status)) {
          throw new IllegalStateException("run " + runId + " ended " + status);
        }
        return seen;
      }
    }
  }

  /** Ends stdin (the server shuts down), waits up to 10 s, then kills what is left. */
  @Override
  public void close() {
    try {
      client.closeGracefully();
    } catch (RuntimeException e) {
      log.println("closing the client: " + e);
    }
    try {
      process.onExit().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
    log.close();
  }

  /** @return the launcher's environment additions that isolate a server in {@code dir} and use the fake codex */
  public static Map<String, String> env(Path home, Path fakeCodex) {
    return Map.of("NANOBOT_ORCHESTRATOR_HOME", home.toString(), "ORCH_CODEX_EXECUTABLE", fakeCodex.toString(),
        "ORCH_LOG_LEVEL", "warn");
  }
}
