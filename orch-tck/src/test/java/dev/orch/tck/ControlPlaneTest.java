package dev.orch.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orch.core.Availability;
import dev.orch.core.BackendInfo;
import dev.orch.core.NormalizedEvent;
import dev.orch.core.OrchException;
import dev.orch.core.Orchestrator;
import dev.orch.core.Role;
import dev.orch.core.RunId;
import dev.orch.core.RunListener;
import dev.orch.core.RunRef;
import dev.orch.core.RunStatus;
import dev.orch.core.RunSummary;
import dev.orch.core.SessionMode;
import dev.orch.core.SpawnRequest;
import dev.orch.core.SpawnResult;
import dev.orch.core.Usage;
import dev.orch.core.UsageQuery;
import dev.orch.core.UsageSummary;
import dev.orch.core.spi.Backend;
import dev.orch.core.spi.BackendContext;
import dev.orch.core.spi.BackendDescriptor;
import dev.orch.core.spi.BackendProvider;
import dev.orch.core.spi.Capability;
import dev.orch.core.spi.EventSink;
import dev.orch.core.spi.ProbeResult;
import dev.orch.core.spi.RunHandle;
import dev.orch.core.spi.RunSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Control plane in the engine: backend probes (SPEC §12.1), usage and cost (§12.4), run listeners (§12.9)")
class ControlPlaneTest {
  @TempDir
  Path cwd;
  @TempDir
  Path home;
  final List<Orchestrator> opened = new ArrayList<>();

  /** A backend whose probe is given by the test; it cannot start runs. */
  static final class Probed implements BackendProvider {
    final String id;
    final Function<Duration, ProbeResult> probe;
    final AtomicInteger calls = new AtomicInteger();
    final boolean failCreate;

    Probed(String id, Function<Duration, ProbeResult> probe) {
      this(id, probe, false);
    }

    Probed(String id, Function<Duration, ProbeResult> probe, boolean failCreate) {
      this.id = id;
      this.probe = probe;
      this.failCreate = failCreate;
    }

    @Override
    public BackendDescriptor descriptor() {
      return new BackendDescriptor(id, "1", EnumSet.of(Capability.STREAMING, Capability.RESUME), "test:" + id, id);
    }

    @Override
    public Backend create(BackendContext context) {
      if (failCreate) {
        throw new IllegalStateException("no licence for " + id);
      }
      return new Backend() {
        @Override
        public void validate(RunSpec spec) {
        }

        @Override
        public RunHandle start(RunSpec spec, EventSink sink) {
          throw OrchException.invalid("probe-only backend");
        }

        @Override
        public ProbeResult probe(Duration timeout) {
          calls.incrementAndGet();
          return probe.apply(timeout);
        }

        @Override
        public void close() {
        }
      };
    }
  }

  Orchestrator open(List<BackendProvider> backends, String... settings) {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.remove("ORCH_BACKENDS");
    env.put("NANOBOT_ORCHESTRATOR_HOME", home.toString());
    for (int i = 0; i + 1 < settings.length; i += 2) {
      env.put(settings[i], settings[i + 1]);
    }
    Orchestrator.Builder b = Orchestrator.builder().discovery(true).environment(env);
    backends.forEach(b::backend);
    Orchestrator o = b.build();
    opened.add(o);
    return o;
  }

  @AfterEach
  void close() {
    opened.forEach(Orchestrator::close);
  }

