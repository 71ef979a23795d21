package dev.orch.core.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.OrchException;
import dev.orch.core.RunEvent;
import dev.orch.core.RunId;
import dev.orch.core.RunStatus;
import dev.orch.core.spi.RunRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worktree of a run (SPEC §12.7), at the three moments the engine asks: at spawn ({@link #check}: the cwd is in
 * a git repository, base_ref names a commit, the branch is valid, free and not taken by a queued run here), at start
 * ({@link #open}: the worktree is created — or, for a resume of a session that has one, reused or re-created from its
 * branch — and the agent's cwd inside it is returned), and before the terminal event ({@link #beforeEnd}: the changed
 * files against the base commit are computed and recorded with the event and on the run), and after it
 * ({@link #afterEnd}: the cleanup policy).
 *
 * <p>The worktree is created when the run starts, not at spawn, so a queued run holds no checkout; its base_ref is
 * resolved then. Cleanup: {@code keep} (default) never removes it; {@code on_success} removes it when the run
 * completed; {@code always} when the run ended in any way. Before a removal, uncommitted work is committed to the
 * run's branch (as "Orch", without hooks), so nothing is lost; the branch is kept when it holds changes and deleted
 * when it holds none. A run cancelled by a server shutdown keeps its worktree as it is (no git work in the 1 s exit
 * budget). Threading: called from the engine's threads; state per run lives in {@link LiveRun#workspace}.
 */
final class RunWorkspaces {
  private static final Logger LOG = LoggerFactory.getLogger(RunWorkspaces.class);
  /** Most changed files listed on a run (the count is always complete). */
  static final int MAX_LISTED_FILES = 1000;

  /**
   * The worktree a run works in.
   *
   * @param repo its repository
   * @param path the worktree's top directory
   * @param agentCwd where the agent runs: the same subdirectory of the worktree as the user's cwd is of the repository
   * @param branch the branch checked out in it
   * @param baseCommit the commit changes are counted against
   * @param cleanup the cleanup policy
   */
  record Active(Worktrees.Repo repo, Path path, Path agentCwd, String branch, String baseCommit, String cleanup) {
  }

  /**
   * A checked spawn-time request.
   *
   * @param request the request
   * @param repo the repository (null for a shared workspace)
   */
  record Checked(WorkspaceRequest request, Worktrees.Repo repo) {
  }

  private final Worktrees worktrees;
  /** Explicit branches of worktree runs queued in this process and not created yet: repo + branch → run. */
  private final Map<String, RunId> reserved = new ConcurrentHashMap<>();

  RunWorkspaces(Worktrees worktrees) {
    this.worktrees = worktrees;
  }

  /**
   * Checks a spawn's {@code workspace} (SPEC §12.7) before anything is persisted.
   *
   * @param workspace the object as given, or null
   * @param cwd the run's cwd (absolute, existing)
   * @param resume whether the spawn resumes a session
   * @return the checked request, or null for a shared workspace
   * @throws OrchException INVALID_ARGUMENT {@code workspace.mode worktree needs a git repository: <cwd>},
   *     {@code workspace.base_ref does not name a commit in the repository: <ref>},
   *     {@code workspace.branch is not a valid branch name: <b>}, {@code workspace.branch already exists: <b>} (CONFLICT),
   *     {@code workspace is set when a session starts...} for a resume
   */
  Checked check(ObjectNode workspace, Path cwd, boolean resume) {
    WorkspaceRequest req = WorkspaceRequest.parse(workspace);
    if (req == null) {
      return null;
    }
    if (resume) {
      throw OrchException.invalid("workspace is chosen when a session starts (session_mode new); a resume runs in "
          + "its session's workspace (the same worktree, if it has one): remove workspace");
    }
    if (!req.worktree()) {
      return null;
    }
    Worktrees.Repo repo = worktrees.repoOf(cwd)
        .orElseThrow(() -> OrchException.invalid("workspace.mode worktree needs a git repository: " + cwd));
    if (worktrees.commit(repo.top(), req.baseRef()).isEmpty()) {
      throw OrchException.invalid("workspace.base_ref does not name a commit in the repository: " + req.baseRef());
    }
    if (req.branch() != null) {
      if (!worktrees.validBranchName(repo, req.branch())) {
        throw OrchException.invalid("workspace.branch is not a valid branch name: " + req.branch());
      }
      if (worktrees.branchExists(repo, req.branch())) {
        throw OrchException.conflict("workspace.branch already exists: " + req.branch());
      }
      RunId holder = reserved.get(key(repo, req.branch()));
      if (holder != null) {
        throw OrchException.conflict("workspace.branch is already taken by the queued run " + holder + ": "
            + req.branch());
      }
    }
    return new Checked(req, repo);
  }

  /** Reserves a checked request's explicit branch for a run until the run starts or ends. */
  void reserve(Checked checked, RunId runId) {
    if (checked != null && checked.request().branch() != null) {
      reserved.put(key(checked.repo(), checked.request().branch()), runId);
    }
  }

  /** Drops the branch reservation of a run (it started or ended). */
  void release(RunId runId) {
    reserved.values().remove(runId);
  }

  /**
   * Prepares the workspace of a starting run.
   *
   * @param run the run
   * @param resume whether it resumes its session
   * @param sessionRuns the runs of its session, newest first (read only for a resume)
   * @return the worktree, or null when the run works in its cwd
   * @throws OrchException BACKEND when git fails (the run then fails to start)
   */
  Active open(LiveRun run, boolean resume, Supplier<List<RunRecord>> sessionRuns) {
    RunRecord r = run.record();
    try {
      if (resume) {
        Optional<RunRecord> previous = sessionRuns.get().stream()
            .filter(p -> !p.runId().equals(r.runId()) && p.workspace() != null).findFirst();
        return previous.isPresent() ? reuse(r, previous.get().workspace()) : null;
      }
      WorkspaceRequest req = WorkspaceRequest.parse(r.options().workspace());
      if (req == null || !req.worktree()) {
        return null;
      }
      Worktrees.Repo repo = worktrees.repoOf(r.cwd())
          .orElseThrow(() -> OrchException.invalid("workspace.mode worktree needs a git repository: " + r.cwd()));
      String base = worktrees.commit(repo.top(), req.baseRef()).orElseThrow(() -> OrchException.invalid(
          "workspace.base_ref does not name a commit in the repository: " + req.baseRef()));
      String branch = req.branch() != null ? req.branch() : "orch/" + r.runId();
      Path path = repo.top().resolve(Worktrees.DIR).resolve(r.runId().value());
      long t0 = System.nanoTime();
      worktrees.add(repo, path, branch, base);
      LOG.info("run {}: worktree {} on branch {} at {} created in {} ms", r.runId(), path, branch, base,
          (System.nanoTime() - t0) / 1_000_000);
      return new Active(repo, path, agentCwd(repo, path, r.cwd()), branch, base, req.cleanup());
    } finally {
      release(r.runId());
    }
  }

  /**
   * @param previousFiles the changed files recorded by the session's previous run in this worktree, or null for a new
   *     worktree (whose head is its base commit)
   * @return the workspace object recorded on a run when it starts
   */
  ObjectNode startRecord(Active a, JsonNode previousFiles) {
    ObjectNode ws = base(a, previousFiles == null ? a.baseCommit() : worktrees.head(a.path()), false);
    ws.set("changed_files", previousFiles != null && previousFiles.isArray() ? previousFiles.deepCopy()
        : JsonNodeFactory.instance.arrayNode());
    return ws;
  }

  /**
   * Before a run's terminal event is staged: commits uncommitted work when the worktree is to be removed, computes
   * the changed files, and returns the event with {@code workspace} added to its data plus the record change.
   *
   * @param end the status the run ends with
   * @return null when the run has no worktree (or the end is a shutdown)
   */
  EventPipeline.Ending beforeEnd(LiveRun run, RunEvent event, RunStatus end) {
    Active a = run.workspace != null ? run.workspace : restore(run.record());
    if (a == null || isShutdown(event)) {
      return null;
    }
    ObjectNode ws;
    try {
      boolean remove = "always".equals(a.cleanup()) || "on_success".equals(a.cleanup()) && end == RunStatus.COMPLETED;
      if (!Worktrees.present(a.path())) {
        ws = base(a, null, true);
        ws.put("error", "the worktree directory is gone; its changes are on branch " + a.branch());
        ws.set("changed_files", JsonNodeFactory.instance.arrayNode());
      } else {
        if (remove && worktrees.commitAll(a.path(), "Orch: uncommitted work of run " + run.runId
            + " (kept before the worktree is removed, cleanup " + a.cleanup() + ")")) {
          LOG.info("run {}: committed its uncommitted work to {} before removing the worktree", run.runId,
              a.branch());
        }
        List<Worktrees.ChangedFile> files = worktrees.changes(a.path(), a.baseCommit());
        ws = base(a, worktrees.head(a.path()), remove);
        ArrayNode list = ws.putArray("changed_files");
        files.stream().limit(MAX_LISTED_FILES).forEach(f -> list.add(f.toJson()));
        if (files.size() > MAX_LISTED_FILES) {
          ws.put("changed_files_total", files.size());
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("run {}: cannot compute the changes of its worktree: {}", run.runId, e.getMessage());
      ws = base(a, null, false);
      ws.set("changed_files", JsonNodeFactory.instance.arrayNode());
      ws.put("error", "cannot compute the changed files: " + e.getMessage());
    }
    ObjectNode recorded = ws;
    return new EventPipeline.Ending(withWorkspace(event, recorded), r -> r.withWorkspace(recorded));
  }

  /**
   * A run's end is durable: drops its branch reservation and, when {@link #beforeEnd} decided to remove its worktree,
   * does so on {@code executor} ({@link #afterEnd}).
   */
  void ended(RunRecord r, java.util.concurrent.Executor executor) {
    release(r.runId());
    if (r.workspace() != null && r.workspace().path("removed").asBoolean(false)) {
      try {
        executor.execute(() -> afterEnd(r));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        LOG.info("run {}: Orch is stopping; its worktree is left in place", r.runId());
      }
    }
  }

  /**
   * After a run's end is durable: applies the cleanup decided in {@link #beforeEnd} (removes the worktree; deletes
   * its branch when it holds no change). Failures are logged.
   */
  void afterEnd(RunRecord r) {
    JsonNode ws = r.workspace();
    if (ws == null || !ws.path("removed").asBoolean(false)) {
      return;
    }
    Active a = restore(r);
    if (a == null || !Files.exists(a.path())) {
      return;
    }
    try {
      worktrees.remove(a.repo(), a.path());
      if (ws.path("changed_files").isEmpty() && ws.path("error").isMissingNode()) {
        worktrees.deleteBranch(a.repo(), a.branch());
      }
      LOG.info("run {}: worktree {} removed (cleanup {})", r.runId(), a.path(), a.cleanup());
    } catch (RuntimeException e) {
      LOG.warn("run {}: cannot remove its worktree {}: {}", r.runId(), a.path(), e.getMessage());
    }
  }

  /** Reuses (or re-creates from its branch) the worktree a session worked in. */
  private Active reuse(RunRecord r, JsonNode ws) {
    Worktrees.Repo repo = worktrees.repoOf(r.cwd())
        .orElseThrow(() -> OrchException.invalid("the session worked in a git worktree but its cwd is no longer in "
            + "a git repository: " + r.cwd()));
    Path path = Path.of(ws.path("path").asText());
    String branch = ws.path("branch").asText();
    String base = ws.path("base_commit").asText();
    if (!Worktrees.present(path)) {
      worktrees.reopen(repo, path, branch, base);
      LOG.info("run {}: worktree {} of its session re-created from branch {}", r.runId(), path, branch);
    }
    return new Active(repo, path, agentCwd(repo, path, r.cwd()), branch, base, ws.path("cleanup").asText("keep"));
  }

  /** @return the worktree of a run recorded in its workspace object, or null */
  Active restore(RunRecord r) {
    JsonNode ws = r.workspace();
    if (ws == null || !ws.path("path").isTextual()) {
      return null;
    }
    try {
      Worktrees.Repo repo = worktrees.repoOf(r.cwd()).orElse(null);
      if (repo == null) {
        return null;
      }
      Path path = Path.of(ws.path("path").asText());
      return new Active(repo, path, path, ws.path("branch").asText(), ws.path("base_commit").asText(),
          ws.path("cleanup").asText("keep"));
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static Path agentCwd(Worktrees.Repo repo, Path path, Path cwd) {
    Path rel;
    try {
      rel = repo.top().relativize(cwd.toRealPath());
    } catch (IOException | IllegalArgumentException e) {
      rel = Path.of("");
    }
    Path dir = path.resolve(rel).normalize();
    if (!dir.startsWith(path)) {
      return path;
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new OrchException(OrchException.ErrorCode.BACKEND, "cannot create the run's directory in its worktree: "
          + e.getMessage(), e);
    }
    return dir;
  }

  private static ObjectNode base(Active a, String head, boolean removed) {
    ObjectNode ws = JsonNodeFactory.instance.objectNode();
    ws.put("path", a.path().toString());
    ws.put("branch", a.branch());
    ws.put("base_commit", a.baseCommit());
    ws.put("head_commit", head);
    ws.put("cleanup", a.cleanup());
    ws.put("removed", removed);
    return ws;
  }

  private static boolean isShutdown(RunEvent event) {
    return event instanceof RunEvent.StatusChanged s && "shutdown".equals(s.details().path("reason").asText());
  }

  /** @return the event with {@code workspace} added to its details (typed fields unchanged) */
  static RunEvent withWorkspace(RunEvent e, ObjectNode ws) {
    ObjectNode d = e.details().deepCopy();
    d.set("workspace", ws.deepCopy());
    if (e instanceof RunEvent.RunCompleted c) {
      return new RunEvent.RunCompleted(c.finalResponse(), c.structuredOutput(), c.usage(), d);
    }
    if (e instanceof RunEvent.RunFailed f) {
      return new RunEvent.RunFailed(f.message(), d);
    }
    if (e instanceof RunEvent.StatusChanged s) {
      return new RunEvent.StatusChanged(s.status(), d);
    }
    if (e instanceof RunEvent.Rejected rj) {
      return new RunEvent.Rejected(rj.message(), d);
    }
    return e;
  }

  private static String key(Worktrees.Repo repo, String branch) {
    return repo.commonDir() + "\0" + branch;
  }
}
