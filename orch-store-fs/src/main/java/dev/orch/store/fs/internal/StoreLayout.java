package dev.orch.store.fs.internal;

import dev.orch.core.OrchException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Paths of the per-cwd store (SPEC §6): {@code <cwd>/<dirName>/runs/<run_id>/{run.json, events.jsonl,
 * result.json, processes.jsonl, .lease, artifacts/…, control/…}} (control: {@link ControlFiles}) and {@code <cwd>/<dirName>/sessions/{<session_id>.json,
 * <session_id>.inbox.jsonl, .lock}}. Ids become file names, so they are checked to be one safe path segment.
 *
 * @param dirName name of the store directory inside each cwd, e.g. {@code .nanobot-orchestrator}
 */
public record StoreLayout(String dirName) {
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._-]{1,200}");

  /** @throws IllegalArgumentException when dirName is not one safe path segment */
  public StoreLayout {
    if (!isSafeSegment(dirName)) {
      throw new IllegalArgumentException("store directory name must be one path segment: " + dirName);
    }
  }

  /** @return true when the text can be used as one file name without escaping its directory */
  public static boolean isSafeSegment(String s) {
    return s != null && SAFE.matcher(s).matches() && !s.equals(".") && !s.equals("..");
  }

  /**
   * @return the id itself
   * @throws OrchException INVALID_ARGUMENT when the id is not a safe file name
   */
  public static String checkId(String kind, String id) {
    if (!isSafeSegment(id)) {
      throw OrchException.invalid(kind + " is not a valid file name: " + id);
    }
    return id;
  }

  /** @return {@code <cwd>/<dirName>} */
  public Path root(Path cwd) {
    return cwd.resolve(dirName);
  }

  /** @return {@code <cwd>/<dirName>/runs} */
  public Path runsDir(Path cwd) {
    return root(cwd).resolve("runs");
  }

  /** @return {@code <cwd>/<dirName>/runs/<runId>} */
  public Path runDir(Path cwd, String runId) {
    return runsDir(cwd).resolve(checkId("run_id", runId));
  }

  /** @return {@code <cwd>/<dirName>/sessions} */
  public Path sessionsDir(Path cwd) {
    return root(cwd).resolve("sessions");
  }

  /** @return {@code <cwd>/<dirName>/sessions/<sessionId>.json} */
  public Path sessionFile(Path cwd, String sessionId) {
    return sessionsDir(cwd).resolve(checkId("session_id", sessionId) + ".json");
  }

  /** File names inside a run directory. */
  public static final class RunFiles {
    /** {@code run.json} */
    public static final String RUN = "run.json";
    /** {@code events.jsonl} */
    public static final String EVENTS = "events.jsonl";
    /** {@code result.json} */
    public static final String RESULT = "result.json";
    /** {@code processes.jsonl} */
    public static final String PROCESSES = "processes.jsonl";
    /** {@code .lease} */
    public static final String LEASE = ".lease";
    /** {@code artifacts} */
    public static final String ARTIFACTS = "artifacts";
    /** {@code agent/}: files of the run's agent process (output, exit code, stdin FIFO) */
    public static final String AGENT = "agent";

    private RunFiles() {
    }
  }
}
