package dev.orch.core.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orch.core.Availability;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("CliProbe runs <cli> --version (SPEC §12.1 available / unavailable)")
class CliProbeTest {
  static final ThreadFactory THREADS = r -> {
    Thread t = new Thread(r);
    t.setDaemon(true);
    return t;
  };

  @TempDir
  Path dir;

  Path script(String name, String body) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return p;
  }

  @Test
  @DisplayName("the version comes from stdout even when the CLI warns on stderr first")
  void versionFromStdout() throws Exception {
    Path cli = script("cli", "echo 'WARNING: no aliases 9.9.9' >&2\necho 'codex-cli 0.169.0'");
    ProbeResult r = CliProbe.version(cli, Map.of(), Duration.ofSeconds(5), THREADS);
    assertThat(r.availability()).isEqualTo(Availability.AVAILABLE);
    assertThat(r.version()).isEqualTo("0.169.0");
    assertThat(r.executable()).isEqualTo(cli.toString());
    assertThat(r.detail()).startsWith("answers --version in ").endsWith("codex-cli 0.169.0");
  }

  @Test
  @DisplayName("a version line without x.y.z is kept as it is")
  void rawVersion() throws Exception {
    ProbeResult r = CliProbe.version(script("raw", "echo 'nightly build'"), Map.of(), Duration.ofSeconds(5), THREADS);
    assertThat(r.version()).isEqualTo("nightly build");
  }

  @Test
  @DisplayName("a failing --version, a CLI that never answers and a missing file are unavailable with the reason")
  void failures() throws Exception {
    ProbeResult failing = CliProbe.version(script("bad", "echo 'licence expired' >&2\nexit 3"), Map.of(),
        Duration.ofSeconds(5), THREADS);
    assertThat(failing.availability()).isEqualTo(Availability.UNAVAILABLE);
    assertThat(failing.detail()).isEqualTo("bad --version exited with 3: licence expired");

    Path hang = script("hang", "exec sleep 60");
    ProbeResult stuck = CliProbe.version(hang, Map.of(), Duration.ofMillis(300), THREADS);
    assertThat(stuck.availability()).isEqualTo(Availability.UNAVAILABLE);
    assertThat(stuck.detail()).isEqualTo("hang --version did not answer within 300 ms");
    assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
        .anyMatch(p -> p.info().commandLine().map(c -> c.contains("sleep 60")).orElse(false)))
        .as("the hanging child was killed").isFalse();

    ProbeResult missing = CliProbe.version(dir.resolve("nope"), Map.of(), Duration.ofSeconds(5), THREADS);
    assertThat(missing.availability()).isEqualTo(Availability.UNAVAILABLE);
    assertThat(missing.detail()).startsWith("cannot run nope --version: ");
  }

  @Test
  @DisplayName("the given environment reaches the child")
  void environment() throws Exception {
    ProbeResult r = CliProbe.version(script("env", "echo \"tool $PROBE_VERSION\""), Map.of("PROBE_VERSION", "1.2.3"),
        Duration.ofSeconds(5), THREADS);
    assertThat(r.version()).isEqualTo("1.2.3");
  }
}
