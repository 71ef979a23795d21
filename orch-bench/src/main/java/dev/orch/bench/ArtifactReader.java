package dev.orch.bench;

import dev.orch.core.ArtifactSlice;
import dev.orch.core.Orchestrator;
import dev.orch.core.RunRef;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The reader of the artifact-api and artifact-cold rows, run by {@link Scale} in a JVM of its own with the GC settings
 * {@code bin/orch-mcp} gives the server (the benchmark JVM's heap, grown by the earlier sections, made passes vary
 * 2–3×). It builds an {@link Orchestrator} on the given home, reads the first 64 MiB of the artifact in
 * {@value Scale#SLICE}-byte slices as a warm-up, then reads the whole artifact {@code passes} times; then it prints
 * {@code cold?}, waits for a line on stdin (the benchmark evicts the chunk files meanwhile) and reads it once more.
 * Every measured pass prints one line: {@code pass <bytes> <seconds> <slice median ms> <slice p99 ms> <slices>}.
 *
 * <p>Arguments: home, fake codex, run id, seq, field path (JSON Pointer), total bytes, passes.
 */
public final class ArtifactReader {
  private ArtifactReader() {
  }

  /** @param args see the class comment */
  public static void main(String[] args) throws IOException {
    Map<String, String> environment = new HashMap<>(System.getenv());
    environment.put("NANOBOT_ORCHESTRATOR_HOME", args[0]);
    environment.put("ORCH_CODEX_EXECUTABLE", args[1]);
    RunRef run = RunRef.ofRunId(args[2]);
    long seq = Long.parseLong(args[3]);
    String fieldPath = args[4];
    long total = Long.parseLong(args[5]);
    int passes = Integer.parseInt(args[6]);
    try (Orchestrator orch = Orchestrator.builder().environment(environment).build()) {
      read(orch, run, seq, fieldPath, Math.min(total, 64L << 20), new ArrayList<>());
      for (int i = 0; i < passes; i++) {
        pass(orch, run, seq, fieldPath, total);
      }
      System.out.println("cold?");
      System.out.flush();
      if (new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine() != null) {
        pass(orch, run, seq, fieldPath, total);
      }
    }
  }

  private static void pass(Orchestrator orch, RunRef run, long seq, String fieldPath, long total) {
    List<Double> sliceMs = new ArrayList<>();
    long t0 = System.nanoTime();
    long bytes = read(orch, run, seq, fieldPath, total, sliceMs);
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf(Locale.ROOT, "pass %d %.6f %.4f %.4f %d%n", bytes, seconds, Stats.median(sliceMs),
        Stats.percentile(sliceMs, 99), sliceMs.size());
    System.out.flush();
  }

  /**
   * Reads the artifact from its start until {@code end} bytes or {@link Scale#ARTIFACT_BUDGET_NS}.
   *
   * @param sliceMs receives the time of each call, ms
   * @return bytes read
   * @throws IllegalStateException when a call returns nothing before the end
   */
  private static long read(Orchestrator orch, RunRef run, long seq, String fieldPath, long end, List<Double> sliceMs) {
    long offset = 0;
    long start = System.nanoTime();
    while (offset < end && System.nanoTime() - start < Scale.ARTIFACT_BUDGET_NS) {
      long t0 = System.nanoTime();
      ArtifactSlice slice = orch.readArtifact(run, seq, fieldPath, offset, Scale.SLICE);
      sliceMs.add((System.nanoTime() - t0) / 1e6);
      if (slice.returnedBytes() == 0) {
        throw new IllegalStateException("readArtifact returned nothing at offset " + offset + " of " + end);
      }
      offset += slice.returnedBytes();
    }
    return offset;
  }
}
