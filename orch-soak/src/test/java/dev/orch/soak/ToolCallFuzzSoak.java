package dev.orch.soak;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The big run of the generated tool calls for bin/orch-soak (not a build test: its name does not end in Test). The
 * number of tries comes from the configuration parameter {@code jqwik.tries.default} that {@link Soak} sets, the
 * seed is fresh each run (jqwik prints it). Every problem is counted in {@link #figures} instead of stopping the run,
 * so the figures cover all tries.
 */
class ToolCallFuzzSoak {
  /** The figures of the last run (read by {@link Soak} after the platform ran this class). */
  static volatile Figures figures;
  private static ToolCallFuzz.Rig rig;

  @BeforeContainer
  static void start() throws Exception {
    rig = new ToolCallFuzz.Rig();
    figures = rig.figures;
  }

  @AfterContainer
  static void stop() throws Exception {
    try {
      if (!rig.server.serving()) {
        figures.problem(Figures.UNANSWERED, "the in-process server stopped reading its input");
      }
    } finally {
      rig.close();
    }
  }

  @Provide
  Arbitrary<ToolCallFuzz.Call> calls() {
    return ToolCallFuzz.calls(rig);
  }

  @Property(shrinking = net.jqwik.api.ShrinkingMode.OFF)
  void manyCalls(@ForAll("calls") ToolCallFuzz.Call call) throws Exception {
    ToolCallFuzz.check(rig, call);
  }
}
