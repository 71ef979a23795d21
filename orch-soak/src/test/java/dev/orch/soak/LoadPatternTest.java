package dev.orch.soak;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The fast variant of {@link LoadPattern} (bin/orch-soak runs ten rounds). */
@DisplayName("Issue 9's load pattern through the MCP SDK client: every call answered, every follower sees each event once")
class LoadPatternTest {
  @Test
  @DisplayName("one round of 80 following polls + 20 waiting polls on 10 live runs + 20 spawns at once")
  void oneRound() throws Exception {
    try (SoakEnv env = SoakEnv.create("load")) {
      Figures f = LoadPattern.run(env, 1);
      System.out.print(f.report());
      assertThat(f.problems()).as(f.report()).isEmpty();
      assertThat(f.clean()).isTrue();
      assertThat(f.count("spawns answered")).isEqualTo(20);
      assertThat(f.count("runs")).isEqualTo(30);
    }
  }
}
