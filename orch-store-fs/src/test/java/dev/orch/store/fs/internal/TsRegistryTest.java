package dev.orch.store.fs.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orch.core.Timestamps;
import dev.orch.store.fs.internal.TsRegistry.Outcome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("TsRegistry reads and writes the TS server's registry.json as SPEC §6 describes")
class TsRegistryTest {
  /** Strict: a file with anything after its JSON object fails to parse. */
  private static final ObjectMapper STRICT = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final String TS_REGISTRY = """
      {
        "runs": {
          "ts-run-1": {
            "cwd": "/projects/proj1",
            "updated_at": "2026-11-21T19:35:36.169Z",
            "note": "kept as is"
          }
        },
        "version": 1
      }
      """;

  @TempDir
  Path home;

  private Path file() {
    return home.resolve(TsRegistry.FILE);
  }

  private Path lockDir() {
    return home.resolve(TsRegistry.LOCK);
  }

  private JsonNode strictRead() throws Exception {
    return STRICT.readTree(Files.readString(file()));
  }

  private List<Path> leftovers() throws Exception {
    try (Stream<Path> s = Files.list(home)) {
      return s.filter(p -> !p.getFileName().toString().equals(TsRegistry.FILE)).toList();
    }
  }

  @Test
  @DisplayName("adds a run with its cwd and an ISO updated_at, keeping every entry and key already there")
  void addsAndKeeps() throws Exception {
    Files.writeString(file(), TS_REGISTRY);
    Instant now = Instant.parse("2026-12-01T10:00:00.123Z");
    TsRegistry registry = new TsRegistry(home, Clock.fixed(now, ZoneOffset.UTC), System::nanoTime, ms -> { });
    Path cwd = home.resolve("work/../work/proj");

    assertThat(registry.register("orch-run-1", cwd)).isEqualTo(Outcome.WRITTEN);

    JsonNode root = strictRead();
    assertThat(root.path("version").asInt()).isEqualTo(1);
    assertThat(root.at("/runs/ts-run-1/cwd").asText()).isEqualTo("/projects/proj1");
    assertThat(root.at("/runs/ts-run-1/note").asText()).isEqualTo("kept as is");
    assertThat(root.at("/runs/orch-run-1/cwd").asText()).isEqualTo(home.resolve("work/proj").toString());
    assertThat(root.at("/runs/orch-run-1/updated_at").asText()).isEqualTo(Timestamps.format(now))
        .isEqualTo("2026-12-01T10:00:00.123Z");
    assertThat(leftovers()).as("no lock directory or temp file left").isEmpty();
    assertThat(registry.cwdOf("orch-run-1")).contains(home.resolve("work/proj"));
    assertThat(registry.cwdOf("ts-run-1")).contains(Path.of("/projects/proj1"));
    assertThat(registry.cwds()).containsExactly(Path.of("/projects/proj1"), home.resolve("work/proj"));
  }

  @Test
  @DisplayName("a missing or blank registry reads as empty and is created by the first write")
  void missingOrBlank() throws Exception {
    TsRegistry registry = new TsRegistry(home.resolve("not-yet"));
    assertThat(registry.runs()).isEmpty();
    assertThat(registry.register("r1", home)).isEqualTo(Outcome.WRITTEN);
    assertThat(STRICT.readTree(registry.file().toFile()).at("/runs/r1/cwd").asText()).isEqualTo(home.toString());

    Files.writeString(file(), "  \n");
    TsRegistry blank = new TsRegistry(home);
    assertThat(blank.runs()).isEmpty();
    assertThat(blank.register("r2", home)).isEqualTo(Outcome.WRITTEN);
    assertThat(strictRead().at("/runs/r2/cwd").asText()).isEqualTo(home.toString());
  }

