package dev.orch.soak;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The fast variant of {@link RawLines} (bin/orch-soak sends 5 000 lines and holds the EOF exit to 1 s). */
@DisplayName("Raw protocol lines over real stdio: the server keeps answering and exits at EOF")
class RawLinesTest {
  @Test
  @DisplayName("400 generated raw lines: each valid request answered once, no response answered, exit after EOF")
  void rawLines() throws Exception {
    try (SoakEnv env = SoakEnv.create("raw")) {
      Figures f = RawLines.run(env, 400, 20261201L, 5000);
      System.out.print(f.report());
      assertThat(f.problems()).as(f.report()).isEmpty();
      assertThat(f.clean()).isTrue();
      assertThat(f.count("valid requests answered once")).isPositive();
    }
  }
}
