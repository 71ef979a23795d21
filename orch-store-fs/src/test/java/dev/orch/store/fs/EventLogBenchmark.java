package dev.orch.store.fs;

import dev.orch.core.NormalizedEvent;
import dev.orch.core.SessionId;
import dev.orch.core.spi.EventLog;
import dev.orch.core.spi.RunRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Not a test: measures the cost of durability of the event log. Appends 10 000 events through
 * {@code FsEventLog} (one {@code force(false)} per event) and the same lines through a plain append channel
 * without force, and prints events/s of both and their ratio. Run with
 * {@code java -cp <test class path> dev.orch.store.fs.EventLogBenchmark [events] [dir]}.
 */
public final class EventLogBenchmark {
  private EventLogBenchmark() {
  }

  /** @param args optional event count and directory (kept when given) @throws IOException on I/O failure */
  public static void main(String[] args) throws IOException {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    Path base = args.length > 1 ? Files.createDirectories(Path.of(args[1])) : Files.createTempDirectory("orch-bench");
    try {
      Path cwd = Files.createDirectories(base.resolve("cwd"));
      try (FsRunStore store = new FsRunStore(new FsStoreSettings(base.resolve("home"),
          FsStoreSettings.DEFAULT_DIR_NAME))) {
        RunRecord run = Records.queuedRun(cwd, SessionId.random(), "agent1");
        store.createRun(run).close();
        NormalizedEvent[] events = new NormalizedEvent[count];
        for (int i = 0; i < count; i++) {
          events[i] = Records.event(run, i + 1, "benchmark event number " + (i + 1) + " with a little text");
        }

        long t0 = System.nanoTime();
        try (EventLog log = store.openEventLog(run)) {
          for (NormalizedEvent e : events) {
            log.append(e);
          }
        }
        double forced = rate(count, System.nanoTime() - t0);

        Path plain = base.resolve("plain.jsonl");
        long t1 = System.nanoTime();
        try (FileChannel ch = FileChannel.open(plain, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.APPEND)) {
          for (NormalizedEvent e : events) {
            ByteBuffer buf = ByteBuffer.wrap((e.toJson().toString() + "\n").getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
              ch.write(buf);
            }
          }
        }
        double unforced = rate(count, System.nanoTime() - t1);

        System.out.printf("events: %d%n", count);
        System.out.printf("with force(false) per event: %,.0f events/s%n", forced);
        System.out.printf("without force:               %,.0f events/s%n", unforced);
        System.out.printf("ratio (without / with):      %.1fx%n", unforced / forced);
      }
    } finally {
      if (args.length <= 1) {
        try (Stream<Path> walk = Files.walk(base)) {
          walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  private static double rate(int count, long nanos) {
    return count / (nanos / 1e9);
  }
}
