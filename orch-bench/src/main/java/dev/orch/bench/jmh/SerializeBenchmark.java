package dev.orch.bench.jmh;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orch.core.EventType;
import dev.orch.core.NormalizedEvent;
import dev.orch.core.RunStatus;
import dev.orch.core.spi.RunRecord;
import java.io.IOException;
import java.nio.file.Path;
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
 * The wire form of a stored event (SPEC §2 NormalizedEvent): {@link NormalizedEvent#toJson()} to the bytes of one
 * events.jsonl line (what every append and every poll answer costs), and back (what every read from disk costs).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SerializeBenchmark {
  /** Event shape: an agent message, or a sanitized finished command (4000-character preview + artifact_refs). */
  @Param({"agent_message", "command_finished"})
  public String kind;

  private final ObjectMapper mapper = new ObjectMapper();
  private NormalizedEvent event;
  private byte[] line;

  /** Builds the event and its line. */
  @Setup
  public void setUp() throws IOException {
    RunRecord run = Fixtures.run(Path.of("/tmp"), RunStatus.RUNNING);
    event = kind.equals("agent_message")
        ? Fixtures.event(run, 4242, EventType.AGENT_MESSAGE, Fixtures.agentMessage(4242))
        : Fixtures.event(run, 4242, EventType.COMMAND_FINISHED, new dev.orch.core.internal.sanitize.Sanitizer()
            .sanitize(4242, "command_finished", Fixtures.commandFinished(8192)).data());
    line = toLine();
  }

  /** @return one events.jsonl line (JSON + newline), UTF-8 */
  @Benchmark
  public byte[] toLine() throws IOException {
    byte[] json = mapper.writeValueAsBytes(event.toJson());
    byte[] out = new byte[json.length + 1];
    System.arraycopy(json, 0, out, 0, json.length);
    out[json.length] = '\n';
    return out;
  }

  /** @return the event parsed from its line */
  @Benchmark
  public NormalizedEvent fromLine() throws IOException {
    return NormalizedEvent.fromJson(mapper.readTree(line));
  }
}
