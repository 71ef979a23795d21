package dev.orch.bench;

import dev.orch.core.EventPage;
import dev.orch.core.EventType;
import dev.orch.core.NormalizedEvent;
import dev.orch.core.Orchestrator;
import dev.orch.core.Role;
import dev.orch.core.RunId;
import dev.orch.core.RunRef;
import dev.orch.core.SessionMode;
import dev.orch.core.SpawnRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The wake-api row's poller, run by {@link Wake} in a JVM of its own with the GC settings {@code bin/orch-mcp} gives
 * the server ({@link BenchEnv#startOwnJvm}): in the benchmark JVM, whose heap the earlier sections had filled, a
 * young collection of 35–40 ms every 30–40 s landed in the row. It builds an {@link Orchestrator} (its own home, the
 * file store, the codex backend with the fake CLI), follows a warm-up run (not
 * counted: the engine's code is cold in a new JVM), then a run of the given ticks with {@link Orchestrator#poll}
 * ({@code limit} 1, up to 10 s a call). It prints one line per counted event, {@code sample <from print ms> <from ts
 * ms>} (see {@link Wake.Samples}), then {@code done}.
 *
 * <p>Arguments: home, cwd, fake codex, the fake CLI's prompt ({@code tick <count> <ms>}), the warm-up run's prompt
 * ({@link Wake#warmUpTicks}).
 */
public final class WakeApi {
  private WakeApi() {
  }

  /** @param args see the class comment */
  public static void main(String[] args) {
    Map<String, String> environment = new HashMap<>(System.getenv());
    environment.put("NANOBOT_ORCHESTRATOR_HOME", args[0]);
    environment.put("ORCH_CODEX_EXECUTABLE", args[2]);
    String cwd = args[1];
    Wake.Samples samples;
    try (Orchestrator orch = Orchestrator.builder().environment(environment).build()) {
      follow(orch, spawn(orch, cwd, args[4]));
      samples = follow(orch, spawn(orch, cwd, args[3]));
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < samples.fromPrint.size(); i++) {
      out.append(String.format(Locale.ROOT, "sample %.4f %.4f%n", samples.fromPrint.get(i), samples.fromTs.get(i)));
    }
    System.out.print(out.append("done\n"));
    System.out.flush();
  }

  private static RunId spawn(Orchestrator orch, String cwd, String prompt) {
    return orch.spawn(SpawnRequest.builder("codex", Role.WORKER, cwd, SessionMode.NEW).prompt(prompt).build())
        .runId();
  }

  private static Wake.Samples follow(Orchestrator orch, RunId run) {
    Wake.Samples out = new Wake.Samples();
    long after = 0;
    while (true) {
      Instant sent = Instant.now();
      EventPage page = orch.poll(RunRef.of(run), after, 1, Duration.ofSeconds(10));
      Instant now = Instant.now();
      for (NormalizedEvent e : page.events()) {
        if (e.type() == EventType.AGENT_MESSAGE) {
          out.add(sent, now, e.data().path("text").asText(), e.ts());
        }
      }
      after = page.nextAfterSeq();
      if (page.events().isEmpty() && page.status().isTerminal()) {
        return out;
      }
    }
  }
}
