package dev.orch.soak;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The fast variant of {@link TwoServers} (bin/orch-soak runs more runs and messages). */
@DisplayName("Two real servers on one cwd spawn, poll and message at once: nothing lost or duplicated")
class TwoServersTest {
  @Test
  @DisplayName("8 runs (4 per server) followed by both servers and 10 inbox messages from each: all seen once")
  void twoServers() throws Exception {
    try (SoakEnv env = SoakEnv.create("two")) {
      Figures f = TwoServers.run(env, 8, 10);
      System.out.print(f.report());
      assertThat(f.problems()).as(f.report()).isEmpty();
      assertThat(f.clean()).isTrue();
      assertThat(f.count("runs")).isEqualTo(8);
      assertThat(f.count("inbox messages (per server view)")).isEqualTo(40);
    }
  }
}
