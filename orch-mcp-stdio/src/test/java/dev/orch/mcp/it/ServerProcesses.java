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
import java.util.function.Consumer;

/**
 * Starts the real Orch MCP server as a child process (the shaded jar that {@code bin/orch-mcp} runs, or, outside
 * Maven's integration-test phase, the test class path) with an isolated environment, and checks that none is left.
 */
final class ServerProcesses {
  static final String JAR_PROPERTY = "orch.mcp.jar";

  private ServerProcesses() {
  }

  /** @return the java command and its arguments that start the server */
  static List<String> command() {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
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
    return client;
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
    return client;
  }

  /** @return the live server processes started by this JVM (any depth), by command line */
  static List<ProcessHandle> liveServers() {
    return ProcessHandle.current().descendants()
        .filter(ProcessHandle::isAlive)
        .filter(p -> p.info().commandLine().map(c -> c.contains("orch-mcp") || c.contains("OrchMcpServer"))
            .orElse(false))
        .toList();
  }

  /** Asserts that no server process (nor any process it started) is left, waiting up to 3 s for exits. */
  static void assertNoneLeft(List<ProcessHandle> watched) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    while (System.nanoTime() < deadline && (watched.stream().anyMatch(ProcessHandle::isAlive)
        || !liveServers().isEmpty())) {
      Thread.sleep(50);
    }
    assertThat(watched).as("processes started for the server").noneMatch(ProcessHandle::isAlive);
    assertThat(liveServers()).as("server processes").isEmpty();
  }

  /** @return the server process and its descendants right now */
  static List<ProcessHandle> serverTree() {
    List<ProcessHandle> out = new ArrayList<>();
    for (ProcessHandle p : liveServers()) {
      out.add(p);
      p.descendants().forEach(out::add);
    }
    return out;
  }

  static Path mkdirs(Path p) {
    try {
      return Files.createDirectories(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
