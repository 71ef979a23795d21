package dev.orch.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * The whole-process benchmark of issue 8 ({@code bin/orch-bench}): starts real servers through the real launcher,
 * drives them over stdio with the MCP Java SDK client and a fake {@code codex}, and prints one Markdown table with
 * every "must reach" figure of the issue beside a baseline measured in the same run (docs/benchmarks.md explains
 * each). Exit status 0 when every figure was measured (speeds are never judged), 1 when a section failed, 2 for
 * bad arguments.
 *
 * <p>Options: {@code --quick} (smoke mode: tiny sizes, one repetition, seconds long), {@code --only
 * startup,memory,events,scale} (sections to run), {@code --keep} (keep the scratch directory), {@code --work-dir
 * DIR} (scratch directory; default a new one under java.io.tmpdir), {@code --artifact-mib N} (size of the artifact of
 * the get_event_artifact row, MiB, instead of the mode's: e.g. {@code --quick --only scale --artifact-mib 256} to
 * measure that row alone in under a minute), {@code --wake-ticks N} (events of each wake-up row, one every 50 ms:
 * e.g. {@code --quick --only scale --wake-ticks 600} for the full mode's wake-up rows in a few minutes). The checkout is {@code -Dorch.repo.root}
 * (set by bin/orch-bench), else the working directory.
 */
public final class OrchBench {
  static final List<String> SECTIONS = List.of("startup", "memory", "events", "scale");

  private OrchBench() {
  }

  /**
   * @param args options, see the class comment
   * @throws Exception never on purpose: every section's failure is reported in its rows
   */
  public static void main(String[] args) throws Exception {
    boolean quick = false;
    boolean keep = false;
    Set<String> only = Set.copyOf(SECTIONS);
    Path work = null;
    long artifactMib = 0;
    int wakeTicks = 0;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> quick = true;
        case "--keep" -> keep = true;
        case "--only" -> only = Set.copyOf(Arrays.asList(value(args, ++i).split(",")));
        case "--work-dir" -> work = Path.of(value(args, ++i));
        case "--artifact-mib" -> artifactMib = mib(value(args, ++i));
        case "--wake-ticks" -> wakeTicks = ticks(value(args, ++i));
        default -> usage("unknown option: " + args[i]);
      }
    }
    if (!SECTIONS.containsAll(only)) {
      usage("--only takes a comma-separated list of " + SECTIONS);
    }
    Path root = Path.of(System.getProperty("orch.repo.root", ".")).toAbsolutePath().normalize();
    Path dir = work != null ? work : Files.createTempDirectory("orch-bench-");
    BenchEnv env = BenchEnv.of(root, dir);
    Sizes sizes = quick ? Sizes.QUICK : Sizes.FULL;
    if (artifactMib > 0) {
      sizes = sizes.withArtifactBytes(artifactMib << 20);
    }
    if (wakeTicks > 0) {
      sizes = sizes.withWakeTicks(wakeTicks);
    }
    Report report = new Report();
    System.out.printf("# bin/orch-bench%s, %s%n%n", quick ? " --quick (smoke mode: tiny sizes, figures not comparable)"
        : "", Instant.now());
    System.out.println("- machine: " + Procfs.machine(dir));
    System.out.println("- java: " + javaVersion(env) + " (" + env.java() + ")");
    System.out.println("- checkout: " + root + gitHead(root));
    System.out.println();
    System.out.flush();
    AtomicBoolean printed = new AtomicBoolean();
    Thread interrupted = new Thread(() -> { // Ctrl-C / SIGTERM: print what was measured so far
      if (printed.compareAndSet(false, true)) {
        report.print(System.out);
        System.out.println("- interrupted: the rows without a figure were not measured; scratch directory: " + dir);
        System.out.flush();
      }
    }, "orch-bench-interrupted");
    Runtime.getRuntime().addShutdownHook(interrupted);
    try {
      run(env, sizes, only, report);
    } finally {
      if (printed.compareAndSet(false, true)) {
        report.print(System.out);
        System.out.flush();
        if (!keep) {
          delete(dir);
        } else {
          System.out.println("- scratch directory kept: " + dir);
        }
      }
    }
    System.exit(report.complete() ? 0 : 1);
  }

  private static void run(BenchEnv env, Sizes sizes, Set<String> only, Report report) {
    long bareRss = 0;
    List<Row> startupRows = List.of(Row.STARTUP, Row.STARTUP_READY, Row.STARTUP_PLAIN);
    if (only.contains("startup") || only.contains("memory")) {
      bareRss = section(report, startupRows, () -> startup(env, sizes, report, only.contains("startup")));
    }
    if (!only.contains("startup")) {
      report.skip(startupRows, "--only");
    }
    List<Row> memoryRows = List.of(Row.RSS_IDLE, Row.RSS_HALF, Row.RSS_FULL, Row.RSS_GROWTH);
    if (only.contains("memory")) {
      long bare = bareRss;
      section(report, memoryRows, () -> {
        new Flood(env, sizes, report).memory(bare);
        return 0L;
      });
      section(report, List.of(Row.IDLE_CPU), () -> {
        new IdleCpu(env, sizes, report).measure();
        return 0L;
      });
    } else {
      report.skip(memoryRows, "--only");
      report.skip(List.of(Row.IDLE_CPU), "--only");
    }
    if (only.contains("events")) {
      section(report, List.of(Row.EVENTS, Row.EVENTS_COLD), () -> {
        new Flood(env, sizes, report).eventsPerSecond();
        return 0L;
      });
    } else {
      report.skip(List.of(Row.EVENTS, Row.EVENTS_COLD), "--only");
    }
    List<Row> scaleRows = List.of(Row.LIST_RUNS, Row.POLL_DEEP, Row.ARTIFACT, Row.ARTIFACT_API, Row.ARTIFACT_COLD,
        Row.ARTIFACT_RSS,
        Row.WAKE_LOCAL, Row.WAKE_API, Row.WAKE_CROSS);
    if (only.contains("scale")) {
      section(report, scaleRows, () -> {
        scale(env, sizes, report);
        return 0L;
      });
    } else {
      report.skip(scaleRows, "--only");
    }
  }

  /** @return the bare JVM's RSS when it answered (the idle-RSS baseline) */
  private static long startup(BenchEnv env, Sizes sizes, Report report, boolean timeLauncher) throws IOException,
      InterruptedException {
    Startup s = new Startup(env);
    long p0 = System.nanoTime();
    String prepared = prepare(env);
    double prepareMs = (System.nanoTime() - p0) / 1e6;
    Map<String, List<String>> commands = new LinkedHashMap<>();
    commands.put("bare", s.bareJvm());
    if (timeLauncher) {
      commands.put("launcher", s.launcher());
      commands.put("plain", s.launcher());
    }
    int warmups = sizes.startupRuns() > 1 ? 1 : 0;
    Map<String, List<Startup.Start>> starts = s.interleaved(commands, Map.of("plain", Map.of("ORCH_APPCDS", "0")),
        warmups, sizes.startupRuns(), Set.of("launcher"));
    List<Double> bare = Startup.times(starts.get("bare"));
    long bareRss = starts.get("bare").get(starts.get("bare").size() - 1).rss();
    if (timeLauncher) {
      List<Double> launcher = Startup.times(starts.get("launcher"));
      List<Double> plain = Startup.times(starts.get("plain"));
      String base = "bare JVM " + Report.ms(Stats.median(bare));
      String runs = "median of " + launcher.size() + " after " + warmups + " warm-up; ";
      report.put(Row.STARTUP, new Report.Result(Report.ms(Stats.median(launcher)), base,
          Report.ratio(Stats.median(launcher), Stats.median(bare)), runs + "launcher " + Stats.list(launcher)
              + "; bare JVM (java -Xshare:auto Echo) " + Stats.list(bare)));
      List<Double> ready = Startup.readyTimes(starts.get("launcher"));
      report.put(Row.STARTUP_READY, new Report.Result(Report.ms(Stats.median(ready)), base,
          Report.ratio(Stats.median(ready), Stats.median(bare)), "same starts as the startup row; " + runs
              + Stats.list(ready)));
      report.put(Row.STARTUP_PLAIN, new Report.Result(Report.ms(Stats.median(plain)), base,
          Report.ratio(Stats.median(plain), Stats.median(bare)), runs + Stats.list(plain)));
      report.note(String.format(Locale.ROOT, "Start-up archive: %s (bin/orch-mcp --prepare took %s; a first start"
          + " does the same in the background).", prepared, Report.ms(prepareMs)));
    }
    return bareRss;
  }

  /** Runs {@code bin/orch-mcp --prepare}; @return what it printed last (where the archive is) */
  private static String prepare(BenchEnv env) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(env.launcher().toString(), "--prepare").redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
    String out;
    try (InputStream in = p.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    }
    if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException("bin/orch-mcp --prepare failed: " + out);
    }
    String[] lines = out.split("\n");
    return lines.length == 0 ? "(nothing printed)" : lines[lines.length - 1].replaceFirst("^orch-mcp: ", "")
        .replaceFirst("^start-up archive ready: ", "");
  }

  private static void scale(BenchEnv env, Sizes sizes, Report report) throws Exception {
    Scale scale = new Scale(env, sizes, report);
    scale.prepare();
    Map<String, String> serverEnv = Server.env(scale.home(), env.fakeCodex());
    try (Server server = Server.start(env.launcher(), serverEnv, env.workDir().resolve("scale-server.log"))) {
      scale.measure(server);
      try (Server reader = Server.start(env.launcher(), serverEnv, env.workDir().resolve("artifact-server.log"), true)) {
        scale.measureArtifact(reader);
      }
      scale.measureArtifactApi(env.fakeCodex());
      // the item-4 stores (a 1 GiB artifact, 100 000 run directories) are still being written back by the kernel
      // (dirty pages expire after 30 s): the forces under every wake-up would wait behind that I/O of the benchmark's
      // own making, so it is flushed first
      long t0 = System.nanoTime();
      syncFileSystems();
      report.note(String.format(Locale.ROOT, "Before the wake-up rows, `sync` flushed what the benchmark had written"
          + " (%s).", Report.ms((System.nanoTime() - t0) / 1e6)));
      try (Server owner = Server.start(env.launcher(), serverEnv, env.workDir().resolve("wake-owner.log"), true);
          Server other = Server.start(env.launcher(), serverEnv, env.workDir().resolve("wake-other.log"), true)) {
        new Wake(env, sizes, report).measure(owner, other, env.dir("wake-cwd"), env.dir("wake-api-home"));
      }
    }
  }

  /** Runs {@code sync} (coreutils): writes every dirty page back; waits up to 10 minutes. */
  static void syncFileSystems() throws IOException, InterruptedException {
    Process p = new ProcessBuilder("sync").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException("sync did not end within 10 minutes");
    }
  }

  /** A section's body; its failure fails its rows, not the benchmark. */
  @FunctionalInterface
  interface Section {
    long run() throws Exception;
  }

  private static long section(Report report, List<Row> rows, Section body) {
    try {
      return body.run();
    } catch (Exception | AssertionError e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      String why = e.getClass().getSimpleName() + ": " + e.getMessage();
      System.err.println("orch-bench: " + rows.get(0).id() + "…: " + why);
      e.printStackTrace(System.err);
      report.fail(rows, why);
      return 0;
    }
  }

  private static String javaVersion(BenchEnv env) {
    try {
      Process p = new ProcessBuilder(env.java(), "-version").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(30, TimeUnit.SECONDS);
      String[] lines = out.split("\n");
      return lines.length > 1 ? lines[1].trim() : out.trim();
    } catch (IOException e) {
      return "unknown (" + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  private static String gitHead(Path root) {
    try {
      Process p = new ProcessBuilder("git", "-C", root.toString(), "log", "-1", "--format= at %h %s")
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return p.waitFor() == 0 ? " " + out : "";
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  private static String value(String[] args, int i) {
    if (i >= args.length) {
      usage(args[i - 1] + " needs a value");
    }
    return args[i];
  }

  private static int ticks(String v) {
    try {
      int n = Integer.parseInt(v);
      if (n >= 1 && n <= 100_000) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    usage("--wake-ticks takes a whole number between 1 and 100000: " + v);
    return 0;
  }

  private static long mib(String v) {
    try {
      long n = Long.parseLong(v);
      if (n >= 1 && n <= 1L << 20) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    usage("--artifact-mib takes a whole number of MiB between 1 and 1048576: " + v);
    return 0;
  }

  private static void usage(String problem) {
    System.err.println("orch-bench: " + problem);
    System.err.println("usage: bin/orch-bench [--quick] [--only " + String.join(",", SECTIONS)
        + "] [--keep] [--work-dir DIR] [--artifact-mib N] | --jmh [JMH options]");
    System.exit(2);
  }

  private static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
