package dev.orch.backend.codex.testing;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.testing.Peers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Points the real codex binary at a {@link MockResponsesApi} (REAL-PEERS "Codex against a mock Responses API"):
 * builds the per-run {@code backend_config} of the codex backend, and finds codex processes left behind.
 */
public final class CodexTestSetup {
  /** Arguments every test run passes before {@code resume}: bounded retries, no plugins, a fixed model. */
  public static final List<String> EXTRA_ARGS =
      List.of("--disable", "unbounded_connection_retries", "--disable", "plugins", "-m", "gpt-5.5");

  private CodexTestSetup() {
  }

  /**
   * The {@code backend_config} for a run against the mock:
   * {@code {executable, config: {model_provider: "mock", model_providers.mock.*, analytics.enabled: false},
   * extra_args, env: {CODEX_HOME, MOCK_API_KEY, PATH}}}.
   *
   * @param api the running mock
   * @param codexHome a private directory for CODEX_HOME (threads live there: resume needs the same one)
   * @return a new object the caller may extend (e.g. {@code timeout_ms})
   */
  public static ObjectNode backendConfig(MockResponsesApi api, Path codexHome) {
    ObjectNode c = JsonNodeFactory.instance.objectNode();
    c.put("executable", Peers.codexBinary().toString());
    ObjectNode config = c.putObject("config");
    config.put("model_provider", "mock");
    config.put("model_providers.mock.name", "mock");
    config.put("model_providers.mock.base_url", api.baseUrl());
    config.put("model_providers.mock.wire_api", "responses");
    config.put("model_providers.mock.env_key", "MOCK_API_KEY");
    config.put("model_providers.mock.request_max_retries", 0);
    config.put("model_providers.mock.stream_max_retries", 0);
    config.put("analytics.enabled", false);
    EXTRA_ARGS.forEach(c.putArray("extra_args")::add);
    ObjectNode env = c.putObject("env");
    env.put("CODEX_HOME", codexHome.toString());
    env.put("MOCK_API_KEY", "dummy");
    env.put("PATH", Peers.codexPathDir() + ":" + System.getenv("PATH"));
    env.put("HOME", agentHome(codexHome).toString());
    return c;
  }

  /**
   * @return an empty HOME beside {@code CODEX_HOME} for the CLI: its shell tool runs login shells, and the user's
   *     profile (e.g. pyenv initialisation with a lock) must not slow down or break the tests
   */
  public static Path agentHome(Path codexHome) {
    Path home = codexHome.toAbsolutePath().resolveSibling("agent-home");
    try {
      java.nio.file.Files.createDirectories(home);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return home;
  }

  /** @return live descendants of this JVM whose command mentions codex */
  public static List<ProcessHandle> codexProcesses() {
    return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
        .filter(h -> h.info().command().map(cmd -> cmd.contains("codex")).orElse(false)).toList();
  }

  /** @return every live descendant of this JVM (codex and whatever it started that was not re-parented) */
  public static List<ProcessHandle> descendants() {
    return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList();
  }

  /**
   * Waits until no codex process descends from this JVM.
   *
   * @param timeout the longest wait
   * @return the processes still alive after the wait (empty when all are gone)
   */
  public static List<ProcessHandle> awaitNoCodexProcesses(Duration timeout) {
    return await(CodexTestSetup::codexProcesses, timeout);
  }

  /**
   * Waits until this JVM has no live descendant at all.
   *
   * @param timeout the longest wait
   * @return the processes still alive after the wait (empty when all are gone)
   */
  public static List<ProcessHandle> awaitNoDescendants(Duration timeout) {
    return await(CodexTestSetup::descendants, timeout);
  }

  private static List<ProcessHandle> await(java.util.function.Supplier<List<ProcessHandle>> probe, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<ProcessHandle> left = probe.get();
    while (!left.isEmpty() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      left = probe.get();
    }
    return left;
  }
}
