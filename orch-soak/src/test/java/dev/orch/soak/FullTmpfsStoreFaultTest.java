package dev.orch.soak;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 9 item 2 end to end: a real server in its own mount namespace where a run's cwd is a 2 MiB tmpfs (half of it
 * taken by a filler file), a fake codex flooding 64 KiB command outputs until the disk is full. The run must end
 * {@code failed} with the I/O reason visible through poll_events and get_run, cancel_run on it must answer, a run in
 * a cwd outside the tmpfs must complete, the server must keep serving, and once space is freed (the filler deleted)
 * the run's end must be on disk exactly once, with no torn line and no seq gap. Space is freed once the engine has
 * stopped the flooding agent, whose output shares the full disk.
 *
 * <p>The namespace: {@code unshare -m --propagation private sh -c 'mount -t tmpfs … && exec bin/orch-mcp'} (root,
 * as here and in CI), else {@code unshare -r -m} (a user namespace). When neither may mount, the test fails and says
 * so: it is never skipped. The test reaches the tmpfs through {@code /proc/<server pid>/root}.
 */
@DisplayName("A real full tmpfs ends the run on it cleanly and nothing else")
class FullTmpfsStoreFaultTest {
  private static final Duration ANSWER = Duration.ofSeconds(60);

  @Test
  @DisplayName("disk full: the run fails with 'No space left on device', cancel answers, other cwds go on, one end")
  void diskFull() throws Exception {
    try (SoakEnv env = SoakEnv.create("tmpfs")) {
      Path mount = env.cwd("tmpfs");
      Path outside = env.cwd("outside");
      List<String> cmd = new ArrayList<>(namespacePrefix(env.cwd("probe")));
      cmd.add("sh");
      cmd.add("-c");
      cmd.add("mount -t tmpfs -o size=2m tmpfs \"$1\" && head -c 1048576 /dev/zero > \"$1/filler\" && shift"
          + " && exec \"$@\"");
      cmd.add("sh");
      cmd.add(mount.toString());
      cmd.addAll(env.serverCommand());
      ServerProcess server = ServerProcess.start(cmd, env.serverEnv(), env.logFile("tmpfs-server"), false);
      try {
        server.initialize(ANSWER);
        Path inside = Path.of("/proc/" + server.process.pid() + "/root" + mount);
        assertThat(inside.resolve("filler")).as("the tmpfs as the server sees it").exists();

        String full = spawn(server, mount, "steps=2000 delay=0.005 bytes=65536");
        String other = spawn(server, outside, "steps=5 delay=0.02");

        List<JsonNode> events = pollToEnd(server, full);
        JsonNode end = events.get(events.size() - 1);
        assertThat(end.path("type").asText()).as("end of the run on the full disk: %s", end).isEqualTo("run_failed");
        assertThat(end.path("data").path("message").asText()).contains("No space left on device");
        assertThat(events.stream().filter(e -> StoreAudit.terminalStatus(e) != null)).hasSize(1);
        JsonNode summary = server.call("get_run", obj().put("run_id", full), ANSWER).ok();
        assertThat(summary.path("status").asText()).isEqualTo("failed");

        ToolAnswer cancel = server.call("cancel_run", obj().put("run_id", full), ANSWER);
        assertThat(cancel.error() ? cancel.text() : cancel.payload().path("status").asText())
            .as("cancel_run on the failed run answers").containsAnyOf("already terminal", "failed");

        List<JsonNode> otherEvents = pollToEnd(server, other);
        assertThat(otherEvents.get(otherEvents.size() - 1).path("type").asText()).isEqualTo("run_completed");
        assertThat(server.call("list_runs", obj().put("cwd", outside.toString()), ANSWER).ok().path("runs"))
            .as("the server keeps serving").hasSize(1);

        // the engine stops the agent on its own thread (SIGINT, a grace period, then SIGKILL of the tree); its
        // output goes to the same full disk, so space is freed only once it is gone (an agent still flooding would
        // take the freed space again, as CI once saw: the end then cannot reach the disk)
        assertThat(Agents.awaitNoOrphans(env.fakeCodex, a -> true, Duration.ofSeconds(20)))
            .as("agents left 20 s after the end").isEmpty();
        Files.delete(inside.resolve("filler"));
        StoreAudit.RunOnDisk onDisk = awaitEndOnDisk(inside.resolve(".nanobot-orchestrator/runs/" + full), env.home);
        assertThat(onDisk.terminalEvents()).as("terminal events on disk").isEqualTo(1);
        assertThat(onDisk.terminalStatus()).isEqualTo("failed");
        assertThat(onDisk.status()).as("run.json").isEqualTo("failed");
        assertThat(onDisk.torn()).as("torn lines").isZero();
        assertThat(onDisk.seqGaps()).as("seq gaps").isZero();
        assertThat(onDisk.events().get(onDisk.events().size() - 1).path("data").path("message").asText())
            .contains("No space left on device");
      } finally {
        long exit = server.closeStdinAndAwaitExit(Duration.ofSeconds(10));
        if (exit < 0) {
          server.kill9();
        }
        assertThat(exit).as("exit after stdin EOF").isNotNegative();
      }
    }
  }

