package dev.orch.core.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("CliProcess.destroyTree on processes this JVM does not reap (reconcile after a crash)")
class CliProcessDestroyTreeTest {

  @Test
  @DisplayName("a killed process whose parent never reaps it (a zombie) counts as gone: no 1 s wait per zombie,"
      + " and ProcessRef.live() is empty")
  void zombieCountsAsGone() throws Exception {
    // sh starts a background sleep, prints its pid, then becomes a sleep that never calls wait(): once the
    // background sleep is killed it stays a zombie, like a re-parented CLI under an init that reaps slowly
    Process parent = new ProcessBuilder("sh", "-c", "sleep 60 & echo $!; exec sleep 60").start();
    try {
      long pid;
      try (BufferedReader out = new BufferedReader(new InputStreamReader(parent.getInputStream(),
          StandardCharsets.UTF_8))) {
        pid = Long.parseLong(out.readLine().trim());
      }
      ProcessHandle orphan = ProcessHandle.of(pid).orElseThrow();
      assertThat(ProcessHandle.current().children()).as("not a child of this JVM").noneMatch(h -> h.pid() == pid);

      long start = System.nanoTime();
      CliProcess.destroyTree(orphan, Duration.ofMillis(300));
      long ms = (System.nanoTime() - start) / 1_000_000;

      assertThat(state(pid)).as("the process ended and is an unreaped zombie").isEqualTo('Z');
      assertThat(ms).as("ms spent in destroyTree with a 300 ms grace").isLessThan(900);
      assertThat(new ProcessRef(pid, null).live()).as("a zombie is no live process to reconcile").isEmpty();
    } finally {
      parent.toHandle().destroyForcibly();
      assertThat(parent.waitFor(5, TimeUnit.SECONDS)).isTrue();
    }
  }

  private static char state(long pid) throws Exception {
    String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    return s.charAt(s.lastIndexOf(')') + 2);
  }
}
