package dev.orch.core.internal;

import dev.orch.core.Availability;
import dev.orch.core.BackendInfo;
import dev.orch.core.OrchException;
import dev.orch.core.spi.Backend;
import dev.orch.core.spi.BackendDescriptor;
import dev.orch.core.spi.Capability;
import dev.orch.core.spi.ProbeResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers {@code list_backends} (SPEC §12.1): every registered backend with its probe result, live counts and cap,
 * plus the backends named in {@code ORCH_BACKENDS} that are not on the class path ({@code declared_not_installed})
 * and those whose provider failed to create its backend ({@code unavailable}).
 *
 * <p>Probes run in parallel, each on its own task, and are asked to finish within the cap ({@link #PROBE_CAP},
 * {@value #CAP_ENV} to change it) minus {@link #PROBE_MARGIN} (a CLI that does not answer by then is
 * {@code unavailable}). The answer waits at most the cap for all of them; a probe still running then (a slow machine) is reported {@code unknown} —
 * nothing is known yet — and keeps running: its result is cached for the next call. A result is cached for
 * {@link #CACHE_TTL}; concurrent callers share a probe in flight. {@code probe:false} answers at once with
 * {@code unknown} (no probe is started). Thread-safe.
 */
final class BackendProbes {
  private static final Logger LOG = LoggerFactory.getLogger(BackendProbes.class);
  /** Default of the longest time an answer waits for the probes (SPEC §12.1: 5 s). */
  static final Duration PROBE_CAP = Duration.ofSeconds(5);
  /** The environment variable that changes the cap, ms (for machines where a CLI starts slowly). */
  static final String CAP_ENV = "ORCH_PROBE_TIMEOUT_MS";
  /** Time left for the engine between a probe's own deadline and the cap. */
  static final Duration PROBE_MARGIN = Duration.ofMillis(250);
  /** How long a probe result is reused. */
  static final Duration CACHE_TTL = Duration.ofSeconds(30);
  /** The environment variable naming the backends the operator expects, comma- or space-separated. */
  static final String DECLARED_ENV = "ORCH_BACKENDS";

  private record Cached(ProbeResult result, long atNanos) {
  }

  private final BackendRegistry registry;
  private final Scheduler scheduler;
  private final ExecutorService executor;
  private final Set<String> declared;
  private final Duration cap;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<ProbeResult>> inFlight = new ConcurrentHashMap<>();

  /**
   * @param registry the backends
   * @param scheduler live counts and caps
   * @param executor runs the probes (one task per backend; should not bound them below the number of backends)
   * @param env the environment ({@value #DECLARED_ENV})
   */
  BackendProbes(BackendRegistry registry, Scheduler scheduler, ExecutorService executor, Map<String, String> env) {
    this.registry = registry;
    this.scheduler = scheduler;
    this.executor = executor;
    this.declared = declared(env.get(DECLARED_ENV));
    this.cap = cap(env);
  }

  /**
   * @return {@value #CAP_ENV} or the 5 s default
   * @throws OrchException INVALID_ARGUMENT when it is not an integer between 500 and 600000
   */
  static Duration cap(Map<String, String> env) {
    String v = env.get(CAP_ENV);
    if (v == null || v.isBlank()) {
      return PROBE_CAP;
    }
    try {
      long ms = Long.parseLong(v.trim());
      if (ms >= 500 && ms <= 600_000) {
        return Duration.ofMillis(ms);
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw OrchException.invalid("Invalid probe setting: " + CAP_ENV
        + " must be an integer between 500 and 600000 (ms), got \"" + v + "\"");
  }

  private static Set<String> declared(String v) {
    Set<String> out = new LinkedHashSet<>();
    if (v != null) {
      Arrays.stream(v.split("[,\\s]+")).map(s -> s.trim().toLowerCase(Locale.ROOT)).filter(s -> !s.isEmpty())
          .forEach(out::add);
    }
    return out;
  }

  /**
   * @param probe false to answer at once without probing (every registered backend {@code unknown})
   * @return registered backends by id, then failed and declared-but-missing ones by id
   */
  List<BackendInfo> list(boolean probe) {
    List<BackendDescriptor> descriptors = registry.descriptors();
    Map<String, CompletableFuture<ProbeResult>> probes = new LinkedHashMap<>();
    if (probe) {
      for (BackendDescriptor d : descriptors) {
        probes.put(d.id(), probeOf(d.id()));
      }
    }
    long deadline = System.nanoTime() + cap.toNanos();
    List<BackendInfo> out = new ArrayList<>();
    for (BackendDescriptor d : descriptors) {
      ProbeResult r = probe ? await(d.id(), probes.get(d.id()), deadline)
          : ProbeResult.unknown("not probed (probe:false)");
      out.add(info(d.id(), r, capabilities(d)));
    }
    Set<String> listed = new LinkedHashSet<>();
    descriptors.forEach(d -> listed.add(d.id()));
    for (Map.Entry<String, String> f : registry.failures().entrySet()) {
      if (listed.add(f.getKey())) {
        out.add(info(f.getKey(), ProbeResult.unavailable(null, "the provider could not create the backend: "
            + f.getValue()), List.of()));
      }
    }
    for (String id : declared) {
      if (listed.add(id)) {
        String artifact = BackendRegistry.builtInArtifact(id);
        out.add(info(id, new ProbeResult(Availability.DECLARED_NOT_INSTALLED, null, null, "named in "
            + DECLARED_ENV + " but no provider for it is on the class path: add " + (artifact != null ? artifact
            : "the jar that provides it")), List.of()));
      }
    }
    return out;
  }

  private BackendInfo info(String id, ProbeResult r, List<String> caps) {
    int[] counts = scheduler.counts(id);
    return new BackendInfo(id, r.availability(), r.detail(), r.version(), r.executable(), caps, counts[0], counts[1],
        scheduler.caps().capOf(id));
  }

  private static List<String> capabilities(BackendDescriptor d) {
    List<String> out = new ArrayList<>();
    for (Capability c : Capability.values()) {
      if (d.has(c)) {
        out.add(c.name().toLowerCase(Locale.ROOT));
      }
    }
    return out;
  }

  /** @return the cached result, the probe in flight, or a new probe */
  private CompletableFuture<ProbeResult> probeOf(String id) {
    Cached c = cache.get(id);
    if (c != null && System.nanoTime() - c.atNanos() < CACHE_TTL.toNanos()) {
      return CompletableFuture.completedFuture(c.result());
    }
    return inFlight.computeIfAbsent(id, k -> {
      CompletableFuture<ProbeResult> f = new CompletableFuture<>();
      try {
        executor.execute(() -> run(id, f));
      } catch (RuntimeException e) {
        inFlight.remove(id);
        f.complete(ProbeResult.unknown("the engine is closing"));
      }
      return f;
    });
  }

  private void run(String id, CompletableFuture<ProbeResult> f) {
    ProbeResult r;
    try {
      Backend b = registry.get(id);
      r = b.probe(cap.minus(PROBE_MARGIN));
      if (r == null) {
        r = ProbeResult.unknown("the backend's probe gave no answer");
      }
    } catch (RuntimeException | LinkageError e) {
      LOG.warn("probe of backend {} failed", id, e);
      r = ProbeResult.unavailable(null, "the probe failed: " + e.getMessage());
    }
    cache.put(id, new Cached(r, System.nanoTime()));
    inFlight.remove(id);
    f.complete(r);
  }

  private ProbeResult await(String id, CompletableFuture<ProbeResult> f, long deadline) {
    try {
      return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      return ProbeResult.unknown("the probe did not answer within " + cap.toMillis() + " ms; it goes on and "
          + "its result is cached for the next call");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ProbeResult.unknown("interrupted while probing");
    } catch (ExecutionException e) {
      LOG.warn("probe of backend {} failed", id, e.getCause());
      return ProbeResult.unavailable(null, "the probe failed: " + e.getCause());
    }
  }
}
