package dev.orch.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** CI's JMH run: every benchmark once, briefly, in this JVM, with small stores. No speed is checked. */
@DisplayName("The JMH benchmarks in smoke mode")
class JmhSmokeIT {
  @Test
  @DisplayName("every benchmark method runs and produces a result")
  void everyBenchmarkRuns() throws Exception {
    Options options = new OptionsBuilder()
        .include("dev\\.orch\\.bench\\.jmh\\..*")
        .forks(0)
        .warmupIterations(0)
        .measurementIterations(1)
        .measurementTime(TimeValue.milliseconds(100))
        .param("runs", "20")
        .param("events", "2000")
        .shouldFailOnError(true)
        .build();
    Collection<RunResult> results = new Runner(options).run();
    Set<String> names = results.stream().map(r -> r.getParams().getBenchmark().replaceFirst(".*\\.jmh\\.", "")
        + r.getParams().getParam("kind")).collect(Collectors.toSet());
    assertThat(names).containsExactlyInAnyOrder(
        "SanitizeBenchmark.sanitizeagent_message", "SanitizeBenchmark.sanitizecommand_finished",
        "SerializeBenchmark.toLineagent_message", "SerializeBenchmark.toLinecommand_finished",
        "SerializeBenchmark.fromLineagent_message", "SerializeBenchmark.fromLinecommand_finished",
        "EventLogBenchmark.storeAppendnull", "EventLogBenchmark.rawAppendForcednull",
        "EventLogBenchmark.rawAppendUnforcednull",
        "StoreIndexBenchmark.listRunsnull", "StoreIndexBenchmark.readLastEventnull");
    assertThat(results).allSatisfy(r -> assertThat(r.getPrimaryResult().getSampleCount()).isPositive());
  }
}
