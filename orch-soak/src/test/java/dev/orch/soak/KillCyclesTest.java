package dev.orch.soak;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The fast variant of {@link KillCycles} (bin/orch-soak runs 50+ cycles). */
@DisplayName("kill -9 of a real server with live runs: nothing lost or torn, every run ends once, no orphaned agent")
class KillCyclesTest {
  @Test
  @DisplayName("4 kill -9 cycles with 3 fake-codex runs each: zero lost, torn, gaps, orphaned, unanswered, stranded")
  void fewCycles() throws Exception {
    try (SoakEnv env = SoakEnv.create("kill")) {
      Figures f = KillCycles.run(env, new KillCycles.Options(4, 3, 20261201L, null));
      System.out.print(f.report());
      assertThat(f.problems()).as(f.report()).isEmpty();
      assertThat(f.clean()).isTrue();
      assertThat(f.count("spawns answered")).as("runs spawned and answered").isPositive();
      assertThat(f.count("kill -9")).isEqualTo(4);
    }
  }
}
