package dev.orch.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orch.core.testing.Peers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CI's benchmark run: {@code bin/orch-bench --quick} through the packaged server jar and the real launcher. It
 * checks that every figure is produced (each row printed with a value, exit status 0), never how fast anything is.
 */
@DisplayName("bin/orch-bench in smoke mode")
class OrchBenchSmokeIT {
  @TempDir
  Path tmp;

  @Test
  @DisplayName("prints every row of the issue's table and of item 4 with a figure and exits 0")
  void quickRunPrintsEveryRow() throws Exception {
    Path root = Peers.repoRoot();
    ProcessBuilder pb = new ProcessBuilder(root.resolve("bin/orch-bench").toString(), "--quick", "--no-build",
        "--work-dir", tmp.resolve("work").toString())
        .redirectError(tmp.resolve("stderr.txt").toFile());
    // a start-up archive of its own, so that the smoke run neither uses nor writes the user's cache
    pb.environment().put("XDG_CACHE_HOME", tmp.resolve("cache").toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(10, TimeUnit.MINUTES)).as("bin/orch-bench --quick ends").isTrue();
    String err = Files.readString(tmp.resolve("stderr.txt"));
    assertThat(p.exitValue()).as("exit status; stdout:%n%s%nstderr:%n%s", out, err).isZero();
    for (Row row : Row.values()) {
      assertThat(out).as("row %s", row.id()).containsPattern("(?m)^\\| " + row.id() + " \\| [^|]+ \\| [^|]*[0-9][^|]* \\|");
    }
    assertThat(out).doesNotContain("FAILED");
    assertThat(out).contains("- machine: ").contains("- java: ");
    assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
        .filter(h -> h.info().commandLine().map(c -> c.contains("orch-mcp")).orElse(false)))
        .as("server processes left behind").isEmpty();
  }
}
