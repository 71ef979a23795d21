package dev.orch.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Issue 8 item 4 through the real server: list_runs over many runs of one cwd, poll_events deep into a long run,
 * get_event_artifact over a big artifact (throughput and the server's RSS around it). The stores are grown by
 * {@link Corpus} from template runs a first server wrote; a second, fresh server (nothing cached) is measured.
 * Baselines: reading the same files directly in this JVM, and the MCP round trip of a trivial call (get_run).
 */
final class Scale {
  /** The largest slice get_event_artifact serves (SPEC §2). */
  static final int SLICE = 262_144;
  /** Repeated calls stop after this much time (at least 3 are made), ns. */
  static final long REPEAT_BUDGET_NS = 60_000_000_000L;
  /** The sequential artifact read stops after this much time, ns (the figure then covers what was read). */
  static final long ARTIFACT_BUDGET_NS = 180_000_000_000L;
  /** Passes over the artifact through the Java API (the best counts). */
  static final int API_PASSES = 3;
  /** How much of the artifact is read through the SDK's own stdio transport for comparison, bytes. */
  static final long SDK_SAMPLE_BYTES = 32L << 20;

  private final BenchEnv env;
  private final Sizes sizes;
  private final Report report;
  private Path home;
  private Path listCwd;
  private Path deepCwd;
  private Path artifactCwd;
  private String deepRun;
  private String artifactRun;
  private int failedRuns;
  private Corpus.Artifact artifact;
  /** The artifact read through the SDK's own transport (part of the artifact row's detail); empty before. */
  private String sdkSample = "";

  Scale(BenchEnv env, Sizes sizes, Report report) {
    this.env = env;
    this.sizes = sizes;
    this.report = report;
  }

  /** @return the server home the corpora are registered in (for a second server on the same store) */
  Path home() {
    return home;
  }

  /** Writes three template runs with a real server, stops it, then grows the corpora. */
  void prepare() throws IOException {
    home = env.dir("scale-home");
    listCwd = env.dir("list-cwd");
    deepCwd = env.dir("deep-cwd");
    artifactCwd = env.dir("artifact-cwd");
    String listRun;
    try (Server server = Server.start(env.launcher(), Server.env(home, env.fakeCodex()),
        env.workDir().resolve("template-server.log"))) {
      listRun = server.spawnCodex(listCwd, "flood 3 0");
      deepRun = server.spawnCodex(deepCwd, "flood 3 0");
      artifactRun = server.spawnCodex(artifactCwd, "flood 100 100 8192");
      server.drain(listRun);
      server.drain(deepRun);
      server.drain(artifactRun);
    }
    long t0 = System.nanoTime();
    failedRuns = Corpus.copyRuns(listCwd, listRun, sizes.listRuns());
    long t1 = System.nanoTime();
    Corpus.extendEvents(deepCwd, deepRun, sizes.deepEvents());
    long t2 = System.nanoTime();
    artifact = Corpus.growArtifact(artifactCwd, artifactRun, sizes.artifactBytes());
    long t3 = System.nanoTime();
    report.note(String.format(Locale.ROOT, "Item-4 stores: %s runs made by copying one template run directory a"
        + " server wrote (new run ids, %d marked failed; %.1f s); a %s-event events.jsonl written directly from the"
        + " template's lines (%.1f s); a %s MiB artifact grown in 64 KiB chunks with its manifest rewritten (%.1f s)."
        + " No index files were written: the measured server sees what an older store looks like.",
        Report.count(sizes.listRuns()), failedRuns, (t1 - t0) / 1e9, Report.count(sizes.deepEvents()), (t2 - t1) / 1e9,
        Report.count(sizes.artifactBytes() >> 20), (t3 - t2) / 1e9));
  }

  /**
   * Measures list_runs and the deep poll on a fresh server, and a first stretch of the artifact through the SDK's
   * own stdio client transport (for the artifact row's detail).
   */
  void measure(Server server) throws IOException {
    listRuns(server);
    deepPoll(server);
    sdkTransportSample(server);
  }

  /**
   * Measures the artifact row on a fresh server whose client reads in blocks ({@link LineClientTransport}).
   *
   * @param server started with {@code blockReads}
   */
  void measureArtifact(Server server) throws IOException {
    artifactSlices(server);
  }

  /**
   * Measures the artifact-api and artifact-cold rows with {@link ArtifactReader} in a JVM of its own (the GC settings
   * the launcher gives the server: SerialGC, 16 MB initial heap), on the same home while the servers on it are idle:
   * {@link #API_PASSES} passes with the page cache warm (the best counts; the detail lists all), against a raw read of
   * the chunk files right after; then one pass and one raw read, each right after the chunk files were written back
   * ({@code sync}) and evicted from the page cache ({@link #evict}), so that both read the disk.
   *
   * @param fakeCodex the fake CLI (the Orchestrator's codex backend needs an executable; no run is started)
   */
  void measureArtifactApi(Path fakeCodex) throws IOException {
    Process p = env.startOwnJvm(ArtifactReader.class, env.workDir().resolve("artifact-reader.log"), home.toString(),
        fakeCodex.toString(), artifactRun, Long.toString(artifact.seq()), artifact.fieldPath(),
        Long.toString(artifact.totalBytes()), Integer.toString(API_PASSES));
    try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Writer in = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8)) {
      List<Pass> passes = new ArrayList<>();
      for (String line = out.readLine(); line != null && !line.equals("cold?"); line = out.readLine()) {
        passes.add(Pass.parse(line));
      }
      if (passes.size() != API_PASSES) {
        throw new IllegalStateException("the artifact reader ended after " + passes.size() + " passes; see "
            + env.workDir().resolve("artifact-reader.log"));
      }
      double rawMbs = rawReadMbs();
      Pass best = passes.get(0);
      StringBuilder all = new StringBuilder();
      for (Pass pass : passes) {
        all.append(all.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.0f", pass.mbs()));
        best = pass.mbs() > best.mbs() ? pass : best;
      }
      report.put(Row.ARTIFACT_API, new Report.Result(String.format(Locale.ROOT, "%.0f MB/s", best.mbs()),
          String.format(Locale.ROOT, "raw read of the chunk files %.0f MB/s", rawMbs),
          Report.ratio(best.mbs(), rawMbs), String.format(Locale.ROOT, "%s, best of %d passes (%s MB/s) in a JVM"
              + " of its own with the server's GC settings (SerialGC, -Xms16m), after 64 MiB of warm-up; each call"
              + " resolves the run, checks the manifest is unchanged, reads the chunk files and decodes the text",
              best.detail(), API_PASSES, all)));

      OrchBench.syncFileSystems();
      long e0 = System.nanoTime();
      evict(artifact.directory());
      double evictSeconds = (System.nanoTime() - e0) / 1e9;
      in.write("go\n");
      in.flush();
      String line = out.readLine();
      if (line == null) {
        throw new IllegalStateException("the artifact reader ended before its pass from the disk; see "
            + env.workDir().resolve("artifact-reader.log"));
      }
      Pass cold = Pass.parse(line);
      evict(artifact.directory());
      double coldRawMbs = rawReadMbs();
      report.put(Row.ARTIFACT_COLD, new Report.Result(String.format(Locale.ROOT, "%.0f MB/s", cold.mbs()),
          String.format(Locale.ROOT, "raw read of the evicted chunk files %.0f MB/s", coldRawMbs),
          Report.ratio(cold.mbs(), coldRawMbs), String.format(Locale.ROOT, "%s; the %s chunk files were synced"
              + " and evicted from the page cache (posix_fadvise DONTNEED, %.1f s) before each of the two reads",
              cold.detail(), Report.count(artifact.totalBytes() / 65536), evictSeconds)));
      if (!p.waitFor(1, TimeUnit.MINUTES)) {
        throw new IllegalStateException("the artifact reader did not end");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while measuring the artifact through the Java API", e);
    } finally {
      p.destroyForcibly();
    }
  }

  /**
   * One measured pass of {@link ArtifactReader}: bytes read, seconds, the median and p99 of its calls (ms), calls.
   */
  private record Pass(long bytes, double seconds, double medianMs, double p99Ms, int slices) {
    /** @throws IllegalStateException when the line is not {@code pass <bytes> <seconds> <median> <p99> <slices>} */
    static Pass parse(String line) {
      String[] f = line.split(" ");
      if (f.length != 6 || !f[0].equals("pass")) {
        throw new IllegalStateException("unexpected line from the artifact reader: " + line);
      }
      return new Pass(Long.parseLong(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[3]),
          Double.parseDouble(f[4]), Integer.parseInt(f[5]));
    }

    double mbs() {
      return Scale.mbs(bytes, seconds);
    }

    String detail() {
      return String.format(Locale.ROOT, "%s MiB in %d slices; a slice: median %s, p99 %s", Report.count(bytes >> 20),
          slices, Report.ms(medianMs), Report.ms(p99Ms));
    }
  }

  private static double mbs(long bytes, double seconds) {
    return bytes / 1048576.0 / seconds;
  }

  /** @return MB/s of a raw read of the artifact's chunk files in this JVM (the artifact rows' baseline) */
  private double rawReadMbs() throws IOException {
    long t0 = System.nanoTime();
    long bytes = readChunks(artifact.directory());
    return mbs(bytes, (System.nanoTime() - t0) / 1e9);
  }

  /** Drops the page cache of every file named on the command line (python3's binding of posix_fadvise). */
  private static final String EVICT_PY = "import os, sys\n"
      + "for f in sys.argv[1:]:\n"
      + "    fd = os.open(f, os.O_RDONLY)\n"
      + "    try:\n"
      + "        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)\n"
      + "    finally:\n"
      + "        os.close(fd)\n";

  /**
   * Drops the clean pages of every chunk file of {@code dir} from the page cache with
   * {@code posix_fadvise(POSIX_FADV_DONTNEED)} on the whole file, which the JDK does not offer: through python3 when
   * there is one (one process, under a second for 16 384 files), else through GNU dd's {@code iflag=nocache count=0},
   * one dd per file (about 5 ms each). Only these files are affected (not the machine's whole cache), and no
   * privilege is needed.
   *
   * @throws IllegalStateException when eviction fails or takes more than 10 minutes
   */
  private static void evict(Path dir) throws IOException, InterruptedException {
    String script = "cd \"$1\" || exit 1\n"
        + "if command -v python3 >/dev/null 2>&1; then exec python3 -c \"$2\" ./*.txt; fi\n"
        + "for f in ./*.txt; do dd if=\"$f\" iflag=nocache count=0 status=none || exit 1; done\n";
    Process p = new ProcessBuilder("bash", "-c", script, "evict", dir.toString(), EVICT_PY)
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException("cannot evict " + dir + " from the page cache: " + out);
    }
  }

  /** Reads the first {@link #SDK_SAMPLE_BYTES} of the artifact through the SDK's transport: MB/s, client CPU. */
  private void sdkTransportSample(Server server) {
    long clientCpu0 = Procfs.cpuMillis(ProcessHandle.current().pid());
    long t0 = System.nanoTime();
    long offset = 0;
    long slices = 0;
    long end = Math.min(artifact.totalBytes(), SDK_SAMPLE_BYTES);
    while (offset < end) {
      JsonNode slice = server.call("get_event_artifact", Server.args().put("run_id", artifactRun)
          .put("seq", artifact.seq()).put("field_path", artifact.fieldPath()).put("offset", offset)
          .put("limit", SLICE));
      long got = slice.path("returned_bytes").asLong();
      slices++;
      offset += got;
      if (got == 0) {
        break;
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    double clientCpu = (Procfs.cpuMillis(ProcessHandle.current().pid()) - clientCpu0) / (double) slices;
    sdkSample = String.format(Locale.ROOT, "; through the SDK's own StdioClientTransport (reads a char at a time)"
        + " the first %s MiB went at %.0f MB/s (%.1f ms a slice, client CPU %.1f ms)", Report.count(offset >> 20),
        offset / 1048576.0 / seconds, seconds * 1000 / slices, clientCpu);
  }

  private void listRuns(Server server) throws IOException {
    List<Double> times = new ArrayList<>();
    int found = -1;
    long start = System.nanoTime();
    for (int i = 0; i <= sizes.repeats() && (i < 3 || System.nanoTime() - start < REPEAT_BUDGET_NS); i++) {
      long t0 = System.nanoTime();
      JsonNode answer = server.call("list_runs", Server.args().put("cwd", listCwd.toString()).put("status", "failed"));
      times.add((System.nanoTime() - t0) / 1e6);
      found = answer.path("runs").size();
    }
    if (found != failedRuns) {
      throw new IllegalStateException("list_runs found " + found + " failed runs of " + failedRuns);
    }
    long t0 = System.nanoTime();
    int read = readAllRunJson(listCwd);
    double baseline = (System.nanoTime() - t0) / 1e6;
    double first = times.remove(0);
    double median = Stats.median(times);
    report.put(Row.LIST_RUNS, new Report.Result(Report.ms(median), "reading the " + Report.count(read)
        + " run.json files: " + Report.ms(baseline), Report.ratio(median, baseline), String.format(Locale.ROOT,
        "%s runs, status filter → %d runs; first call %s, then median of %d: %s", Report.count(sizes.listRuns()),
        found, Report.ms(first), times.size(), Stats.list(times))));
  }

  private void deepPoll(Server server) throws IOException {
    int last = sizes.deepEvents();
    List<Double> times = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i <= sizes.repeats() && (i < 3 || System.nanoTime() - start < REPEAT_BUDGET_NS); i++) {
      long t0 = System.nanoTime();
      JsonNode page = server.call("poll_events", Server.args().put("run_id", deepRun).put("after_seq", last - 1)
          .put("limit", 1).put("wait_ms", 0));
      times.add((System.nanoTime() - t0) / 1e6);
      if (page.path("events").size() != 1 || page.path("events").get(0).path("seq").asLong() != last) {
        throw new IllegalStateException("poll_events after " + (last - 1) + " answered " + page.path("events"));
      }
    }
    List<Double> roundTrips = new ArrayList<>();
    for (int i = 0; i < sizes.repeats(); i++) {
      long t0 = System.nanoTime();
      server.call("get_run", Server.args().put("run_id", deepRun));
      roundTrips.add((System.nanoTime() - t0) / 1e6);
    }
    long t0 = System.nanoTime();
    long lines = scan(Corpus.runDir(deepCwd, deepRun).resolve("events.jsonl"));
    double scanMs = (System.nanoTime() - t0) / 1e6;
    double first = times.remove(0);
    double median = Stats.median(times);
    double rt = Stats.median(roundTrips);
    report.put(Row.POLL_DEEP, new Report.Result(Report.ms(median), "get_run round trip " + Report.ms(rt),
        Report.ratio(median, rt), String.format(Locale.ROOT, "after_seq %s of %s events; first call %s, then median"
            + " of %d: %s; a full scan of the %s lines in this JVM takes %s", Report.count(last - 1),
            Report.count(last), Report.ms(first), times.size(), Stats.list(times), Report.count(lines),
            Report.ms(scanMs))));
  }

  private void artifactSlices(Server server) throws IOException {
    long before = server.rss();
    long serverCpu0 = server.cpuMillis();
    long clientCpu0 = Procfs.cpuMillis(ProcessHandle.current().pid());
    long total = 0;
    long offset = 0;
    long t0 = System.nanoTime();
    boolean stopped = false;
    // RSS at each quarter of the read: memory that grew with the bytes read would grow 4x from the first to the last
    List<Long> quarters = new ArrayList<>();
    long nextQuarter = artifact.totalBytes() / 4;
    ObjectNode fullSlice = null;
    while (true) {
      JsonNode slice = server.call("get_event_artifact", Server.args().put("run_id", artifactRun)
          .put("seq", artifact.seq()).put("field_path", artifact.fieldPath()).put("offset", offset)
          .put("limit", SLICE));
      long got = slice.path("returned_bytes").asLong();
      total += got;
      offset += got;
      if (fullSlice == null && got == SLICE && slice instanceof ObjectNode node) {
        fullSlice = node;
      }
      if (total >= nextQuarter && quarters.size() < 3) {
        quarters.add(server.rss());
        nextQuarter += artifact.totalBytes() / 4;
      }
      if (!slice.path("has_more").asBoolean() || got == 0) {
        break;
      }
      if (System.nanoTime() - t0 > ARTIFACT_BUDGET_NS) {
        stopped = true;
        break;
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    long slices = Math.max(1, (total + SLICE - 1) / SLICE);
    double serverCpu = (server.cpuMillis() - serverCpu0) / (double) slices;
    double clientCpu = (Procfs.cpuMillis(ProcessHandle.current().pid()) - clientCpu0) / (double) slices;
    long after = server.rss();
    boolean whole = total == artifact.totalBytes();
    if (!whole && !stopped) {
      throw new IllegalStateException("get_event_artifact returned " + total + " of " + artifact.totalBytes()
          + " bytes");
    }
    List<Double> tail = new ArrayList<>();
    for (int i = 0; i < sizes.repeats(); i++) {
      long s0 = System.nanoTime();
      server.call("get_event_artifact", Server.args().put("run_id", artifactRun).put("seq", artifact.seq())
          .put("field_path", artifact.fieldPath()).put("offset", artifact.totalBytes() - SLICE).put("limit", SLICE));
      tail.add((System.nanoTime() - s0) / 1e6);
    }
    double mbs = mbs(total, seconds);
    double rawMbs = rawReadMbs();
    String ceiling = fullSlice == null ? "" : "; " + WireCeiling.describe(WireCeiling.measure(fullSlice), SLICE);
    report.put(Row.ARTIFACT, new Report.Result(String.format(Locale.ROOT, "%.0f MB/s", mbs),
        String.format(Locale.ROOT, "raw read of the chunk files %.0f MB/s", rawMbs), Report.ratio(mbs, rawMbs),
        String.format(Locale.ROOT, "%s MiB in %d slices, %.1f s (%.1f ms a slice: CPU of the server %.1f ms, of the"
            + " client %.1f ms; SDK client reading in blocks)%s; a slice at the end: median %s", Report.count(total >> 20), slices, seconds,
            seconds * 1000 / slices, serverCpu, clientCpu, whole ? "" : String.format(Locale.ROOT,
            " (stopped after %d s: %s of %s MiB read)", ARTIFACT_BUDGET_NS / 1_000_000_000L, Report.count(total >> 20),
            Report.count(artifact.totalBytes() >> 20)), Report.ms(Stats.median(tail))) + sdkSample + ceiling));
    StringBuilder path = new StringBuilder(Report.mb(before));
    quarters.forEach(q -> path.append(" → ").append(Report.mb(q)));
    path.append(" → ").append(Report.mb(after));
    long firstQuarter = quarters.isEmpty() ? before : quarters.get(0);
    report.put(Row.ARTIFACT_RSS, new Report.Result(path.toString(),
        "after the first quarter: " + Report.mb(firstQuarter), Report.ratio(after, firstQuarter),
        "RSS of the server before, at each quarter of and after the read of "
            + (whole ? "the whole artifact" : Report.count(total >> 20) + " MiB of it")
            + "; the ratio is the end over the first quarter (1.0 = constant while 3/4 of the artifact went through)"));
  }

  private static int readAllRunJson(Path cwd) throws IOException {
    int n = 0;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(cwd.resolve(Corpus.STORE_DIR).resolve("runs"))) {
      for (Path dir : ds) {
        Path f = dir.resolve("run.json");
        if (Files.isRegularFile(f)) {
          Server.JSON.readTree(Files.readAllBytes(f));
          n++;
        }
      }
    }
    return n;
  }

  private static long scan(Path events) throws IOException {
    long n = 0;
    try (BufferedReader r = Files.newBufferedReader(events, StandardCharsets.UTF_8)) {
      while (r.readLine() != null) {
        n++;
      }
    }
    return n;
  }

  private static long readChunks(Path dir) throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.txt")) {
      ds.forEach(files::add);
    }
    files.sort(null);
    ByteBuffer buf = ByteBuffer.allocate(SLICE);
    long total = 0;
    for (Path f : files) {
      try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
        int n;
        while ((n = ch.read(buf.clear())) > 0) {
          total += n;
        }
      }
    }
    return total;
  }
}
