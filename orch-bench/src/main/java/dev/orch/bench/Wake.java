package dev.orch.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Long-poll wake-up latency (issue 8 item 4): a fake codex prints one agent message every few ms and a client
 * long-polls the run with {@code limit: 1}: first through the server that owns the run, then (a second run, so that
 * the two pollers do not compete for the two CPUs) through a second server process on the same cwd and home.
 * Latency = the client's clock when the answer is read − the time the fake CLI printed the event (its text: epoch
 * ms with microseconds, from Node's {@code performance.timeOrigin + performance.now()}), so it covers the CLI's
 * pipe, the engine, the disk and the protocol, at microsecond resolution (the event's own {@code ts}, set when the
 * engine accepted it, has millisecond resolution and would read up to 1 ms high; the detail gives the figures from
 * it too). Counted only for events printed while the poll was already waiting (a client that falls behind measures
 * its own lag).
 * The clients are the SDK's {@code McpSyncClient} over {@link LineClientTransport} (as in the events row).
 * Baselines in the same run: the round trip of a get_run on the same server, of an MCP {@code ping} sent once every
 * tick (the protocol's floor after the same idle gaps: a machine whose CPUs idle between ticks wakes slowly), and
 * the disk's floor under every wake-up (an event is published only once it is durable, SPEC §3): appending one line
 * to a file and forcing it, once every tick, in the same directory.
 */
final class Wake {
  /**
   * The fake CLI's prompt of the warm-up run each row follows first, not counted: {@link Sizes#wakeWarmUpTicks()}
   * events 2 ms apart (3 000 in the full mode), so that the code of the wake-up path (the server's, the client's, the
   * engine's in {@link WakeApi}'s JVM) is compiled as in a long-lived server. With 200 events (until 2026-12-03) the
   * JIT still compiled 340 methods for the first time (C1, tier 3) and 82 at C2 during 25 s of the measured events
   * of {@code wake-api}, on the CPUs the wake-ups need; with 3 000, 158 and 41, mostly of timed background work
   * (run.json saves, the control scan; {@code -XX:+PrintCompilation}, docs/benchmarks.md).
   *
   * @return the prompt
   */
  static String warmUpTicks(Sizes sizes) {
    return "tick " + sizes.wakeWarmUpTicks() + " 2";
  }

  private final BenchEnv env;
  private final Sizes sizes;
  private final Report report;

  Wake(BenchEnv env, Sizes sizes, Report report) {
    this.env = env;
    this.sizes = sizes;
    this.report = report;
  }

  /**
   * @param owner the server that runs the ticking run
   * @param other a second server process on the same store
   * @param cwd the run's cwd
   */
  void measure(Server owner, Server other, Path cwd, Path apiHome) throws InterruptedException, IOException {
    String ticks = "tick " + sizes.wakeTicks() + " " + sizes.tickMs();
    String warmUp = warmUpTicks(sizes);
    follow(owner, owner.spawnCodex(cwd, warmUp));
    Samples l = follow(owner, owner.spawnCodex(cwd, ticks));
    follow(other, owner.spawnCodex(cwd, warmUp));
    String run = owner.spawnCodex(cwd, ticks);
    Samples c = follow(other, run);
    Samples api = inProcess(apiHome, cwd, ticks);
    List<Double> rt = timed(0, () -> owner.call("get_run", Server.args().put("run_id", run)));
    List<Double> ping = timed(baselineGapMs(), owner::ping);
    List<Double> force = appendAndForce(cwd.resolve("wake-baseline.jsonl"));
    String base = "get_run round trip " + p50p99(rt) + "; MCP ping every " + baselineGapMs() + " ms " + p50p99(ping)
        + "; append + force of one line every " + baselineGapMs() + " ms " + p50p99(force);
    String detail = sizes.wakeTicks() + " events, one every " + sizes.tickMs() + " ms, polls with limit 1; %d of them"
        + " found the poll waiting";
    report.put(Row.WAKE_LOCAL, result(l, rt, base, detail));
    report.put(Row.WAKE_API, result(api, rt, base, detail.replace("polls with", "Orchestrator.poll with")
        + "; an Orchestrator (file store, codex backend) in a JVM of its own with the server's GC settings, after a"
        + " warm-up run of " + sizes.wakeWarmUpTicks() + " ticks 2 ms apart"));
    report.put(Row.WAKE_CROSS, result(c, rt, base, detail));
  }

  /**
   * @param gapMs pause after each call, ms
   * @return the time of each of max(20, wake ticks) calls, ms
   */
  private List<Double> timed(long gapMs, Runnable call) throws InterruptedException {
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < Math.max(20, sizes.wakeTicks()); i++) {
      long t0 = System.nanoTime();
      call.run();
      out.add((System.nanoTime() - t0) / 1e6);
      Thread.sleep(gapMs);
    }
    return out;
  }

  /**
   * The wake-up through the Java API, measured by {@link WakeApi} in a JVM of its own (its own home, the fake codex).
   *
   * @return the latency of every agent_message the poll was already waiting for, ms
   * @throws IllegalStateException when the poller ends without its last line (its log is named)
   */
  private Samples inProcess(Path home, Path cwd, String ticks) throws IOException, InterruptedException {
    Path log = env.workDir().resolve("wake-api.log");
    Process p = env.startOwnJvm(WakeApi.class, log, home.toString(), cwd.toString(), env.fakeCodex().toString(),
        ticks, warmUpTicks(sizes));
    p.getOutputStream().close();
    Samples out = new Samples();
    boolean done = false;
    try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        String[] f = line.split(" ");
        if (f[0].equals("sample") && f.length == 3) {
          out.fromPrint.add(Double.parseDouble(f[1]));
          out.fromTs.add(Double.parseDouble(f[2]));
        }
        done |= line.equals("done");
      }
    } finally {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    if (!done) {
      throw new IllegalStateException("the wake-api poller ended early (" + (p.isAlive() ? "still running"
          : "exit " + p.exitValue()) + "); see " + log);
    }
    return out;
  }

  /** The latencies of one row, ms: from the CLI's print (the figure) and from the engine's {@code ts} (detail). */
  static final class Samples {
    final List<Double> fromPrint = new ArrayList<>();
    final List<Double> fromTs = new ArrayList<>();

    /**
     * Counts an event read at {@code now} when the fake CLI printed it ({@code text}: epoch ms with a fraction)
     * after the poll was {@code sent}: {@code now − printed}, and {@code now − ts}.
     *
     * @throws IllegalStateException when the text is not a time
     */
    void add(Instant sent, Instant now, String text, Instant ts) {
      double printed;
      try {
        printed = Double.parseDouble(text);
      } catch (NumberFormatException e) {
        throw new IllegalStateException("a tick's text is not the time the fake CLI printed it: " + text, e);
      }
      if (printed >= epochMs(sent)) {
        fromPrint.add(epochMs(now) - printed);
        fromTs.add(epochMs(now) - ts.toEpochMilli());
      }
    }
  }

  /** @return the instant as epoch ms with its sub-millisecond part */
  static double epochMs(Instant t) {
    return t.getEpochSecond() * 1000.0 + t.getNano() / 1e6;
  }

  /**
   * The disk's part of a wake-up: one line appended and forced ({@code fdatasync}) every tick, as the committer
   * does for a lone event.
   *
   * @return the time of each append + force, ms
   */
  private List<Double> appendAndForce(Path file) throws IOException, InterruptedException {
    byte[] line = ("{\"seq\":1,\"type\":\"agent_message\",\"ts\":\"2026-01-01T00:00:00.000Z\",\"data\":{\"text\":"
        + "\"1764633600000\"}}\n").getBytes(StandardCharsets.UTF_8);
    Files.deleteIfExists(file);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND)) {
      return timed(baselineGapMs(), () -> {
        try {
          ByteBuffer buf = ByteBuffer.wrap(line);
          while (buf.hasRemaining()) {
            ch.write(buf);
          }
          ch.force(false);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /** @return the pause between the baseline's lines: the tick, at most 50 ms (the smoke mode ticks slowly) */
  private int baselineGapMs() {
    return Math.min(sizes.tickMs(), 50);
  }

  private static Report.Result result(Samples samples, List<Double> roundTrips, String base, String detail) {
    List<Double> latencies = samples.fromPrint;
    String d = String.format(Locale.ROOT, detail, latencies.size());
    if (latencies.isEmpty()) { // a client slower than the ticks (a very busy machine) never waits
      return new Report.Result("no sample: 0 events found the poll waiting", base, "—", d);
    }
    return new Report.Result(p50p99(latencies), base, Report.ratio(Stats.percentile(latencies, 99),
        Stats.percentile(roundTrips, 99)) + " (p99)", d + "; max " + Report.ms(Collections.max(latencies))
        + "; from the engine's ts instead (when it accepted the event; ms resolution, reads up to 1 ms high): "
        + p50p99(samples.fromTs));
  }

  private static String p50p99(List<Double> v) {
    return String.format(Locale.ROOT, "p50 %s, p99 %s", Report.ms(Stats.median(v)), Report.ms(Stats.percentile(v, 99)));
  }

  /**
   * Long-polls the run to its end.
   *
   * @return the latency of every agent_message the poll was already waiting for when the CLI printed it, ms (an
   *     event printed before the poll was sent measures the client's lag, not a wake-up, and is left out)
   */
  private static Samples follow(Server server, String run) {
    Samples out = new Samples();
    long after = 0;
    while (true) {
      Instant sent = Instant.now();
      JsonNode page = server.call("poll_events", Server.args().put("run_id", run).put("after_seq", after)
          .put("limit", 1).put("wait_ms", 10_000));
      Instant now = Instant.now();
      for (JsonNode e : page.path("events")) {
        if ("agent_message".equals(e.path("type").asText())) {
          out.add(sent, now, e.path("data").path("text").asText(), Instant.parse(e.path("ts").asText()));
        }
      }
      after = page.path("next_after_seq").asLong();
      if (page.path("events").isEmpty() && Server.TERMINAL.contains(page.path("status").asText())) {
        return out;
      }
    }
  }
}