  @Test
  @DisplayName("waits while another writer holds the lock directory, retrying every 25 ms, then writes")
  void waitsForTheLock() throws Exception {
    Files.writeString(file(), TS_REGISTRY);
    Files.createDirectory(lockDir());
    AtomicInteger sleeps = new AtomicInteger();
    List<Long> pauses = new ArrayList<>();
    TsRegistry registry = new TsRegistry(home, Clock.systemUTC(), System::nanoTime, ms -> {
      pauses.add(ms);
      if (sleeps.incrementAndGet() == 3) {
        // the other writer is done: it has not been overtaken, and now lets us in
        try {
          assertThat(Files.readString(file())).isEqualTo(TS_REGISTRY);
          Files.delete(lockDir());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    });

    assertThat(registry.register("orch-run-1", home)).isEqualTo(Outcome.WRITTEN);
    assertThat(sleeps.get()).isEqualTo(3);
    assertThat(pauses).containsOnly(TsRegistry.RETRY_MS);
    assertThat(strictRead().at("/runs/ts-run-1/cwd").asText()).isEqualTo("/projects/proj1");
    assertThat(strictRead().at("/runs/orch-run-1/cwd").asText()).isEqualTo(home.toString());
    assertThat(lockDir()).doesNotExist();
  }

  @Test
  @DisplayName("gives up after 5 s of a busy (fresh) lock: nothing written, the other writer's lock left alone")
  void givesUpAfterFiveSeconds() throws Exception {
    Files.writeString(file(), TS_REGISTRY);
    Files.createDirectory(lockDir());
    AtomicLong fakeNanos = new AtomicLong();
    AtomicInteger sleeps = new AtomicInteger();
    // a clock that stays at the lock's mtime: the lock never turns stale while we wait
    Clock atLock = Clock.fixed(Files.getLastModifiedTime(lockDir()).toInstant(), ZoneOffset.UTC);
    TsRegistry registry = new TsRegistry(home, atLock, fakeNanos::get, ms -> {
      sleeps.incrementAndGet();
      fakeNanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
    });

    assertThat(registry.register("orch-run-1", home)).isEqualTo(Outcome.LOCK_BUSY);
    assertThat(sleeps.get()).isEqualTo((int) (TsRegistry.GIVE_UP_MS / TsRegistry.RETRY_MS));
    assertThat(Files.readString(file())).isEqualTo(TS_REGISTRY);
    assertThat(lockDir()).isDirectory();
  }

  @Test
  @DisplayName("takes over a lock directory older than 30 s (its holder died), but not a younger one")
  void staleLockTakeover() throws Exception {
    Files.writeString(file(), TS_REGISTRY);
    Files.createDirectory(lockDir());
    Files.writeString(lockDir().resolve("owner"), "pid 4242");
    Instant lockTime = Instant.parse("2026-12-01T10:00:00Z");
    Files.setLastModifiedTime(lockDir(), FileTime.from(lockTime));

    AtomicInteger youngSleeps = new AtomicInteger();
    Clock young = Clock.fixed(lockTime.plusMillis(TsRegistry.STALE_MS - 1_000), ZoneOffset.UTC);
    AtomicLong fakeNanos = new AtomicLong();
    TsRegistry patient = new TsRegistry(home, young, fakeNanos::get, ms -> {
      youngSleeps.incrementAndGet();
      fakeNanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
    });
    assertThat(patient.register("orch-run-0", home)).isEqualTo(Outcome.LOCK_BUSY);
    assertThat(youngSleeps.get()).isPositive();
    assertThat(lockDir().resolve("owner")).exists();

    AtomicInteger staleSleeps = new AtomicInteger();
    Clock later = Clock.fixed(lockTime.plusMillis(TsRegistry.STALE_MS + 1_000), ZoneOffset.UTC);
    TsRegistry taker = new TsRegistry(home, later, System::nanoTime, ms -> staleSleeps.incrementAndGet());
    assertThat(taker.register("orch-run-1", home)).isEqualTo(Outcome.WRITTEN);
    assertThat(staleSleeps.get()).as("a stale lock is taken over at once").isZero();
    assertThat(lockDir()).doesNotExist();
    assertThat(strictRead().at("/runs/ts-run-1/cwd").asText()).isEqualTo("/projects/proj1");
    assertThat(strictRead().at("/runs/orch-run-1/cwd").asText()).isEqualTo(home.toString());
  }

  @Test
  @DisplayName("writers that contend for the lock (one registry object each, like processes) lose no entry")
  void concurrentWritersLoseNothing() throws Exception {
    Files.writeString(file(), TS_REGISTRY);
    int writers = 4;
    int perWriter = 15;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Future<List<Outcome>>> results = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int id = w;
        results.add(pool.submit(() -> {
          TsRegistry own = new TsRegistry(home);
          List<Outcome> outcomes = new ArrayList<>();
          for (int i = 0; i < perWriter; i++) {
            outcomes.add(own.register("w" + id + "-run" + i, home.resolve("cwd-" + id)));
          }
          return outcomes;
        }));
      }
      for (Future<List<Outcome>> f : results) {
        assertThat(f.get(60, TimeUnit.SECONDS)).containsOnly(Outcome.WRITTEN);
      }
    } finally {
      pool.shutdownNow();
    }
    JsonNode runs = strictRead().get("runs");
    assertThat(runs.size()).isEqualTo(writers * perWriter + 1);
    for (int w = 0; w < writers; w++) {
      for (int i = 0; i < perWriter; i++) {
        assertThat(runs.at("/w" + w + "-run" + i + "/cwd").asText()).isEqualTo(home.resolve("cwd-" + w).toString());
      }
    }
    assertThat(runs.at("/ts-run-1/note").asText()).isEqualTo("kept as is");
    assertThat(leftovers()).isEmpty();
  }

