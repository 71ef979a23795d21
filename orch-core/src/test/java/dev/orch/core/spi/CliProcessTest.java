package dev.orch.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("CliProcess stops whole process trees")
class CliProcessTest {
  @TempDir
  Path cwd;
  private final List<ProcessHandle> started = new ArrayList<>();

  @AfterEach
  void noProcessLeft() {
    List<ProcessHandle> alive = new ArrayList<>();
    for (ProcessHandle h : started) {
      if (CliProcess.isRunning(h)) {
        alive.add(h);
        h.destroyForcibly();
      }
    }
    assertThat(alive).as("processes left behind").isEmpty();
  }

  /** Starts {@code sh -c script} and returns it once it printed its first line (returned in {@code firstLine}). */
  private CliProcess sh(String script, CompletableFuture<String> firstLine) throws IOException {
    CliProcess p = CliProcess.start(List.of("sh", "-c", script), cwd, Map.of(), Thread::new, firstLine::complete,
        code -> { });
    started.add(p.handle());
    return p;
  }

  private ProcessHandle handle(String pid) {
    ProcessHandle h = ProcessHandle.of(Long.parseLong(pid.trim())).orElseThrow();
    started.add(h);
    return h;
  }

  @Test
  @DisplayName("stop closes stdin, and a child the CLI left behind (re-parented when the CLI exited) is stopped too")
  void stopKillsReparentedDescendants() throws Exception {
    CompletableFuture<String> line = new CompletableFuture<>();
    CliProcess p = sh("sleep 300 >/dev/null 2>&1 & echo $!; read x; exit 0", line);
    ProcessHandle orphan = handle(line.get(10, TimeUnit.SECONDS));
    List<ProcessHandle> left = p.stop(p::closeStdin, Duration.ofSeconds(5), Duration.ofSeconds(2));
    assertThat(left).isEmpty();
    assertThat(p.waitFor(Duration.ofSeconds(5))).as("the CLI ended on stdin EOF").isTrue();
    assertThat(p.onExit().get()).isZero();
    assertThat(CliProcess.isRunning(orphan)).as("the orphaned sleep").isFalse();
  }

  @Test
  @DisplayName("destroyTree sends SIGKILL after the grace to a tree that ignores SIGTERM, within grace + 1 s")
  void destroyTreeKillsStubbornTree() throws Exception {
    CompletableFuture<String> line = new CompletableFuture<>();
    CliProcess p = sh("trap '' TERM; sh -c \"trap '' TERM; echo \\$\\$; exec sleep 300\" & wait", line);
    ProcessHandle child = handle(line.get(10, TimeUnit.SECONDS));
    long t0 = System.nanoTime();
    p.destroyTree(Duration.ofMillis(300));
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(300 + 1500));
    assertThat(CliProcess.isRunning(child)).isFalse();
    assertThat(p.waitFor(Duration.ofSeconds(5))).isTrue();
    assertThat(p.isAlive()).isFalse();
  }

  @Test
  @DisplayName("a zombie counts as gone (Linux /proc state Z), so it does not stretch the grace")
  void zombieIsNotRunning() throws Exception {
    assumeTrue(Files.isReadable(Path.of("/proc/self/stat")), "needs Linux procfs");
    // the shell forks a short sleep and then becomes a long sleep that never reaps it: a zombie
    CompletableFuture<String> line = new CompletableFuture<>();
    CliProcess p = sh("sleep 0.1 & echo $!; exec sleep 300", line);
    ProcessHandle zombie = handle(line.get(10, TimeUnit.SECONDS));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (CliProcess.isRunning(zombie) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(zombie.isAlive()).as("not reaped yet").isTrue();
    assertThat(CliProcess.isRunning(zombie)).isFalse();
    long t0 = System.nanoTime();
    assertThat(CliProcess.destroyAll(p.tree(), Duration.ofSeconds(10))).isEmpty();
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("the zombie did not hold up the wait")
        .isLessThan(Duration.ofSeconds(3));
    assertThat(p.waitFor(Duration.ofSeconds(5))).isTrue();
  }

  @Test
  @DisplayName("interrupt sends SIGINT to a running process and nothing once it has exited")
  void interrupt() throws Exception {
    CompletableFuture<String> line = new CompletableFuture<>();
    CliProcess p = sh("trap 'echo got-int; exit 3' INT; echo ready; while :; do sleep 0.05; done", line);
    assertThat(line.get(10, TimeUnit.SECONDS)).isEqualTo("ready");
    p.interrupt();
    assertThat(p.waitFor(Duration.ofSeconds(5))).isTrue();
    assertThat(p.onExit().get()).isEqualTo(3);
    p.interrupt();
    assertThat(CliProcess.destroyAll(p.tree(), Duration.ZERO)).isEmpty();
  }
}
