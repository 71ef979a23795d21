package dev.orch.backend.claude;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.backend.claude.testing.ClaudeTestSetup;
import dev.orch.core.RunEvent;
import dev.orch.core.SessionId;
import dev.orch.core.spi.Backend;
import dev.orch.tck.RecordingSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Measures the latency of a resume (start of the run → its run_completed) on the real Claude Code binary against
 * the mock model, with a fresh CLI process ({@code idle_keepalive_ms: 0}) and with the session's kept-alive process
 * reused. Not a test: run it by hand and copy the figures into docs/backend-claude.md:
 * {@code java -cp <test classpath> dev.orch.backend.claude.ResumeLatencyBenchmark [rounds]}.
 */
public final class ResumeLatencyBenchmark {
  private ResumeLatencyBenchmark() {
  }

  /** @param args optional number of resumes per variant (default 10) */
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    Path temp = Files.createTempDirectory("claude-bench");
    Path cwd = Files.createDirectories(temp.resolve("work"));
    try (ClaudeTestSetup claude = ClaudeTestSetup.start(temp)) {
      Backend backend = ClaudeRuns.backend();
      try {
        for (long keepalive : new long[] {0, 60_000}) {
          ObjectNode cfg = claude.backendConfig();
          cfg.put("idle_keepalive_ms", keepalive);
          SessionId session = SessionId.random();
          run(backend, ClaudeRuns.spec(session, cwd, "hello", cfg));
          List<Long> ms = new ArrayList<>();
          for (int i = 0; i < rounds; i++) {
            long t0 = System.nanoTime();
            run(backend, ClaudeRuns.spec(session, cwd, "hello again " + i, cfg, null, null,
                ClaudeRuns.resume(session.value())));
            ms.add((System.nanoTime() - t0) / 1_000_000);
            if (keepalive == 0) {
              claude.awaitNoClaudeProcesses(Duration.ofSeconds(10));
            }
          }
          Collections.sort(ms);
          System.out.printf("idle_keepalive_ms=%d rounds=%d median=%d ms min=%d ms max=%d ms%n", keepalive, rounds,
              ms.get(ms.size() / 2), ms.get(0), ms.get(ms.size() - 1));
        }
      } finally {
        backend.close();
      }
      claude.awaitNoClaudeProcesses(Duration.ofSeconds(10));
    }
  }

  private static void run(Backend backend, dev.orch.core.spi.RunSpec spec) throws InterruptedException {
    RecordingSink sink = new RecordingSink();
    backend.start(spec, sink);
    RunEvent end = sink.awaitTerminal(Duration.ofSeconds(60));
    if (!(end instanceof RunEvent.RunCompleted)) {
      throw new IllegalStateException("run did not complete: " + end.toData());
    }
  }
}
