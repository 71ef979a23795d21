package dev.orch.bench.jmh;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orch.core.EventType;
import dev.orch.core.NormalizedEvent;
import dev.orch.core.RunStatus;
import dev.orch.core.spi.RunRecord;
import dev.orch.store.fs.FsRunStore;
import dev.orch.store.fs.FsStoreSettings;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The store's lookups that issue 8 item 4 wants indexed, through the public store API: {@link FsRunStore#listRuns}
 * over the runs of one cwd (created with {@link FsRunStore#createRun}, then completed with
 * {@link FsRunStore#saveRun}), and {@link FsRunStore#readEvents} of the last event of a long run (its
 * events.jsonl written directly, as an older store or a crash-recovered log looks). A fresh store object per
 * iteration keeps per-object caches from hiding the cost; within an iteration repeated calls may use them.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
public class StoreIndexBenchmark {
  /** Runs in the listed cwd. */
  @Param({"2000"})
  public int runs;
  /** Events of the long run. */
  @Param({"200000"})
  public int events;

  private Path dir;
  private Path listCwd;
  private RunRecord longRun;
  private FsStoreSettings settings;
  private FsRunStore store;

  /** Creates the runs and the long event log. */
  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = Fixtures.tempDir("orch-jmh-index");
    settings = new FsStoreSettings(dir.resolve("home"), FsStoreSettings.DEFAULT_DIR_NAME);
    listCwd = Files.createDirectories(dir.resolve("list"));
    Path longCwd = Files.createDirectories(dir.resolve("long"));
    try (FsRunStore setup = new FsRunStore(settings)) {
      for (int i = 0; i < runs; i++) {
        RunRecord r = Fixtures.run(listCwd, RunStatus.QUEUED);
        setup.createRun(r).close();
        setup.saveRun(r.withProgress(RunStatus.COMPLETED, "done", 3, Fixtures.TS));
        setup.runEnded(r);
      }
      longRun = Fixtures.run(longCwd, RunStatus.QUEUED);
      setup.createRun(longRun).close();
      writeEvents(setup, longRun, events);
      longRun = longRun.withProgress(RunStatus.COMPLETED, "done", events, Fixtures.TS);
      setup.saveRun(longRun);
      setup.runEnded(longRun);
    }
  }

  private static void writeEvents(FsRunStore store, RunRecord run, int count) throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    try (var log = store.openEventLog(run)) {
      log.append(Fixtures.event(run, 1, EventType.RUN_STARTED, mapper.createObjectNode()));
    }
    Path file = dir(run).resolve("events.jsonl");
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file,
        java.nio.file.StandardOpenOption.APPEND), 1 << 20)) {
      for (int seq = 2; seq <= count; seq++) {
        NormalizedEvent e = Fixtures.event(run, seq, EventType.AGENT_MESSAGE, Fixtures.agentMessage(seq));
        out.write((mapper.writeValueAsString(e.toJson()) + "\n").getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  private static Path dir(RunRecord run) {
    return run.cwd().resolve(FsStoreSettings.DEFAULT_DIR_NAME).resolve("runs").resolve(run.runId().value());
  }

  /** A fresh store object per iteration. */
  @Setup(Level.Iteration)
  public void openStore() {
    store = new FsRunStore(settings);
  }

  /** Closes it. */
  @TearDown(Level.Iteration)
  public void closeStore() {
    store.close();
  }

  /** Deletes everything. */
  @TearDown(Level.Trial)
  public void tearDown() {
    Fixtures.delete(dir);
  }

  /** @return every run of the cwd */
  @Benchmark
  public List<RunRecord> listRuns() {
    List<RunRecord> out = store.listRuns(listCwd);
    if (out.size() != runs) {
      throw new IllegalStateException("listRuns found " + out.size() + " of " + runs);
    }
    return out;
  }

  /** @return the last event of the long run */
  @Benchmark
  public List<NormalizedEvent> readLastEvent() {
    List<NormalizedEvent> out = store.readEvents(longRun, events - 1, 1);
    if (out.size() != 1 || out.get(0).seq() != events) {
      throw new IllegalStateException("readEvents after " + (events - 1) + " answered " + out);
    }
    return out;
  }
}
