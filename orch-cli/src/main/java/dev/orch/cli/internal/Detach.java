package dev.orch.cli.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.OrchException;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code --detach}: hands a spawn or continue to a background JVM ({@link DetachedMain}) that owns the run until it
 * is terminal and then exits, so the run keeps going after the command line returns (it does not rely on the
 * engine keeping runs alive without an owner). The child is started in its own session ({@code setsid}, so a
 * closed terminal or Ctrl+C does not reach it), with stdin = the request JSON, stderr = a log file under the
 * store home ({@code $NANOBOT_ORCHESTRATOR_HOME/logs/detached-<time>-<id>.log}), and stdout = a pipe on which it
 * answers one JSON line (the spawn_run / continue_run result, or the error) and closes.
 */
public final class Detach {
  /** How long the command line waits for the child's answer (JVM start + backend validation). */
  static final long ANSWER_TIMEOUT_S = 60;

  private Detach() {
  }

  /**
   * @param operation a {@link Requests} operation
   * @return the child's answer: {@code {"ok":true, "result":{...}, "log":"<path>", "pid":N}}
   * @throws OrchException with the child's error code and message, or STORE/INTERNAL when it could not start
   */
  public static ObjectNode launch(Cli cli, ObjectNode operation) {
    Path logs = home(cli.env()).resolve("logs");
    Path log = logs.resolve("detached-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
        + "-" + UUID.randomUUID().toString().substring(0, 8) + ".log");
    List<String> cmd = new ArrayList<>();
    if (new File("/usr/bin/setsid").canExecute()) {
      cmd.add("/usr/bin/setsid");
    }
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xshare:auto");
    cmd.add("-Xlog:disable");
    cmd.add("-Xlog:all=warning:stderr");
    cmd.add("-Dfile.encoding=UTF-8");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(DetachedMain.class.getName());
    Process p;
    try {
      Files.createDirectories(logs);
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
      pb.environment().clear();
      pb.environment().putAll(cli.env());
      p = pb.start();
      try (OutputStream in = p.getOutputStream()) {
        in.write(Wire.line(operation).getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new OrchException(OrchException.ErrorCode.INTERNAL, "cannot start the background process: "
          + e.getMessage(), e);
    }
    BufferedReader reader = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
      try {
        return reader.readLine();
      } catch (IOException e) {
        return null;
      }
    });
    String text;
    try {
      text = line.get(ANSWER_TIMEOUT_S, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OrchException(OrchException.ErrorCode.INTERNAL, "interrupted while starting the background process");
    } catch (ExecutionException | TimeoutException e) {
      text = null;
    }
    if (text == null) {
      throw new OrchException(OrchException.ErrorCode.INTERNAL, "the background process did not answer; see " + log);
    }
    JsonNode answer;
    try {
      answer = Wire.JSON.readTree(text);
    } catch (IOException e) {
      throw new OrchException(OrchException.ErrorCode.INTERNAL, "the background process answered garbage; see "
          + log);
    }
    if (!answer.path("ok").asBoolean(false)) {
      OrchException.ErrorCode code;
      try {
        code = OrchException.ErrorCode.valueOf(answer.path("error_code").asText("INTERNAL"));
      } catch (IllegalArgumentException e) {
        code = OrchException.ErrorCode.INTERNAL;
      }
      throw new OrchException(code, answer.path("message").asText("the background process failed; see " + log));
    }
    ObjectNode out = (ObjectNode) answer;
    out.put("log", log.toString());
    out.put("pid", p.pid());
    return out;
  }

  /** @return {@code $NANOBOT_ORCHESTRATOR_HOME}, default {@code ~/.nanobot-orchestrator} */
  static Path home(Map<String, String> env) {
    String home = env.get("NANOBOT_ORCHESTRATOR_HOME");
    String user = System.getProperty("user.home");
    if (home == null || home.isBlank()) {
      return Path.of(user, ".nanobot-orchestrator");
    }
    return home.equals("~") || home.startsWith("~/") ? Path.of(user + home.substring(1)) : Path.of(home);
  }
}
