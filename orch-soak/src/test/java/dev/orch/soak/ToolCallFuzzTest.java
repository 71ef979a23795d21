package dev.orch.soak;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The fast variant of the generated tool calls (a fixed seed, so the same calls every build); bin/orch-soak runs
 * {@link ToolCallFuzzSoak} with 100 000 tries and a fresh seed.
 */
@Label("Generated tool calls for every tool: exactly one well-formed, clean answer each")
class ToolCallFuzzTest {
  private static ToolCallFuzz.Rig rig;

  @BeforeContainer
  static void start() throws Exception {
    rig = new ToolCallFuzz.Rig();
  }

  @AfterContainer
  static void stop() throws Exception {
    try {
      System.out.print(rig.figures.report());
      assertThat(rig.server.serving()).as("the server still reads its input").isTrue();
      assertThat(rig.figures.clean()).as(rig.figures.report()).isTrue();
    } finally {
      rig.close();
    }
  }

  @Provide
  Arbitrary<ToolCallFuzz.Call> calls() {
    return ToolCallFuzz.calls(rig);
  }

  /** Each generated call gets exactly one well-formed, clean answer (see {@link ToolCallFuzz#check}). */
  @Label("3 000 generated calls (fixed seed): one answer each, a tool result when a tool is named, no internals")
  @Property(tries = 3000, seed = "20261201", shrinking = net.jqwik.api.ShrinkingMode.OFF)
  boolean everyCallGetsOneCleanAnswer(@ForAll("calls") ToolCallFuzz.Call call) throws Exception {
    return ToolCallFuzz.check(rig, call);
  }
}
