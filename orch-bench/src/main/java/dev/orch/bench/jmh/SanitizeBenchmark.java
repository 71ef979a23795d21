package dev.orch.bench.jmh;

import com.fasterxml.jackson.databind.node.ObjectNode;
// The sanitizer is internal to orch-core (not API); a benchmark module of this build may measure it.
import dev.orch.core.internal.sanitize.Sanitized;
import dev.orch.core.internal.sanitize.Sanitizer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * SPEC §5 sanitizing of one event's data (the first step of the event pipeline): a small agent message (nothing
 * to extract, the common case) and a finished command whose output is over the 4000-character preview (one
 * artifact field extracted, the case of every 100th event in the flood).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SanitizeBenchmark {
  /** Event shape: {@code agent_message} or {@code command_finished} with 8 KiB output. */
  @Param({"agent_message", "command_finished"})
  public String kind;

  private final Sanitizer sanitizer = new Sanitizer();
  private ObjectNode data;

  /** Builds the event data. */
  @Setup
  public void setUp() {
    data = kind.equals("agent_message") ? Fixtures.agentMessage(42) : Fixtures.commandFinished(8192);
  }

  /** @return the sanitized copy (consumed by JMH) */
  @Benchmark
  public Sanitized sanitize() {
    return sanitizer.sanitize(100, kind, data);
  }
}
