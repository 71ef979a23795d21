package dev.orch.mcp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Helpers for the tests of runs that outlive their server (SPEC §12.8): the files of a run, its agent's process
 * group, processes found by a marker in their environment, and the "nothing lost, nothing twice" check.
 */
final class Restarts {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Restarts() {
  }

  /** @return {@code <cwd>/.nanobot-orchestrator/runs/<run_id>} */
  static Path runDir(Path cwd, String runId) {
    return cwd.resolve(".nanobot-orchestrator").resolve("runs").resolve(runId);
  }

  /** @return the run's stored re-attachment record */
  static JsonNode attachment(Path cwd, String runId) {
    try {
      return JSON.readTree(runDir(cwd, runId).resolve("attach.json").toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Waits until the run's re-attachment record is stored: a backend stores it after {@code run_started} and before
   * the agent gets its turn, so seeing {@code run_started} does not mean the file is there yet.
   *
   * @return the record
   * @throws AssertionError when it is not there within the timeout
   */
  static JsonNode awaitAttachment(Path cwd, String runId, Duration timeout) throws InterruptedException {
    Path file = runDir(cwd, runId).resolve("attach.json");
    await("the re-attachment record of run " + runId, timeout, () -> Files.exists(file)); // written by rename
    return attachment(cwd, runId);
  }

  /** @return the process group of the run's agent (the wrapper's pid) */
  static long agentGroup(Path cwd, String runId) {
    return attachment(cwd, runId).path("agent").path("pid").asLong();
  }

  /** Sends SIGKILL to a whole process group. */
  static void killGroup(long pgid) throws IOException, InterruptedException {
    assertThat(pgid).isGreaterThan(1);
    new ProcessBuilder("kill", "-KILL", "--", "-" + pgid).inheritIO().start().waitFor(5, TimeUnit.SECONDS);
  }

  /** @return the running processes whose group is {@code pgid} */
  static List<Long> groupMembers(long pgid) {
    List<Long> out = new ArrayList<>();
    for (long pid : pids()) {
      String[] f = statFields(pid);
      if (f != null && Long.parseLong(f[2]) == pgid && !f[0].equals("Z")) {
        out.add(pid);
      }
    }
    return out;
  }

  /** @return the pids of running processes whose environment holds {@code entry} (e.g. {@code KEY=value}) */
  static List<Long> withEnvironment(String entry) {
    List<Long> out = new ArrayList<>();
    for (long pid : pids()) {
      try {
        String env = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ")),
            StandardCharsets.UTF_8);
        String[] f = statFields(pid);
        if (f != null && !f[0].equals("Z") && List.of(env.split("\u0000")).contains(entry)) {
          out.add(pid);
        }
      } catch (IOException | SecurityException e) {
        // gone or not ours
      }
    }
    return out;
  }

  /** @return the command line of a process ("" when gone) */
  static String commandLine(long pid) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8)
          .replace('\u0000', ' ');
    } catch (IOException e) {
      return "";
    }
  }

  /** @return {state, ppid, pgid, sid} of a process, or null when it is gone */
  static String[] statFields(long pid) {
    try {
      String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
      return new String[] {f[0], f[1], f[2], f[3]};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static List<Long> pids() {
    List<Long> out = new ArrayList<>();
    try (DirectoryStream<Path> d = Files.newDirectoryStream(Path.of("/proc"))) {
      for (Path p : d) {
        String n = p.getFileName().toString();
        if (n.chars().allMatch(Character::isDigit)) {
          out.add(Long.parseLong(n));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** @return the pids recorded in every {@code runs/<id>/processes.jsonl} under the cwd's store */
  static Set<Long> recordedPids(Path cwd) throws IOException {
    Set<Long> out = new HashSet<>();
    Path runs = cwd.resolve(".nanobot-orchestrator").resolve("runs");
    if (!Files.isDirectory(runs)) {
      return out;
    }
    try (DirectoryStream<Path> d = Files.newDirectoryStream(runs)) {
      for (Path run : d) {
        Path f = run.resolve("processes.jsonl");
        if (Files.exists(f)) {
          for (String line : Files.readAllLines(f)) {
            if (!line.isBlank()) {
              out.add(JSON.readTree(line).path("pid").asLong());
            }
          }
        }
      }
    }
    return out;
  }

  /** Waits until the condition holds. @throws AssertionError naming {@code what} after the timeout */
  static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  /** @return the event without its seq and ts: what must not appear twice */
  static String content(JsonNode event) {
    return event.path("type").asText() + " " + event.path("data");
  }

  /**
   * Asserts that {@code after} (all events of a run read from seq 0 after restarts) begins with {@code before}
   * (what a client saw before the server was killed) and holds no event twice (same type and data).
   *
   * @return the number of events checked
   */
  static int assertNothingLostOrTwice(List<JsonNode> before, List<JsonNode> after) {
    assertThat(after.size()).as("events after the restart").isGreaterThanOrEqualTo(before.size());
    for (int i = 0; i < before.size(); i++) {
      assertThat(after.get(i)).as("event %d is unchanged after the restart", i + 1).isEqualTo(before.get(i));
    }
    for (int i = 0; i < after.size(); i++) {
      assertThat(after.get(i).path("seq").asLong()).as("seq of event %d", i).isEqualTo(i + 1);
    }
    assertThat(after.stream().map(Restarts::content).distinct().count()).as("distinct events in %s",
        after.stream().map(e -> e.path("type").asText()).toList()).isEqualTo(after.size());
    assertThat(after.stream().filter(Restarts::isTerminal).count()).as("terminal events").isEqualTo(1);
    assertThat(isTerminal(after.get(after.size() - 1))).as("the terminal event is the last").isTrue();
    return after.size();
  }

  static boolean isTerminal(JsonNode e) {
    String t = e.path("type").asText();
    return t.equals("run_completed") || t.equals("run_failed") || t.equals("rejected")
        || t.equals("status_changed") && McpRuns.TERMINAL.contains(e.path("data").path("status").asText());
  }
}
