package dev.orch.bench.jmh;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.EventType;
import dev.orch.core.NormalizedEvent;
import dev.orch.core.Role;
import dev.orch.core.RunId;
import dev.orch.core.RunStatus;
import dev.orch.core.SessionId;
import dev.orch.core.spi.RunRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Event data shaped like what the codex backend produces under the flood of issue 8 (an agent message; a finished
 * command with 8 KiB of output, every 100th event), and run records for the store benchmarks.
 */
final class Fixtures {
  static final Instant TS = Instant.parse("2026-12-01T12:00:00.123Z");

  private Fixtures() {
  }

  /** @return {@code {text}} of an agent message (~80 characters) */
  static ObjectNode agentMessage(int i) {
    return JsonNodeFactory.instance.objectNode()
        .put("text", "Working on step " + i + ": reading the sources and planning the next change.");
  }

  /** @return {@code {command, output, status, exit_code}} with {@code outputBytes} bytes of output */
  static ObjectNode commandFinished(int outputBytes) {
    return JsonNodeFactory.instance.objectNode()
        .put("command", "/bin/bash -lc 'cat build.log'")
        .put("output", "x".repeat(outputBytes - 1) + "\n")
        .put("status", "completed")
        .put("exit_code", 0);
  }

  /** @return a stored event of that run */
  static NormalizedEvent event(RunRecord run, long seq, EventType type, ObjectNode data) {
    return new NormalizedEvent(seq, TS, run.runId(), run.sessionId(), run.backend(), type, data);
  }

  /** @return a new record of a run in {@code cwd} */
  static RunRecord run(Path cwd, RunStatus status) {
    return new RunRecord(RunId.random(), "codex", Role.WORKER, SessionId.random(), "agent1", status, cwd,
        "benchmark", null, null, null, TS, TS, status.isTerminal() ? TS : null, 0, "", null, null, null, null, null, null,
        null);
  }

  /** @return a new temp directory */
  static Path tempDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes a directory tree (best effort). */
  static void delete(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
