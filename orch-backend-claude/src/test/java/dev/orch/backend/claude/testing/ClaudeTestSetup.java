package dev.orch.backend.claude.testing;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.testing.Peers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Everything an end-to-end test needs to run the REAL Claude Code binary against a {@link MockMessagesApi}
 * (REAL-PEERS "Claude Code against a mock Messages API"): the mock, a private {@code CLAUDE_CONFIG_DIR}, and the
 * {@code backend_config} / server environment that point the CLI at them. Also finds the claude processes this
 * setup started (by their {@code CLAUDE_CONFIG_DIR}), so tests can assert none is left behind.
 *
 * <p>Use one per test class or test: {@code try (ClaudeTestSetup claude = ClaudeTestSetup.start(tempDir)) {...}}.
 */
public final class ClaudeTestSetup implements AutoCloseable {
  private final MockMessagesApi api;
  private final Path configDir;

  private ClaudeTestSetup(MockMessagesApi api, Path configDir) {
    this.api = api;
    this.configDir = configDir;
  }

  /**
   * Starts a mock Messages API and prepares a config dir.
   *
   * @param tempDir a test's temporary directory; {@code claude-config/} is created in it
   * @return the setup
   * @throws IOException when the mock cannot bind or the directory cannot be created
   */
  public static ClaudeTestSetup start(Path tempDir) throws IOException {
    Path cfg = Files.createDirectories(tempDir.resolve("claude-config"));
    return new ClaudeTestSetup(MockMessagesApi.start(), cfg.toAbsolutePath());
  }

  /** @return the mock model */
  public MockMessagesApi api() {
    return api;
  }

  /** @return the CLAUDE_CONFIG_DIR of the CLI processes */
  public Path configDir() {
    return configDir;
  }

  /** @return the environment of the CLI: mock URL, dummy key, private config dir, no retries or extra traffic */
  public Map<String, String> cliEnvironment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("ANTHROPIC_BASE_URL", api.baseUrl());
    env.put("ANTHROPIC_API_KEY", "dummy");
    env.put("CLAUDE_CONFIG_DIR", configDir.toString());
    env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
    env.put("CLAUDE_CODE_MAX_RETRIES", "0");
    // an empty HOME: the Bash tool snapshots the user's shell profile (pyenv init with a lock can stall it)
    Path home = configDir.resolveSibling("agent-home");
    try {
      java.nio.file.Files.createDirectories(home);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    env.put("HOME", home.toString());
    return env;
  }

  /**
   * @return a {@code backend_config} with {@code executable} = the real binary ({@link Peers#claudeBinary()}) and
   *     {@code env} = {@link #cliEnvironment()}; add more keys as needed
   */
  public ObjectNode backendConfig() {
    ObjectNode cfg = JsonNodeFactory.instance.objectNode();
    cfg.put("executable", Peers.claudeBinary().toString());
    ObjectNode env = cfg.putObject("env");
    cliEnvironment().forEach(env::put);
    return cfg;
  }

  /**
   * @return server-wide settings with the same effect as {@link #backendConfig()}: {@code ORCH_CLAUDE_EXECUTABLE}
   *     and {@code ORCH_CLAUDE_ENV} (JSON), for tests that start the whole server
   */
  public Map<String, String> serverEnvironment() {
    ObjectNode env = JsonNodeFactory.instance.objectNode();
    cliEnvironment().forEach(env::put);
    return Map.of("ORCH_CLAUDE_EXECUTABLE", Peers.claudeBinary().toString(), "ORCH_CLAUDE_ENV", env.toString());
  }

  /**
   * @return the live processes whose environment carries this setup's CLAUDE_CONFIG_DIR (the CLIs and the processes
   *     around them: wrapper, lifeline, FIFO holder)
   */
  public List<ProcessHandle> liveClaudeProcesses() {
    String marker = "CLAUDE_CONFIG_DIR=" + configDir;
    return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive).filter(h -> {
      try {
        byte[] environ = Files.readAllBytes(Path.of("/proc", Long.toString(h.pid()), "environ"));
        for (String entry : new String(environ, StandardCharsets.UTF_8).split("\u0000")) {
          if (entry.equals(marker)) {
            return true;
          }
        }
        return false;
      } catch (IOException | SecurityException e) {
        return false;
      }
    }).collect(Collectors.toList());
  }

  /**
   * @return the live Claude Code CLIs of this setup (not the wrapper, lifeline or FIFO holder processes that run an
   *     agent in its own process group)
   */
  public List<ProcessHandle> liveClaudeClis() {
    String binary = Peers.claudeBinary().getFileName().toString();
    return liveClaudeProcesses().stream()
        .filter(h -> h.info().command().map(c -> c.endsWith(binary)).orElse(false)).collect(Collectors.toList());
  }

  /**
   * Waits until no process of this setup is alive.
   *
   * @param timeout how long to wait
   * @throws AssertionError naming the survivors when some are still alive after the timeout
   */
  public void awaitNoClaudeProcesses(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<ProcessHandle> live = liveClaudeProcesses();
    while (!live.isEmpty() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      live = liveClaudeProcesses();
    }
    if (!live.isEmpty()) {
      throw new AssertionError("claude processes left behind: " + live.stream()
          .map(h -> h.pid() + " " + h.info().commandLine().orElse("?")).collect(Collectors.joining(", ")));
    }
  }

  /** Stops the mock. */
  @Override
  public void close() {
    api.close();
  }
}
