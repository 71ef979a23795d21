package dev.orch.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The flood figures of issue 8's table: events/s of a run whose fake codex prints items as fast as it can
 * (every 100th a command with 8 KiB of output), spawn → terminal status seen by a client polling with
 * {@code limit: 1000}; and the server's RSS idle, after half and after all of a series of such runs. Baselines from
 * the same run: the fake CLI alone (stdout to /dev/null), and a raw append of the run's own events.jsonl lines to
 * a file with one {@code force} per line (and, for comparison, one per 1000 lines).
 */
final class Flood {
  private final BenchEnv env;
  private final Sizes sizes;
  private final Report report;

  Flood(BenchEnv env, Sizes sizes, Report report) {
    this.env = env;
    this.sizes = sizes;
    this.report = report;
  }

  /**
   * The events/s rows: a fresh server, {@link Sizes#floodWarmups()} warm-up runs, then {@link Sizes#floodReps()}
   * runs, median (the warm server: a long-lived server's JIT has compiled the event path). The first warm-up run is
   * the cold-server row; all warm-up rates are in the detail (in full mode the rate rises over the first four to six
   * runs of 10 000 items while C2 compiles and recompiles the read, commit and poll paths). The client is the
   * SDK's {@code McpSyncClient} over {@link LineClientTransport}: the SDK's own stdio transport reads a character at
   * a time and would measure the client (a 1000-event page is about 300 KB).
   */
  void eventsPerSecond() throws IOException, InterruptedException {
    Path cwd = env.dir("flood-cwd");
    List<Double> rates = new ArrayList<>();
    List<Double> cpuPerEvent = new ArrayList<>();
    List<Double> warmups = new ArrayList<>();
    String lastRun;
    try (Server server = Server.start(env.launcher(), Server.env(env.dir("flood-home"), env.fakeCodex()),
        env.workDir().resolve("flood-server.log"), true)) {
      lastRun = null;
      for (int rep = 0; rep < sizes.floodWarmups(); rep++) {
        long t0 = System.nanoTime();
        lastRun = server.spawnCodex(cwd, "flood " + sizes.floodItems());
        warmups.add(server.drain(lastRun) / ((System.nanoTime() - t0) / 1e9));
      }
      for (int rep = 0; rep < sizes.floodReps(); rep++) {
        long cpu0 = server.cpuMillis();
        long t0 = System.nanoTime();
        lastRun = server.spawnCodex(cwd, "flood " + sizes.floodItems());
        long events = server.drain(lastRun);
        rates.add(events / ((System.nanoTime() - t0) / 1e9));
        cpuPerEvent.add((server.cpuMillis() - cpu0) * 1000.0 / events);
      }
    }
    List<Double> cli = new ArrayList<>();
    for (int rep = 0; rep < sizes.floodReps(); rep++) {
      cli.add(fakeCliRate(sizes.floodItems()));
    }
    Path events = Corpus.runDir(cwd, lastRun).resolve("events.jsonl");
    List<byte[]> lines = lines(events);
    double rawEach = rawAppend(lines, 1);
    double rawBatch = rawAppend(lines, 1000);
    double orch = Stats.median(rates);
    String baseline = "raw append + force per line: " + Report.count(rawEach) + " lines/s";
    report.put(Row.EVENTS, new Report.Result(Report.count(orch) + " events/s", baseline, Report.ratio(orch, rawEach),
        String.format(Locale.ROOT, "%s items (%d events/run), median of %d after %d warm-up runs on the same server"
            + " (their rates: %s): %s; server CPU %.0f µs/event; fake CLI alone %s items/s; raw append"
            + " + force per 1000 lines %s lines/s", Report.count(sizes.floodItems()), lines.size(), rates.size(),
            warmups.size(), Stats.list(warmups), Stats.list(rates), Stats.median(cpuPerEvent),
            Report.count(Stats.median(cli)), Report.count(rawBatch))));
    double cold = warmups.get(0);
    report.put(Row.EVENTS_COLD, new Report.Result(Report.count(cold) + " events/s", baseline,
        Report.ratio(cold, rawEach), "the first warm-up run of the events row"));
  }

  /** The RSS rows: a fresh server, idle, then {@link Sizes#memoryRuns()} flood runs one after another. */
  void memory(long bareJvmRss) throws IOException {
    Path cwd = env.dir("memory-cwd");
    try (Server server = Server.start(env.launcher(), Server.env(env.dir("memory-home"), env.fakeCodex()),
        env.workDir().resolve("memory-server.log"))) {
      sleep(1000);
      long idle = server.rss();
      long half = 0;
      for (int run = 1; run <= sizes.memoryRuns(); run++) {
        server.drain(server.spawnCodex(cwd, "flood " + sizes.memoryItems()));
        if (run == sizes.memoryRuns() / 2) {
          half = server.rss();
        }
      }
      long full = server.rss();
      String runs = sizes.memoryRuns() + " runs of " + Report.count(sizes.memoryItems()) + " items";
      report.put(Row.RSS_IDLE, new Report.Result(Report.mb(idle), "bare JVM (Echo) " + Report.mb(bareJvmRss),
          Report.ratio(idle, bareJvmRss), "1 s after initialize"));
      report.put(Row.RSS_HALF, new Report.Result(Report.mb(half), "idle " + Report.mb(idle),
          Report.ratio(half, idle), "after run " + sizes.memoryRuns() / 2 + " of " + runs));
      report.put(Row.RSS_FULL, new Report.Result(Report.mb(full), "idle " + Report.mb(idle),
          Report.ratio(full, idle), "after run " + sizes.memoryRuns() + " of " + runs));
      report.put(Row.RSS_GROWTH, new Report.Result(Report.ratio(full, half), "—", "—",
          Report.mb(half) + " → " + Report.mb(full)));
    }
  }

  /** @return items/s of the fake CLI printing a flood to /dev/null (process start included) */
  private double fakeCliRate(int items) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(env.fakeCodex().toString(), "--", "flood", Integer.toString(items))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    long t0 = System.nanoTime();
    Process p = pb.start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("the fake codex did not finish within 60 s");
    }
    return items / ((System.nanoTime() - t0) / 1e9);
  }

  /** @return lines/s of appending the lines (each with its newline) to a new file, one force(false) per batch */
  private double rawAppend(List<byte[]> lines, int batch) throws IOException {
    Path file = env.workDir().resolve("raw-append-" + batch + ".jsonl");
    Files.deleteIfExists(file);
    long t0 = System.nanoTime();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND)) {
      int n = 0;
      for (byte[] line : lines) {
        ByteBuffer buf = ByteBuffer.wrap(line);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        if (++n % batch == 0) {
          ch.force(false);
        }
      }
      ch.force(false);
    }
    double rate = lines.size() / ((System.nanoTime() - t0) / 1e9);
    Files.delete(file);
    return rate;
  }

  private static List<byte[]> lines(Path file) throws IOException {
    List<byte[]> out = new ArrayList<>();
    for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      out.add((l + "\n").getBytes(StandardCharsets.UTF_8));
    }
    return out;
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