  @Test
  @DisplayName("a registry with trailing garbage after its first object is read from that object and healed on write")
  void healsTrailingGarbage() throws Exception {
    Files.writeString(file(), TS_REGISTRY.strip() + "\n}}\"runs\": {garbage");
    TsRegistry registry = new TsRegistry(home);

    assertThat(registry.cwdOf("ts-run-1")).contains(Path.of("/projects/proj1"));
    assertThat(registry.register("orch-run-1", home)).isEqualTo(Outcome.WRITTEN);

    JsonNode healed = strictRead();
    assertThat(healed.at("/runs/ts-run-1/cwd").asText()).isEqualTo("/projects/proj1");
    assertThat(healed.at("/runs/orch-run-1/cwd").asText()).isEqualTo(home.toString());
    assertThat(Files.readString(file())).doesNotContain("garbage");

    Files.writeString(file(), "{\"runs\":{\"a\":{\"cwd\":\"/a\"}}}{\"runs\":{\"b\":{\"cwd\":\"/b\"}}}");
    assertThat(registry.runs()).as("a second object is trailing data too").containsOnlyKeys("a");
  }

  @Test
  @DisplayName("a registry malformed beyond healing is never overwritten; reads see no entries")
  void malformedIsKept() throws Exception {
    for (String broken : List.of(
        "{\n  \"runs\": {\n    \"ts-run-1\": {\n      \"cwd\": \"/projects/pro",   // cut off mid-write
        "{\"runs\": [\"ts-run-1\"]}",                                            // runs is not an object
        "[{\"runs\": {}}]",                                                      // not an object at all
        "\u0000\u0000\u0000")) {                                                 // zeroed file
      Files.writeString(file(), broken, StandardCharsets.UTF_8);
      byte[] before = Files.readAllBytes(file());
      TsRegistry registry = new TsRegistry(home);

      assertThat(registry.runs()).as("entries of %s", broken).isEmpty();
      assertThat(registry.register("orch-run-1", home)).as("register into %s", broken)
          .isEqualTo(Outcome.MALFORMED_KEPT);
      assertThat(Files.readAllBytes(file())).as("bytes of %s", broken).isEqualTo(before);
      assertThat(leftovers()).as("lock released after %s", broken).isEmpty();
    }
  }

  @Test
  @DisplayName("reads follow the file: an entry another process adds is seen by the next lookup")
  void readsFollowTheFile() throws Exception {
    TsRegistry reader = new TsRegistry(home);
    assertThat(reader.cwdOf("ts-run-1")).isEmpty();
    Files.writeString(file(), TS_REGISTRY);
    assertThat(reader.cwdOf("ts-run-1")).contains(Path.of("/projects/proj1"));
    new TsRegistry(home).register("orch-run-9", home.resolve("nine"));
    assertThat(reader.cwdOf("orch-run-9")).contains(home.resolve("nine"));
    Files.writeString(file(), "{\"runs\": {\"x\": {\"cwd\": \"relative/dir\"}, \"../y\": {\"cwd\": \"/y\"}}}");
    assertThat(reader.runs()).as("relative cwds and unsafe ids are skipped").isEmpty();
  }
}
