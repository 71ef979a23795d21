package dev.orch.tck;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.orch.core.Orchestrator;
import dev.orch.core.Role;
import dev.orch.core.RunRef;
import dev.orch.core.RunStatus;
import dev.orch.core.RunSummary;
import dev.orch.core.SessionMode;
import dev.orch.core.SpawnRequest;
import dev.orch.core.SpawnResult;
import dev.orch.core.WaitMode;
import dev.orch.core.testing.GitRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * Prints the figures of issue 11 (not a test):
 * <ol>
 *   <li>wait_runs wake-up latency: from the moment the deciding run's backend reports its end to the return of a
 *       waiting {@code awaitRuns} (terminal event made durable, published, waiter woken), for a run of this process
 *       and for a run owned by another Orchestrator sharing the cwd (watched on disk);</li>
 *   <li>worktree creation time: spawn → running of a worktree run minus the same for a shared-cwd run, in a
 *       repository of 200 and of 2000 files.</li>
 * </ol>
 * Run: {@code mvn -q -pl orch-tck -am test-compile}, then {@code java -cp <orch-tck test + main classes, orch-core
 * (and its test classes), orch-store-fs, test class path> dev.orch.tck.WorkflowBenchmark [rounds]} (like
 * {@code bin/orch-bench}).
 */
public final class WorkflowBenchmark {
  private WorkflowBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
    Path home = Files.createTempDirectory("orch-bench-home");
    Path cwd = Files.createTempDirectory("orch-bench-cwd");
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("NANOBOT_ORCHESTRATOR_HOME", home.toString());
    ScriptedBackend owner = new ScriptedBackend();
    ScriptedBackend mine = new ScriptedBackend();
    try (Orchestrator here = Orchestrator.builder().backend(mine).environment(env).build();
         Orchestrator other = Orchestrator.builder().backend(owner).environment(env).build()) {
      wake(here, here, mine, cwd, 10, "warm", new ArrayList<>());
      List<Double> localPoll = new ArrayList<>();
      List<Double> diskPoll = new ArrayList<>();
      List<Double> local = wake(here, here, mine, cwd, rounds, "l", localPoll);
      List<Double> disk = wake(here, other, owner, cwd, rounds, "d", diskPoll);
      System.out.printf("wait_runs wake-up, run of this process:     median %.1f ms, p90 %.1f ms; a poll_events "
          + "long-poll on the same end: median %.1f ms (%d rounds)%n", pct(local, 50), pct(local, 90),
          pct(localPoll, 50), rounds);
      System.out.printf("wait_runs wake-up, run of another process:  median %.1f ms, p90 %.1f ms; a poll_events "
          + "long-poll on the same end: median %.1f ms (%d rounds)%n", pct(disk, 50), pct(disk, 90),
          pct(diskPoll, 50), rounds);

      for (int files : new int[] {200, 2000}) {
        GitRepo repo = GitRepo.init(Files.createTempDirectory("orch-bench-repo"));
        for (int i = 0; i < files; i++) {
          repo.write("src/dir" + (i % 20) + "/file" + i + ".txt", ("line " + i + "\n").repeat(20));
        }
        repo.commitAll("base");
        start(here, mine, repo.dir(), false, 3, "ws");
        List<Double> shared = start(here, mine, repo.dir(), false, 10, "s" + files);
        List<Double> tree = start(here, mine, repo.dir(), true, 10, "t" + files);
        System.out.printf("worktree creation, %4d files: median %.0f ms (spawn to running %.0f ms with a worktree, "
            + "%.0f ms without)%n", files, pct(tree, 50) - pct(shared, 50), pct(tree, 50), pct(shared, 50));
      }
    }
  }

  /**
   * @param polls gets, per round, ms from the same release to the return of a poll_events long-poll waiting for the
   *     run's next event (the engine's own publish-to-reader path, as a baseline)
   * @return ms from the release of a held run to the return of awaitRuns waiting for it, per round
   */
  private static List<Double> wake(Orchestrator waiter, Orchestrator owner, ScriptedBackend backend, Path cwd,
      int rounds, String tag, List<Double> polls) throws Exception {
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < rounds; i++) {
      String name = tag + i;
      SpawnResult r = owner.spawn(SpawnRequest.builder("scripted", Role.WORKER, cwd.toString(), SessionMode.NEW)
          .prompt("hold:" + name).build());
      RunSummary running = owner.getRun(RunRef.of(r.runId()));
      while (running.status() != RunStatus.RUNNING) {
        Thread.sleep(1);
        running = owner.getRun(RunRef.of(r.runId()));
      }
      long lastSeq = running.lastSeq();
      CompletableFuture<Long> returned = CompletableFuture.supplyAsync(() -> {
        waiter.awaitRuns(List.of(RunRef.of(r.runId())), WaitMode.ANY, Duration.ofSeconds(30));
        return System.nanoTime();
      });
      CompletableFuture<Long> polled = CompletableFuture.supplyAsync(() -> {
        waiter.poll(RunRef.of(r.runId()), lastSeq, 100, Duration.ofSeconds(30));
        return System.nanoTime();
      });
      Thread.sleep(30);
      long t0 = System.nanoTime();
      backend.release(name);
      out.add((returned.get() - t0) / 1e6);
      polls.add((polled.get() - t0) / 1e6);
    }
    return out;
  }

  /** @return ms from spawn to running (with its workspace recorded when asked), per round */
  private static List<Double> start(Orchestrator o, ScriptedBackend backend, Path cwd, boolean worktree, int rounds,
      String tag) throws Exception {
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < rounds; i++) {
      long t0 = System.nanoTime();
      SpawnRequest.Builder b = SpawnRequest.builder("scripted", Role.WORKER, cwd.toString(), SessionMode.NEW)
          .prompt("hold:" + tag + i);
      if (worktree) {
        b.workspace(JsonNodeFactory.instance.objectNode().put("mode", "worktree"));
      }
      SpawnResult r = o.spawn(b.build());
      await(o, r, s -> s.status() == RunStatus.RUNNING && (!worktree || s.workspace() != null));
      out.add((System.nanoTime() - t0) / 1e6);
      backend.release(tag + i);
      o.awaitRuns(List.of(RunRef.of(r.runId())), WaitMode.ALL, Duration.ofSeconds(30));
    }
    return out;
  }

  private static void await(Orchestrator o, SpawnResult r, Predicate<RunSummary> p) throws InterruptedException {
    while (!p.test(o.getRun(RunRef.of(r.runId())))) {
      Thread.sleep(1);
    }
  }

  private static double pct(List<Double> values, int p) {
    List<Double> s = new ArrayList<>(values);
    Collections.sort(s);
    return s.get(Math.min(s.size() - 1, (int) Math.ceil(p / 100.0 * s.size()) - 1));
  }
}
