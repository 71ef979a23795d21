package dev.orch.soak;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reads runs the way an operator would check them on disk (SPEC §6 layout): {@code events.jsonl} line by line (torn
 * lines, seq gaps, terminal events), run.json's status, whether some process holds the run's lease
 * ({@code runs/<id>/.lease}, an OS lock) and whether its active-run marker ({@code <home>/active/<id>.json}) is
 * there. Independent of the server's code on purpose: it is the second opinion.
 */
final class StoreAudit {
  /** Terminal statuses (SPEC §3). */
  static final Set<String> TERMINAL = Set.of("completed", "failed", "cancelled", "rejected");

  private StoreAudit() {
  }

  /**
   * What one run looks like on disk.
   *
   * @param runId the run
   * @param sessionId its session (from run.json), or empty
   * @param status run.json's status, or empty when run.json is unreadable
   * @param events the parsed events.jsonl lines in file order (whole events)
   * @param torn lines that are not one JSON object, plus 1 when the file does not end with a newline
   * @param seqGaps positions where the seq is not the line number (gaps, repeats, disorder)
   * @param terminalEvents how many terminal events the log holds
   * @param terminalStatus the status the first terminal event sets, or empty
   * @param leaseHeld true when some process holds the run's lease
   * @param marker true when the run's active-run marker exists
   */
  record RunOnDisk(String runId, String sessionId, String status, List<JsonNode> events, int torn, int seqGaps,
      int terminalEvents, String terminalStatus, boolean leaseHeld, boolean marker) {

    /** @return the event with that seq, or null */
    JsonNode event(long seq) {
      return seq >= 1 && seq <= events.size() && events.get((int) seq - 1).path("seq").asLong() == seq
          ? events.get((int) seq - 1) : events.stream().filter(e -> e.path("seq").asLong() == seq).findFirst()
              .orElse(null);
    }

    /**
     * @return true for a run directory a kill -9 left before the run existed: no run.json and no event (the spawn was
     *     never answered; nothing reads such a directory)
     */
    boolean debris() {
      return status.isEmpty() && events.isEmpty() && torn == 0;
    }

    /** @return true when the run is over on disk: a terminal event and run.json agreeing with it */
    boolean settled() {
      return terminalEvents == 1 && TERMINAL.contains(status) && status.equals(terminalStatus);
    }
  }

  /** @return the runs stored under that cwd, by run id */
  static Map<String, RunOnDisk> scan(Path cwd, Path home) throws IOException {
    Map<String, RunOnDisk> out = new LinkedHashMap<>();
    Path runs = cwd.resolve(".nanobot-orchestrator").resolve("runs");
    if (!Files.isDirectory(runs)) {
      return out;
    }
    try (Stream<Path> s = Files.list(runs)) {
      for (Path dir : s.filter(Files::isDirectory).sorted().toList()) {
        out.put(dir.getFileName().toString(), run(dir, home));
      }
    }
    return out;
  }

  /** @return the run stored in that run directory */
  static RunOnDisk run(Path dir, Path home) throws IOException {
    String runId = dir.getFileName().toString();
    String status = "";
    String session = "";
    try {
      JsonNode r = ServerProcess.JSON.readTree(Files.readString(dir.resolve("run.json"), StandardCharsets.UTF_8));
      status = r.path("status").asText("");
      session = r.path("sessionId").asText("");
    } catch (IOException e) {
      // missing or unreadable: status stays empty
    }
    List<JsonNode> events = new ArrayList<>();
    int torn = 0;
    int gaps = 0;
    int terminal = 0;
    String terminalStatus = "";
    Path log = dir.resolve("events.jsonl");
    if (Files.exists(log)) {
      byte[] bytes = Files.readAllBytes(log);
      if (bytes.length > 0 && bytes[bytes.length - 1] != '\n') {
        torn++;
      }
      for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
        if (line.isEmpty()) {
          continue;
        }
        JsonNode e;
        try {
          e = ServerProcess.JSON.readTree(line);
        } catch (IOException ex) {
          e = null;
        }
        if (e == null || !e.isObject() || !e.path("seq").canConvertToLong()) {
          torn++;
          continue;
        }
        events.add(e);
        if (e.path("seq").asLong() != events.size()) {
          gaps++;
        }
        String t = terminalStatus(e);
        if (t != null) {
          terminal++;
          if (terminalStatus.isEmpty()) {
            terminalStatus = t;
          }
        }
      }
    }
    return new RunOnDisk(runId, session, status, List.copyOf(events), torn, gaps, terminal, terminalStatus,
        leaseHeld(dir.resolve(".lease")), Files.exists(home.resolve("active").resolve(runId + ".json")));
  }

  /** @return the terminal status an event sets, or null when it is not a terminal event */
  static String terminalStatus(JsonNode e) {
    return switch (e.path("type").asText()) {
      case "run_completed" -> "completed";
      case "run_failed" -> "failed";
      case "status_changed" -> {
        String s = e.path("data").path("status").asText();
        yield TERMINAL.contains(s) ? s : null;
      }
      default -> null;
    };
  }

  /** @return true when another process holds the OS lock on that lease file (tried and released at once) */
  static boolean leaseHeld(Path lease) {
    if (!Files.exists(lease)) {
      return false;
    }
    try (FileChannel ch = FileChannel.open(lease, StandardOpenOption.WRITE)) {
      FileLock lock = ch.tryLock();
      if (lock == null) {
        return true;
      }
      lock.release();
      return false;
    } catch (OverlappingFileLockException e) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