  /**
   * @param probe an empty directory to try a tmpfs mount on
   * @return the unshare command that may mount a tmpfs here
   * @throws AssertionError naming both attempts when neither can mount
   */
  static List<String> namespacePrefix(Path probe) throws IOException, InterruptedException {
    List<List<String>> candidates = List.of(List.of("unshare", "-m", "--propagation", "private"),
        List.of("unshare", "-r", "-m", "--propagation", "private"));
    StringBuilder why = new StringBuilder();
    for (List<String> prefix : candidates) {
      List<String> cmd = new ArrayList<>(prefix);
      cmd.addAll(List.of("sh", "-c", "mount -t tmpfs -o size=1m tmpfs \"$1\"", "sh", probe.toString()));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
        return prefix;
      }
      why.append('\n').append(String.join(" ", prefix)).append(": ").append(out);
    }
    throw new AssertionError("this test needs to mount a tmpfs in a private mount namespace (root, or user "
        + "namespaces allowed), and neither worked:" + why);
  }

  private static ObjectNode obj() {
    return ServerProcess.JSON.createObjectNode();
  }

  private static String spawn(ServerProcess server, Path cwd, String prompt) throws Exception {
    return server.call("spawn_run", obj().put("backend", "codex").put("role", "worker").put("cwd", cwd.toString())
        .put("session_mode", "new").put("prompt", prompt), ANSWER).ok().path("run_id").asText();
  }

  private static List<JsonNode> pollToEnd(ServerProcess server, String runId) throws Exception {
    List<JsonNode> events = new ArrayList<>();
    long after = 0;
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (System.nanoTime() < deadline) {
      JsonNode page = server.call("poll_events", obj().put("run_id", runId).put("after_seq", after)
          .put("limit", 1000).put("wait_ms", 2000), ANSWER).ok();
      page.path("events").forEach(events::add);
      after = page.path("next_after_seq").asLong();
      if (page.path("events").isEmpty() && StoreAudit.TERMINAL.contains(page.path("status").asText())) {
        return events;
      }
    }
    throw new AssertionError("run " + runId + " did not end within 3 minutes: " + events.size() + " events");
  }

  /** Waits (up to 60 s: the engine retries with a backoff of at most 10 s) until the run's end is on disk. */
  private static StoreAudit.RunOnDisk awaitEndOnDisk(Path runDir, Path home) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    StoreAudit.RunOnDisk d = StoreAudit.run(runDir, home);
    while (System.nanoTime() < deadline && !d.settled()) {
      Thread.sleep(250);
      d = StoreAudit.run(runDir, home);
    }
    return d;
  }
}
