package dev.orch.cli.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orch.core.testing.Peers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the launchers of the repository ({@code bin/orch}, {@code bin/peer}) as child processes with an isolated
 * environment, and builds that environment (store home, codex and claude config dirs, the codex mock settings).
 */
final class Processes {
  static final ObjectMapper JSON = new ObjectMapper();

  private Processes() {
  }

  /** The result of one command. */
  record Result(int code, String out, String err, Duration took) {
    /** @return stdout parsed as JSON */
    JsonNode json() {
      try {
        return JSON.readTree(out);
      } catch (IOException e) {
        throw new AssertionError("stdout is not JSON: " + out + "\nstderr: " + err, e);
      }
    }

    /** @return each stdout line parsed as JSON */
    List<JsonNode> jsonLines() {
      List<JsonNode> out2 = new ArrayList<>();
      for (String l : out.split("\n")) {
        if (!l.isBlank()) {
          try {
            out2.add(JSON.readTree(l));
          } catch (IOException e) {
            throw new AssertionError("line is not JSON: " + l, e);
          }
        }
      }
      return out2;
    }

    @Override
    public String toString() {
      return "exit " + code + " in " + took.toMillis() + " ms\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  /** @return the repository's {@code bin/<name>} */
  static Path bin(String name) {
    return Peers.repoRoot().resolve("bin").resolve(name);
  }

  /**
   * @param dir a temp directory
   * @return an environment that isolates Orch and the CLIs from the user's files (plus this JVM's PATH and HOME)
   */
  static Map<String, String> isolatedEnv(Path dir) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
    env.put("HOME", System.getProperty("user.home"));
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("NANOBOT_ORCHESTRATOR_HOME", mkdirs(dir.resolve("orch-home")).toString());
    env.put("CODEX_HOME", mkdirs(dir.resolve("codex-home")).toString());
    env.put("CLAUDE_CONFIG_DIR", mkdirs(dir.resolve("claude-home")).toString());
    env.put("NO_COLOR", "1");
    return env;
  }

  /** Points the codex backend at the real binary and a mock Responses API (server-wide ORCH_CODEX_* settings). */
  static void useCodexWithMock(Map<String, String> env, String mockBaseUrl) {
    env.put("ORCH_CODEX_EXECUTABLE", Peers.codexBinary().toString());
    env.put("PATH", Peers.codexPathDir() + ":" + env.get("PATH"));
    env.put("MOCK_API_KEY", "dummy");
    env.put("ORCH_CODEX_MODEL", "gpt-5.5");
    env.put("ORCH_CODEX_CONFIG", "{\"model_provider\":\"mock\",\"model_providers.mock.name\":\"mock\","
        + "\"model_providers.mock.base_url\":\"" + mockBaseUrl + "\",\"model_providers.mock.wire_api\":\"responses\","
        + "\"model_providers.mock.env_key\":\"MOCK_API_KEY\",\"model_providers.mock.request_max_retries\":0,"
        + "\"model_providers.mock.stream_max_retries\":0,\"analytics.enabled\":false}");
    env.put("ORCH_CODEX_EXTRA_ARGS", "[\"--disable\",\"unbounded_connection_retries\",\"--disable\",\"plugins\"]");
  }

  /** Runs {@code bin/<name> args} in cwd, waits up to 90 s. */
  static Result run(Map<String, String> env, Path cwd, String name, String... args) {
    return runWithInput(env, cwd, null, name, args);
  }

  /** Runs {@code bin/<name> args} with stdin text (or none), waits up to 90 s. */
  static Result runWithInput(Map<String, String> env, Path cwd, String stdin, String name, String... args) {
    long t0 = System.nanoTime();
    Process p = start(env, cwd, name, args);
    try {
      CompletableFuture<String> out = read(p.getInputStream());
      CompletableFuture<String> err = read(p.getErrorStream());
      try (var in = p.getOutputStream()) {
        if (stdin != null) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
      }
      if (!p.waitFor(90, TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        throw new AssertionError("bin/" + name + " " + String.join(" ", args) + " did not end within 90 s");
      }
      return new Result(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS),
          Duration.ofNanos(System.nanoTime() - t0));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Starts {@code bin/<name> args} in cwd (stdin a pipe the caller may close). */
  static Process start(Map<String, String> env, Path cwd, String name, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(bin(name).toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
    pb.environment().clear();
    pb.environment().putAll(env);
    try {
      return pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static CompletableFuture<String> read(java.io.InputStream in) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "";
      }
    });
  }

  static Path mkdirs(Path p) {
    try {
      return Files.createDirectories(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * @return live processes on the machine whose command line contains the marker (use a marker unique to the test,
   *     e.g. its temp dir: other builds may run on the same machine)
   */
  static List<ProcessHandle> processesWith(String marker) {
    return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
        .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false)).toList();
  }

  /** Waits until no process has the marker in its command line; @return those left */
  static List<ProcessHandle> awaitNone(String marker, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<ProcessHandle> left = processesWith(marker);
    while (!left.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
      left = processesWith(marker);
    }
    return left;
  }

  /**
   * Waits until no process whose command line contains the marker has the environment entry (e.g. this test's
   * {@code NANOBOT_ORCHESTRATOR_HOME=...}); @return those left
   */
  static List<ProcessHandle> awaitNoneWithEnv(String marker, String envEntry, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<ProcessHandle> left = withEnv(processesWith(marker), envEntry);
    while (!left.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
      left = withEnv(processesWith(marker), envEntry);
    }
    return left;
  }

  private static List<ProcessHandle> withEnv(List<ProcessHandle> processes, String envEntry) {
    return processes.stream().filter(h -> {
      try {
        byte[] environ = Files.readAllBytes(Path.of("/proc", Long.toString(h.pid()), "environ"));
        return List.of(new String(environ, StandardCharsets.UTF_8).split("\u0000")).contains(envEntry);
      } catch (IOException | SecurityException e) {
        return false;
      }
    }).toList();
  }

  /** Waits until no descendant of this JVM has the marker in its command line; @return those left */
  static List<ProcessHandle> awaitNoDescendant(String marker, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<ProcessHandle> left = descendantsWith(marker);
    while (!left.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
      left = descendantsWith(marker);
    }
    return left;
  }

  static List<ProcessHandle> descendantsWith(String marker) {
    return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
        .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false)).toList();
  }
}