  static BackendInfo info(List<BackendInfo> list, String id) {
    return list.stream().filter(b -> b.backend().equals(id)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + id + " in " + list));
  }

  SpawnRequest.Builder req(String prompt) {
    return SpawnRequest.builder("scripted", Role.WORKER, cwd.toString(), SessionMode.NEW).prompt(prompt);
  }

  @Test
  @DisplayName("probes run in parallel: each of two probes sees the other one running")
  void parallelProbes() {
    CountDownLatch both = new CountDownLatch(2);
    Function<Duration, ProbeResult> meet = t -> {
      both.countDown();
      try {
        boolean met = both.await(4, TimeUnit.SECONDS);
        return new ProbeResult(Availability.AVAILABLE, "1.0", null, met ? "met the other probe" : "alone");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return ProbeResult.unknown("interrupted");
      }
    };
    Orchestrator o = open(List.of(new Probed("p_one", meet), new Probed("p_two", meet)));
    List<BackendInfo> list = o.listBackends(true);
    assertThat(info(list, "p_one").detail()).isEqualTo("met the other probe");
    assertThat(info(list, "p_two").detail()).isEqualTo("met the other probe");
    assertThat(info(list, "p_one").version()).isEqualTo("1.0");
    assertThat(info(list, "p_one").capabilities()).containsExactly("streaming", "resume");
  }

  @Test
  @DisplayName("a probe result is cached: a second listing does not probe again; probe:false probes nothing and says unknown")
  void cacheAndNoProbe() {
    Probed p = new Probed("p_cached", t -> new ProbeResult(Availability.AVAILABLE, "2.0", "/bin/p", "fine"));
    Orchestrator o = open(List.of(p));
    assertThat(info(o.listBackends(false), "p_cached").availability()).isEqualTo(Availability.UNKNOWN);
    assertThat(p.calls.get()).as("probe:false starts no probe").isZero();
    assertThat(info(o.listBackends(true), "p_cached").executable()).isEqualTo("/bin/p");
    assertThat(info(o.listBackends(true), "p_cached").availability()).isEqualTo(Availability.AVAILABLE);
    assertThat(p.calls.get()).isEqualTo(1);
    BackendInfo unprobed = info(o.listBackends(false), "p_cached");
    assertThat(unprobed.availability()).isEqualTo(Availability.UNKNOWN);
    assertThat(unprobed.detail()).contains("probe:false");
  }

  @Test
  @DisplayName("a probe still running after 5 s is reported unknown (its result is cached when it comes); the others "
      + "are not held up, and each probe is asked to finish before the cap")
  void probeCap() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    List<Duration> asked = new CopyOnWriteArrayList<>();
    Probed stuck = new Probed("p_stuck", t -> {
      asked.add(t);
      try {
        never.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return new ProbeResult(Availability.AVAILABLE, "late", null, "answered late");
    });
    Probed quick = new Probed("p_quick", t -> ProbeResult.inProcess());
    Orchestrator o = open(List.of(stuck, quick));
    try {
      List<BackendInfo> list = o.listBackends(true);
      assertThat(info(list, "p_stuck").availability()).isEqualTo(Availability.UNKNOWN);
      assertThat(info(list, "p_stuck").detail()).startsWith("the probe did not answer within 5000 ms");
      assertThat(info(list, "p_quick").availability()).isEqualTo(Availability.AVAILABLE);
      assertThat(asked).singleElement().satisfies(t -> assertThat(t).isLessThan(Duration.ofSeconds(5)));
      never.countDown();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      BackendInfo late = info(o.listBackends(true), "p_stuck");
      while (late.availability() == Availability.UNKNOWN && System.nanoTime() < deadline) {
        Thread.sleep(20);
        late = info(o.listBackends(true), "p_stuck");
      }
      assertThat(late.version()).as("the late result was cached").isEqualTo("late");
      assertThat(stuck.calls.get()).as("probed once").isEqualTo(1);
    } finally {
      never.countDown();
    }
  }

  @Test
  @DisplayName("ORCH_PROBE_TIMEOUT_MS changes the cap; a bad value stops the Orchestrator from starting")
  void probeTimeoutSetting() {
    List<Duration> asked = new CopyOnWriteArrayList<>();
    Orchestrator o = open(List.of(new Probed("p_timed", t -> {
      asked.add(t);
      return ProbeResult.inProcess();
    })), "ORCH_PROBE_TIMEOUT_MS", "20000");
    assertThat(info(o.listBackends(true), "p_timed").availability()).isEqualTo(Availability.AVAILABLE);
    assertThat(asked).singleElement().satisfies(t -> assertThat(t).isBetween(Duration.ofSeconds(19),
        Duration.ofSeconds(20)));
    assertThatThrownBy(() -> open(List.of(new ScriptedBackend()), "ORCH_PROBE_TIMEOUT_MS", "soon"))
        .isInstanceOf(OrchException.class).hasMessageContaining("ORCH_PROBE_TIMEOUT_MS must be an integer");
  }

  @Test
  @DisplayName("ORCH_BACKENDS: a named backend without a provider is declared_not_installed (built-ins name their "
      + "artifact); a provider that cannot create its backend is unavailable")
  void declaredAndFailed() {
    Orchestrator o = open(List.of(new Probed("p_broken", t -> ProbeResult.inProcess(), true)),
        "ORCH_BACKENDS", "scripted_missing, codex p_broken");
    List<BackendInfo> list = o.listBackends(true);
    BackendInfo broken = info(list, "p_broken");
    assertThat(broken.availability()).isEqualTo(Availability.UNAVAILABLE);
    assertThat(broken.detail()).contains("could not create the backend").contains("no licence for p_broken");
    BackendInfo missing = info(list, "scripted_missing");
    assertThat(missing.availability()).isEqualTo(Availability.DECLARED_NOT_INSTALLED);
    assertThat(missing.detail()).contains("ORCH_BACKENDS").contains("the jar that provides it");
    // orch-tck's class path holds no built-in backend
    assertThat(info(list, "codex").availability()).isEqualTo(Availability.DECLARED_NOT_INSTALLED);
    assertThat(info(list, "codex").detail()).contains("add dev.orch:orch-backend-codex");
    assertThat(list.stream().filter(b -> b.backend().equals("p_broken"))).as("listed once").hasSize(1);
  }

  @Test
  @DisplayName("running and queued counts and the per-backend cap are live")
  void liveCounts() throws Exception {
    ScriptedBackend b = new ScriptedBackend();
    Orchestrator o = open(List.of(b), "ORCH_MAX_RUNNING_SCRIPTED", "1");
    SpawnResult one = o.spawn(req("hold:one").build());
    SchedulingTest.await(o, one, SchedulingTest.status(RunStatus.RUNNING));
    SpawnResult two = o.spawn(req("hold:two").build());
    BackendInfo s = info(o.listBackends(false), "scripted");
    assertThat(s.running()).isEqualTo(1);
    assertThat(s.queued()).isEqualTo(1);
    assertThat(s.maxRunning()).isEqualTo(1);
    b.release("one");
    b.release("two");
    SchedulingTest.await(o, two, SchedulingTest.status(RunStatus.COMPLETED));
    // the slot frees on the committing thread just after the terminal event is published
    long deadline = System.nanoTime() + 10_000_000_000L;
    BackendInfo after = info(o.listBackends(false), "scripted");
    while (after.running() != 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
      after = info(o.listBackends(false), "scripted");
    }
    assertThat(after.running()).isZero();
    assertThat(after.queued()).isZero();
  }

  @Test
  @DisplayName("a listener hears every published event in order and each status change with the status before")
  void listeners() throws Exception {
    ScriptedBackend b = new ScriptedBackend();
    Orchestrator o = open(List.of(b));
    List<Long> seqs = new CopyOnWriteArrayList<>();
    List<String> changes = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(1);
    Orchestrator.Subscription sub = o.listen(new RunListener() {
      @Override
      public void eventsPublished(RunSummary run, List<NormalizedEvent> events) {
        events.forEach(e -> seqs.add(e.seq()));
      }

      @Override
      public void statusChanged(RunSummary run, RunStatus previous) {
        changes.add(previous.wire() + ">" + run.status().wire());
        if (run.status().isTerminal()) {
          done.countDown();
        }
      }
    });
    SpawnResult r = o.spawn(req("events:3").build());
    assertThat(done.await(20, TimeUnit.SECONDS)).isTrue();
    long last = o.getRun(RunRef.of(r.runId())).lastSeq();
    assertThat(seqs).containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, last).boxed().toList());
    assertThat(changes).containsExactly("queued>running", "running>completed");
    sub.close();
    SpawnResult r2 = o.spawn(req("quiet").build());
    SchedulingTest.await(o, r2, SchedulingTest.status(RunStatus.COMPLETED));
    assertThat(changes).as("nothing after close").hasSize(2);
  }

  @Test
  @DisplayName("usage is priced from ORCH_PRICES for its model; get_usage filters by cwd, run ids and since, and "
      + "groups")
  void usageAndGetUsage() throws Exception {
    Path prices = Files.writeString(home.resolve("prices.json"),
        "{\"models\": {\"scripted-model\": {\"input\": 10, \"output\": 100}}}");
    ScriptedBackend b = new ScriptedBackend();
    Orchestrator o = open(List.of(b), "ORCH_PRICES", prices.toString());
    SpawnResult a = o.spawn(req("usage-last:1000").build());
    SpawnResult plain = o.spawn(req("no usage").build());
    SchedulingTest.await(o, a, SchedulingTest.status(RunStatus.COMPLETED));
    SchedulingTest.await(o, plain, SchedulingTest.status(RunStatus.COMPLETED));
    Usage u = o.getRun(RunRef.of(a.runId())).usage();
    assertThat(u).isEqualTo(new Usage(1000, 0, 10, 0, 1010, 0.011, Usage.CostSource.PRICE_TABLE, "scripted-model"));
    assertThat(o.getRun(RunRef.of(plain.runId())).usage()).isNull();

    UsageSummary all = o.usage(new UsageQuery(cwd.toString(), List.of(), null, UsageQuery.GroupBy.RUN));
    assertThat(all.totals().runs()).isEqualTo(2);
    assertThat(all.totals().runsWithoutUsage()).isEqualTo(1);
    assertThat(all.totals().costUsd()).isEqualTo(0.011);
    assertThat(all.totals().costSource()).isEqualTo("price_table");
    assertThat(all.groups()).hasSize(2);
    assertThat(all.groups().get(0).key()).isEqualTo(a.runId().value());

    assertThat(o.usage(new UsageQuery(null, List.of(a.runId()), null, null)).totals().runs()).isEqualTo(1);
    assertThat(o.usage(new UsageQuery(null, List.of(), Instant.now().plusSeconds(3600), null)).totals().runs())
        .isZero();
    assertThat(o.usage(new UsageQuery(home.toString(), List.of(a.runId()), null, null)).totals().runs())
        .as("run ids outside the cwd are left out").isZero();
    assertThatThrownBy(() -> o.usage(new UsageQuery(null, List.of(RunId.random()), null, null)))
        .isInstanceOf(OrchException.class).hasMessageStartingWith("Unknown run_id: ");
  }

  @Test
  @DisplayName("a bad ORCH_PRICES file stops the Orchestrator from starting, naming the file and the entry")
  void badPrices() throws Exception {
    Path prices = Files.writeString(home.resolve("prices.json"), "{\"models\": {\"m\": {\"input\": \"cheap\"}}}");
    assertThatThrownBy(() -> open(List.of(new ScriptedBackend()), "ORCH_PRICES", prices.toString()))
        .isInstanceOf(OrchException.class).hasMessageContaining(prices.toString())
        .hasMessageContaining("models.\"m\".input");
  }
}
