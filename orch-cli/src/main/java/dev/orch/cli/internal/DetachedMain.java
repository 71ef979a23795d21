package dev.orch.cli.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.AgentMessage;
import dev.orch.core.ContinueResult;
import dev.orch.core.OrchException;
import dev.orch.core.Orchestrator;
import dev.orch.core.RunId;
import dev.orch.core.RunRef;
import dev.orch.core.SpawnResult;
import dev.orch.core.WireJson;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background process behind {@code --detach} ({@link Detach}): reads one operation from stdin, carries it out
 * with its own {@link Orchestrator} (which reconciles orphans at start, like any run owner), answers one JSON line
 * on stdout and closes stdout, then owns the run until it is terminal (answering cross-process cancel/continue
 * requests through the control channel meanwhile) and exits. SIGTERM cancels the run (shutdown hook). Logs go to
 * stderr, which the parent pointed at a log file.
 */
public final class DetachedMain {
  private DetachedMain() {
  }

  /**
   * @param args none
   * @throws IOException when stdin cannot be read
   */
  public static void main(String[] args) throws IOException {
    Cli.configureLogging(System.getenv());
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
        System.getenv().getOrDefault("ORCH_LOG_LEVEL", "info"));
    Logger log = LoggerFactory.getLogger(DetachedMain.class);
    PrintStream answer = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    System.setOut(System.err);
    JsonNode op = Wire.JSON.readTree(System.in.readAllBytes());
    Orchestrator orch;
    try {
      orch = Orchestrator.builder().reconcileOnStart(true).build();
    } catch (OrchException e) {
      answer.println(Wire.line(error(e)));
      answer.close();
      System.exit(ExitCodes.of(e.code()));
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(orch::close, "orch-detached-shutdown"));
    RunId owned;
    try {
      ObjectNode ok = JsonNodeFactory.instance.objectNode().put("ok", true);
      if ("continue".equals(op.path("op").asText())) {
        ContinueResult r = orch.continueRun(ref(op), AgentMessage.fromJson(op.get("input_message"),
            "input_message"));
        ok.set("result", WireJson.continued(r));
        owned = "resume".equals(r.mode()) ? r.runId() : null;
      } else {
        SpawnResult r = orch.spawn(Requests.toSpawnRequest(op));
        ok.set("result", WireJson.spawn(r));
        owned = r.runId();
      }
      answer.println(Wire.line(ok));
    } catch (OrchException e) {
      answer.println(Wire.line(error(e)));
      owned = null;
    } catch (RuntimeException e) {
      log.error("detached operation failed", e);
      answer.println(Wire.line(error(new OrchException(OrchException.ErrorCode.INTERNAL, e.toString()))));
      owned = null;
    }
    answer.close();
    if (owned != null) {
      log.info("owning run {} until it is terminal", owned);
      long after = 0;
      while (true) {
        var page = orch.poll(RunRef.of(owned), after, 1000, Duration.ofSeconds(20));
        after = page.nextAfterSeq();
        if (page.status().isTerminal() && page.events().isEmpty()) {
          log.info("run {} ended {}", owned, page.status().wire());
          break;
        }
      }
    }
    System.exit(0);
  }

  private static RunRef ref(JsonNode op) {
    return Refs.of(op.path("run").asText(), op.path("cwd").asText(null));
  }

  private static ObjectNode error(OrchException e) {
    return JsonNodeFactory.instance.objectNode().put("ok", false).put("error_code", e.code().name())
        .put("message", e.getMessage());
  }
}
