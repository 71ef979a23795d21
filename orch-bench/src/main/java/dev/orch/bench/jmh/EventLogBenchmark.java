package dev.orch.bench.jmh;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orch.core.EventType;
import dev.orch.core.NormalizedEvent;
import dev.orch.core.RunStatus;
import dev.orch.core.spi.EventLog;
import dev.orch.core.spi.RunRecord;
import dev.orch.store.fs.FsRunStore;
import dev.orch.store.fs.FsStoreSettings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Appending one event to a run's {@code events.jsonl} through the store ({@link FsRunStore#openEventLog}, what the
 * pipeline does per event) beside the baselines of the same bytes on a raw {@link FileChannel}: write +
 * {@code force(false)} per line (the durability floor of one fsync per event) and write only (no durability).
 * Each iteration appends to a new file.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
public class EventLogBenchmark {
  private Path dir;
  private FsRunStore store;
  private RunRecord run;
  private EventLog log;
  private FileChannel rawForced;
  private FileChannel rawPlain;
  private byte[] line;
  private long seq;

  /** A store, one run, and the line every baseline appends. */
  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = Fixtures.tempDir("orch-jmh-eventlog");
    store = new FsRunStore(new FsStoreSettings(dir.resolve("home"), FsStoreSettings.DEFAULT_DIR_NAME));
    line = (new ObjectMapper().writeValueAsString(Fixtures.event(Fixtures.run(dir, RunStatus.RUNNING), 1,
        EventType.AGENT_MESSAGE, Fixtures.agentMessage(1)).toJson()) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** A new run (new events.jsonl) and new raw files for each iteration. */
  @Setup(Level.Iteration)
  public void newFiles() throws IOException {
    Path cwd = Files.createDirectories(dir.resolve("cwd"));
    run = Fixtures.run(cwd, RunStatus.RUNNING);
    store.createRun(run).close();
    log = store.openEventLog(run);
    seq = 0;
    rawForced = FileChannel.open(dir.resolve("raw-forced-" + run.runId() + ".jsonl"), StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    rawPlain = FileChannel.open(dir.resolve("raw-plain-" + run.runId() + ".jsonl"), StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE, StandardOpenOption.APPEND);
  }

  /** Closes the iteration's files. */
  @TearDown(Level.Iteration)
  public void closeFiles() throws IOException {
    log.close();
    rawForced.close();
    rawPlain.close();
  }

  /** Deletes everything. */
  @TearDown(Level.Trial)
  public void tearDown() {
    store.close();
    Fixtures.delete(dir);
  }

  /** One event through the store's event log. */
  @Benchmark
  public void storeAppend() {
    seq++;
    NormalizedEvent e = Fixtures.event(run, seq, EventType.AGENT_MESSAGE, Fixtures.agentMessage((int) seq));
    log.append(e);
  }

  /** Baseline: the same-size line, write + force(false). */
  @Benchmark
  public void rawAppendForced() throws IOException {
    write(rawForced);
    rawForced.force(false);
  }

  /** Baseline: the same-size line, write only. */
  @Benchmark
  public void rawAppendUnforced() throws IOException {
    write(rawPlain);
  }

  private void write(FileChannel ch) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(line);
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }
}
