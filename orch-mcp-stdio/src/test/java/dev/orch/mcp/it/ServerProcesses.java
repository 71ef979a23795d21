package dev.orch.mcp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orch.core.testing.Peers;
import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Starts the real Orch MCP server as a child process (the shaded jar that {@code bin/orch-mcp} runs, or, outside
 * Maven's integration-test phase, the test class path) with an isolated environment, and checks that none is left.
 */
final class ServerProcesses {
  static final String JAR_PROPERTY = "orch.mcp.jar";
  /** A system property on every server's command line: its value tells the servers of this JVM apart. */
  private static final String TAG_PROPERTY = "-Dorch.test.server=";
  private static final AtomicLong TAGS = new AtomicLong();
  /** The server process behind each SDK client that {@link #client} started. */
  private static final Map<Object, ProcessHandle> PROCESSES = new ConcurrentHashMap<>();

  private ServerProcesses() {
  }

  /** @return the java command and its arguments that start the server (with a tag no other server has) */
  static List<String> command() {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // first, so that it is found however long the class path is
    cmd.add(TAG_PROPERTY + ProcessHandle.current().pid() + "-" + TAGS.incrementAndGet());
    cmd.add("-Xshare:auto");
    cmd.add("-Xlog:disable");
    cmd.add("-Xlog:all=warning:stderr");
    cmd.add("-Dfile.encoding=UTF-8");
    String jar = System.getProperty(JAR_PROPERTY);
    if (jar != null && Files.isRegularFile(Path.of(jar))) {
      cmd.add("-jar");
      cmd.add(jar);
    } else {
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add("dev.orch.mcp.OrchMcpServer");
    }
    return cmd;
  }

  /**
   * @param dir a temp directory for the server's global home and the CLIs' config dirs
   * @return environment variables that isolate a server from the user's files
   */
  static Map<String, String> isolatedEnv(Path dir) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("NANOBOT_ORCHESTRATOR_HOME", mkdirs(dir.resolve("orch-home")).toString());
    env.put("CODEX_HOME", mkdirs(dir.resolve("codex-home")).toString());
    env.put("CLAUDE_CONFIG_DIR", mkdirs(dir.resolve("claude-home")).toString());
    env.put("ORCH_LOG_LEVEL", "info");
    env.put("ORCH_CHECK_RESULTS", "1"); // every result checked against its tool's output schema
    return env;
  }

  /**
   * Points the codex backend of a server at the real codex binary and a mock Responses API.
   *
   * @param env environment to add to
   * @param mockBaseUrl e.g. {@code http://127.0.0.1:1234/v1}
   */
  static void useCodexWithMock(Map<String, String> env, String mockBaseUrl) {
    env.put("ORCH_CODEX_EXECUTABLE", Peers.codexBinary().toString());
    env.put("PATH", Peers.codexPathDir() + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    env.put("MOCK_API_KEY", "dummy");
    env.put("ORCH_CODEX_MODEL", "gpt-5.5");
    env.put("ORCH_CODEX_CONFIG", "{\"model_provider\":\"mock\",\"model_providers.mock.name\":\"mock\","
        + "\"model_providers.mock.base_url\":\"" + mockBaseUrl + "\",\"model_providers.mock.wire_api\":\"responses\","
        + "\"model_providers.mock.env_key\":\"MOCK_API_KEY\",\"model_providers.mock.request_max_retries\":0,"
        + "\"model_providers.mock.stream_max_retries\":0,\"analytics.enabled\":false}");
    env.put("ORCH_CODEX_EXTRA_ARGS", "[\"--disable\",\"unbounded_connection_retries\",\"--disable\",\"plugins\"]");
    if (env.containsKey("CODEX_HOME")) {
      // an empty HOME for codex's login shells (the user's profile must not slow the tests down)
      Path home = mkdirs(Path.of(env.get("CODEX_HOME")).resolveSibling("agent-home"));
      env.put("ORCH_CODEX_ENV", "{\"HOME\":\"" + home + "\"}");
    }
  }

  /** @return an initialized MCP SDK client talking to a new server process */
  static McpSyncClient client(Map<String, String> env) {
    return client(env, spec -> {
    });
  }

  /**
   * @param customize adds handlers and capabilities to the client before it is built (progress, logging, resource
   *     updates, elicitation)
   * @return an initialized MCP SDK client talking to a new server process
   */
  static McpSyncClient client(Map<String, String> env, Consumer<McpClient.SyncSpec> customize) {
    List<String> cmd = command();
    ServerParameters params = ServerParameters.builder(cmd.get(0)).args(cmd.subList(1, cmd.size())).env(env).build();
    StdioClientTransport transport = new StdioClientTransport(params, new JacksonMcpJsonMapper(new ObjectMapper()));
    transport.setStdErrorHandler(line -> System.err.println("[orch-mcp] " + line));
    McpClient.SyncSpec spec = McpClient.sync(transport)
        .requestTimeout(Duration.ofSeconds(60))
        .initializationTimeout(Duration.ofSeconds(60))
        .enableCallToolSchemaCaching(true);
    customize.accept(spec);
    McpSyncClient client = spec.build();
    client.initialize();
    PROCESSES.put(client, started(cmd));
    return client;
  }

  /**
   * @param client a client from {@link #client} or {@link #asyncClient}
   * @return its server process (alive or not)
   */
  static ProcessHandle process(Object client) {
    ProcessHandle p = PROCESSES.get(client);
    if (p == null) {
      throw new IllegalArgumentException("not a client started by ServerProcesses");
    }
    return p;
  }

  /**
   * @return the child process started with that command (found by its tag), once the client has initialized it;
   *     the server's own children are not considered, though they show its command line until they call exec
   */
  private static ProcessHandle started(List<String> cmd) {
    String tag = cmd.get(1);
    List<ProcessHandle> found = ProcessHandle.current().children()
        .filter(p -> p.info().commandLine().map(c -> c.contains(tag)).orElse(false)).toList();
    assertThat(found).as("the server process tagged %s", tag).hasSize(1);
    return found.get(0);
  }

  /**
   * Waits for a process to exit.
   *
   * @throws AssertionError when it is still alive after the timeout (named with its command line)
   */
  static void awaitExit(ProcessHandle p, Duration timeout) {
    try {
      p.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("process " + p.pid() + " still alive after " + timeout + ": "
          + p.info().commandLine().orElse("?"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for process " + p.pid(), e);
    } catch (ExecutionException e) {
      throw new AssertionError(e);
    }
  }

  /** @return that process and its descendants right now */
  static List<ProcessHandle> tree(ProcessHandle root) {
    List<ProcessHandle> out = new ArrayList<>();
    out.add(root);
    root.descendants().forEach(out::add);
    return out;
  }

  /**
   * @return an initialized asynchronous MCP SDK client talking to a new server process; requests subscribed from one
   *     thread reach the client's transport from that thread only
   */
  static McpAsyncClient asyncClient(Map<String, String> env) {
    List<String> cmd = command();
    ServerParameters params = ServerParameters.builder(cmd.get(0)).args(cmd.subList(1, cmd.size())).env(env).build();
    StdioClientTransport transport = new StdioClientTransport(params, new JacksonMcpJsonMapper(new ObjectMapper()));
    transport.setStdErrorHandler(line -> System.err.println("[orch-mcp] " + line));
    McpAsyncClient client = McpClient.async(transport)
        .requestTimeout(Duration.ofSeconds(180))
        .initializationTimeout(Duration.ofSeconds(60))
        .build();
    client.initialize().block(Duration.ofSeconds(90));
    PROCESSES.put(client, started(cmd));
    return client;
  }

  /**
   * @return the live server processes started by this JVM (any depth), by command line (the shaded jar, the main
   *     class, or the launcher script); a process whose parent is a server is not counted, because a server's child
   *     shows the server's command line until it has called exec
   */
  static List<ProcessHandle> liveServers() {
    return ProcessHandle.current().descendants()
        .filter(ProcessHandle::isAlive)
        .filter(p -> isServerCommand(p) && !p.parent().map(ServerProcesses::isServerCommand).orElse(false))
        .toList();
  }

  private static boolean isServerCommand(ProcessHandle p) {
    return p.info().commandLine().map(c -> c.contains("orch-mcp.jar") || c.contains("OrchMcpServer")
        || c.contains("bin/orch-mcp")).orElse(false);
  }

  /**
   * Asserts that none of the watched processes (a server and the processes it started) is left, waiting up to 10 s
   * for exits (a loaded machine may take seconds to end an agent's whole process group). Servers of other tests are
   * {@link ServerLeakCheck}'s business.
   */
  static void assertNoneLeft(List<ProcessHandle> watched) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline && watched.stream().anyMatch(ProcessHandle::isAlive)) {
      Thread.sleep(50);
    }
    assertThat(watched).as("processes started for the server").noneMatch(ProcessHandle::isAlive);
  }

  static Path mkdirs(Path p) {
    try {
      return Files.createDirectories(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
