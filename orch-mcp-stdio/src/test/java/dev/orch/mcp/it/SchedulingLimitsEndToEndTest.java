package dev.orch.mcp.it;

import static dev.orch.mcp.it.McpRuns.object;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * SPEC §12.2 and §12.3 through the real server process over stdio: caps and priorities, cancel of a queued run, and
 * time limits. These cases are timing-driven, so they use {@link ShellFakeCodex} as the codex executable (token limits with
 * the real codex CLI are in {@link ControlToolsEndToEndTest}). Figures (queue start latency, limit enforcement delay)
 * are printed as {@code [figure]} lines; nothing asserts on time.
 */
@DisplayName("Scheduling and limits end to end: caps, priority, queued cancel, timeout and idle limits over stdio")
class SchedulingLimitsEndToEndTest extends CodexServerCase {
  private static final Duration T = Duration.ofSeconds(60);

  @Test
  @DisplayName("ORCH_MAX_RUNNING=1: later runs stay queued with their position (higher priority first), a queued "
      + "run cancels without starting, and the next run starts when the slot frees")
  void capsAndPriority() throws Exception {
    ShellFakeCodex fake = ShellFakeCodex.create(tmp.resolve("fake"));
    fake.configure(env);
    env.put("ORCH_MAX_RUNNING", "1");
    McpRuns mcp = start(env);
    String a = mcp.spawn(spawnArgs("HOLD:a")).path("run_id").asText();
    mcp.awaitStatus(a, Set.of("running"), T);
    String low = mcp.spawn(spawnArgs("quick low").put("priority", 1)).path("run_id").asText();
    String high = mcp.spawn(spawnArgs("quick high").put("priority", 9)).path("run_id").asText();
    String dropped = mcp.spawn(spawnArgs("never")).path("run_id").asText();
    JsonNode h = mcp.getRun(high);
    assertThat(h.path("status").asText()).isEqualTo("queued");
    assertThat(h.path("summary").asText()).isEqualTo("Queued (position 1)");
    assertThat(mcp.getRun(dropped).path("summary").asText()).isEqualTo("Queued (position 2)");
    assertThat(mcp.getRun(low).path("summary").asText()).isEqualTo("Queued (position 3)");
    JsonNode codex = ControlAssertions.backend(mcp.call("list_backends", object().put("probe", false)), "codex");
    assertThat(codex.path("running").asInt()).isEqualTo(1);
    assertThat(codex.path("queued").asInt()).isEqualTo(3);
    assertThat(codex.path("max_running").isNull()).as("only the global cap").isTrue();

    assertThat(mcp.call("cancel_run", object().put("run_id", dropped)).path("status").asText())
        .isEqualTo("cancelled");
    assertThat(mcp.awaitTerminal(dropped, T)).isEqualTo("cancelled");
    assertThat(mcp.types(dropped)).as("a cancelled queued run never started").containsExactly("status_changed");
    assertThat(mcp.getRun(low).path("summary").asText()).isEqualTo("Queued (position 2)");

    fake.release("a");
    assertThat(mcp.awaitTerminal(a, T)).isEqualTo("completed");
    assertThat(mcp.awaitTerminal(high, T)).isEqualTo("completed");
    assertThat(mcp.awaitTerminal(low, T)).isEqualTo("completed");
    long highStart = ControlAssertions.ms(mcp.ofType(high, "run_started").get(0));
    long lowStart = ControlAssertions.ms(mcp.ofType(low, "run_started").get(0));
    assertThat(highStart).as("the higher priority started first").isLessThanOrEqualTo(lowStart);
    assertThat(ControlAssertions.ms(mcp.ofType(low, "run_started").get(0)))
        .isGreaterThanOrEqualTo(ControlAssertions.ms(mcp.ofType(high, "run_completed").get(0)));

    List<Long> latencies = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String holder = mcp.spawn(spawnArgs("HOLD:h" + i)).path("run_id").asText();
      mcp.awaitStatus(holder, Set.of("running"), T);
      String next = mcp.spawn(spawnArgs("quick " + i)).path("run_id").asText();
      assertThat(mcp.getRun(next).path("status").asText()).isEqualTo("queued");
      fake.release("h" + i);
      mcp.awaitTerminal(holder, T);
      mcp.awaitTerminal(next, T);
      latencies.add(ControlAssertions.ms(mcp.ofType(next, "run_started").get(0)) - ControlAssertions.ms(mcp.ofType(holder, "run_completed").get(0)));
    }
    ControlAssertions.figure("queue start latency after a slot frees (run_completed ts → next run_started ts), 5 runs: " + latencies
        + " ms");
  }

  @Test
  @DisplayName("time limits: timeout_ms and idle_timeout_ms stop the run like a cancel (process gone) and end it "
      + "run_failed with code limit_exceeded and the limit's name")
  void timeLimits() throws Exception {
    ShellFakeCodex fake = ShellFakeCodex.create(tmp.resolve("fake"));
    fake.configure(env);
    McpRuns mcp = start(env);
    ObjectNode args = spawnArgs("HANG please");
    args.putObject("limits").put("timeout_ms", 1500);
    String run = mcp.spawn(args).path("run_id").asText();
    assertThat(mcp.awaitTerminal(run, T)).isEqualTo("failed");
    JsonNode failed = mcp.ofType(run, "run_failed").get(0);
    assertThat(failed.path("data").path("code").asText()).isEqualTo("limit_exceeded");
    assertThat(failed.path("data").path("limit").asText()).isEqualTo("timeout_ms");
    assertThat(failed.path("data").path("message").asText()).matches("timeout_ms exceeded: \\d+ > 1500");
    assertThat(mcp.terminalCount(run)).isOne();
    long timeoutDetection = seen(failed) - 1500;
    assertThat(awaitNoFakeProcess(fake)).as("the fake CLI was stopped").isTrue();

    ObjectNode idleArgs = spawnArgs("HANG quietly");
    idleArgs.putObject("limits").put("idle_timeout_ms", 1000);
    String idle = mcp.spawn(idleArgs).path("run_id").asText();
    assertThat(mcp.awaitTerminal(idle, T)).isEqualTo("failed");
    JsonNode idleFailed = mcp.ofType(idle, "run_failed").get(0);
    assertThat(idleFailed.path("data").path("limit").asText()).isEqualTo("idle_timeout_ms");
    assertThat(idleFailed.path("data").path("code").asText()).isEqualTo("limit_exceeded");
    List<JsonNode> events = mcp.events(idle);
    long lastBefore = ControlAssertions.ms(events.get(events.size() - 2));
    long idleTotal = ControlAssertions.ms(idleFailed) - lastBefore - 1000;
    long idleDetection = seen(idleFailed) - 1000;
    assertThat(awaitNoFakeProcess(fake)).isTrue();
    ControlAssertions.figure("limit enforcement delay: detection (seen − limit, sweep every 100 ms) timeout_ms " + timeoutDetection
        + " ms, idle_timeout_ms " + idleDetection + " ms; idle limit crossing → run_failed recorded (detection + "
        + "stopping the CLI) " + idleTotal + " ms");
  }

  private static boolean awaitNoFakeProcess(ShellFakeCodex fake) throws InterruptedException {
    String script = fake.script().toString();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      boolean any = ProcessHandle.current().descendants().anyMatch(p -> p.info().commandLine()
          .map(c -> c.contains(script) || c.contains("sleep 600")).orElse(false));
      if (!any) {
        return true;
      }
      Thread.sleep(50);
    }
    return false;
  }

  /** @return the {@code <seen>} of {@code "<limit> exceeded: <seen> > <limit>"} */
  private static long seen(JsonNode failed) {
    String m = failed.path("data").path("message").asText();
    return Long.parseLong(m.replaceAll(".* exceeded: (\\d+) > .*", "$1"));
  }
}
