package dev.orch.backend.claude;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.backend.claude.testing.ClaudeTestSetup;
import dev.orch.core.spi.CliProcess;
import dev.orch.core.spi.ProcessRef;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("no claude process outlives a dead Orch server")
class ServerDeathTest {
  @TempDir
  Path temp;
  ClaudeTestSetup claude;
  Process server;

  @BeforeEach
  void setUp() throws Exception {
    claude = ClaudeTestSetup.start(temp);
  }

  @AfterEach
  void tearDown() {
    if (server != null) {
      server.destroyForcibly();
    }
    for (ProcessHandle h : claude.liveClaudeProcesses()) {
      CliProcess.destroyTree(h, Duration.ZERO);
    }
    claude.close();
  }

  /** Starts the stand-in server, returns the claude pid it reports. */
  long startServer(String prompt, String mode, long keepaliveMs) throws Exception {
    ObjectNode cfg = claude.backendConfig();
    cfg.put("idle_keepalive_ms", keepaliveMs);
    Path cwd = Files.createDirectories(temp.resolve("work"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    server = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        ServerDeathMain.class.getName(), cfg.toString(), cwd.toString(), prompt, mode)
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      if (line.startsWith("PID ")) {
        return Long.parseLong(line.substring(4).trim());
      }
    }
    throw new AssertionError("the stand-in server ended without reporting a pid");
  }

  @Test
  @DisplayName("an idle kept-alive session process exits by itself when the server is SIGKILLed (stdin EOF)")
  void idleProcessExitsWithServer() throws Exception {
    long pid = startServer("say hello", "idle", 60_000);
    ProcessRef ref = ProcessRef.of(ProcessHandle.of(pid).orElseThrow());
    assertThat(ref.live()).as("parked for reuse").isPresent();
    server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    claude.awaitNoClaudeProcesses(Duration.ofSeconds(10));
  }

  @Test
  @DisplayName("a busy process whose server died is found from its process record and killed as reconcile does")
  void busyProcessIsReconciled() throws Exception {
    long pid = startServer("SLOW please", "busy", 0);
    ProcessRef recorded = ProcessRef.of(ProcessHandle.of(pid).orElseThrow());
    server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    // what the engine does on the next start with the processStarted records of runs left active
    Optional<ProcessHandle> live = recorded.live();
    live.ifPresent(h -> CliProcess.destroyTree(h, Duration.ofSeconds(5)));
    claude.awaitNoClaudeProcesses(Duration.ofSeconds(10));
    assertThat(List.of(recorded)).allSatisfy(r -> assertThat(r.live()).isEmpty());
  }
}
