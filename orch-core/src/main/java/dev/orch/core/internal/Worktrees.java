package dev.orch.core.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.OrchException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Git worktrees for runs (SPEC §12.7), on the {@code git} command line ({@link GitCli}): find the repository of a
 * cwd, check refs and branch names, add a worktree on a new (or existing) branch, list what changed against a base
 * commit (committed, uncommitted and untracked files, without touching the worktree's own index), commit what is
 * left uncommitted, remove a worktree. Worktrees live in {@code <repo>/.nanobot-orchestrator/worktrees/<run_id>};
 * that directory is listed in the repository's {@code info/exclude} so that the main checkout never shows it (the
 * user's {@code .gitignore} is never edited).
 *
 * <p>Thread-safe: changes of one repository's worktree list (add, remove, branch delete, exclude) are serialized
 * per repository in this process; git's own locks cover other processes.
 */
final class Worktrees {
  /** Where worktrees live, relative to the repository's top directory. */
  static final String DIR = ".nanobot-orchestrator/worktrees";
  /** The line added to {@code info/exclude}. */
  static final String EXCLUDE_LINE = "/" + DIR + "/";
  /** Time allowed for a checkout ({@code worktree add}). */
  static final Duration CHECKOUT_TIMEOUT = Duration.ofMinutes(5);
  /** Time allowed for other git calls. */
  static final Duration TIMEOUT = Duration.ofSeconds(60);
  /** The identity of commits Orch makes for uncommitted work before removing a worktree. */
  static final Map<String, String> ORCH_IDENTITY = Map.of("GIT_AUTHOR_NAME", "Orch", "GIT_AUTHOR_EMAIL",
      "orch@localhost", "GIT_COMMITTER_NAME", "Orch", "GIT_COMMITTER_EMAIL", "orch@localhost");

  /**
   * A repository as seen from a cwd.
   *
   * @param top the real path of the top directory of the cwd's working tree
   * @param commonDir the real path of the repository's common git directory (shared by all its worktrees)
   */
  record Repo(Path top, Path commonDir) {
  }

  /**
   * One file that differs from the base commit.
   *
   * @param path path relative to the worktree's top (the new path of a rename)
   * @param change {@code added}, {@code modified}, {@code deleted} or {@code renamed}
   * @param additions lines added (0 for binary files)
   * @param deletions lines deleted (0 for binary files)
   * @param oldPath the old path of a rename, else null
   * @param binary true for a binary file (no line counts)
   */
  record ChangedFile(String path, String change, long additions, long deletions, String oldPath, boolean binary) {
    /** @return {@code {path, change, additions, deletions}} plus {@code old_path} for renames, {@code binary} */
    ObjectNode toJson() {
      ObjectNode n = JsonNodeFactory.instance.objectNode();
      n.put("path", path);
      n.put("change", change);
      n.put("additions", additions);
      n.put("deletions", deletions);
      if (oldPath != null) {
        n.put("old_path", oldPath);
      }
      if (binary) {
        n.put("binary", true);
      }
      return n;
    }
  }

  private final GitCli git;
  private final Map<Path, Object> repoLocks = new ConcurrentHashMap<>();

  /** @param git the git command line */
  Worktrees(GitCli git) {
    this.git = git;
  }

  /**
   * @param cwd an existing directory
   * @return its repository, or empty when the cwd is not inside a git working tree (bare repositories and
   *     {@code .git} directories included)
   * @throws OrchException BACKEND when git cannot be run
   */
  Optional<Repo> repoOf(Path cwd) {
    GitCli.Result r = git.call(cwd, Map.of(), TIMEOUT, "rev-parse", "--show-toplevel", "--git-common-dir");
    if (r.exitCode() != 0) {
      return Optional.empty();
    }
    String[] lines = r.text().split("\n");
    if (lines.length < 2 || lines[0].isBlank()) {
      return Optional.empty();
    }
    try {
      Path top = Path.of(lines[0].strip()).toRealPath();
      Path common = cwd.resolve(lines[1].strip()).normalize().toRealPath();
      return Optional.of(new Repo(top, common));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * @param ref a revision (callers refuse refs starting with {@code -})
   * @return the full commit id {@code ref} names in the repository of {@code dir}, or empty when it names no commit
   */
  Optional<String> commit(Path dir, String ref) {
    GitCli.Result r = git.call(dir, Map.of(), TIMEOUT, "rev-parse", "--verify", "--quiet", ref + "^{commit}");
    return r.exitCode() == 0 && !r.text().isBlank() ? Optional.of(r.text().strip()) : Optional.empty();
  }

  /** @return true when {@code refs/heads/<branch>} exists */
  boolean branchExists(Repo repo, String branch) {
    return git.call(repo.top(), Map.of(), TIMEOUT, "show-ref", "--verify", "--quiet", "refs/heads/" + branch)
        .exitCode() == 0;
  }

  /** @return true when {@code branch} is a valid branch name ({@code git check-ref-format --branch}) */
  boolean validBranchName(Repo repo, String branch) {
    if (branch.isBlank() || branch.startsWith("-")) {
      return false;
    }
    return git.call(repo.top(), Map.of(), TIMEOUT, "check-ref-format", "--branch", branch).exitCode() == 0;
  }

  /**
   * Adds a worktree on a new branch starting at {@code baseCommit}, and makes sure the main checkout ignores the
   * worktrees directory.
   *
   * @throws OrchException BACKEND with git's message (e.g. the branch exists already)
   */
  void add(Repo repo, Path path, String branch, String baseCommit) {
    synchronized (lockOf(repo)) {
      exclude(repo);
      mkdirs(path.getParent());
      git.run(repo.top(), Map.of(), CHECKOUT_TIMEOUT, "worktree", "add", "--quiet", "-b", branch, path.toString(),
          baseCommit);
    }
  }

  /**
   * Adds a worktree again at {@code path} after it was removed: on the existing branch, or, when the branch is gone
   * too, on a new branch of that name at {@code baseCommit}.
   *
   * @throws OrchException BACKEND with git's message
   */
  void reopen(Repo repo, Path path, String branch, String baseCommit) {
    synchronized (lockOf(repo)) {
      // a worktree directory deleted by hand leaves git's record of it behind: forget it before adding one there
      git.call(repo.top(), Map.of(), TIMEOUT, "worktree", "prune");
    }
    if (!branchExists(repo, branch)) {
      add(repo, path, branch, baseCommit);
      return;
    }
    synchronized (lockOf(repo)) {
      exclude(repo);
      mkdirs(path.getParent());
      git.run(repo.top(), Map.of(), CHECKOUT_TIMEOUT, "worktree", "add", "--quiet", path.toString(), branch);
    }
  }

  /** @return true when {@code path} is a checked-out worktree (it has a {@code .git} entry) */
  static boolean present(Path path) {
    return Files.exists(path.resolve(".git"));
  }

  /** @return the commit checked out in the worktree */
  String head(Path worktree) {
    return git.run(worktree, Map.of(), TIMEOUT, "rev-parse", "HEAD").text().strip();
  }

  /**
   * Lists every file that differs between {@code baseCommit} and the worktree's files as they are now: committed,
   * staged, unstaged and untracked (not ignored) changes, renames detected. Works on a copy of the worktree's index,
   * so the worktree is left exactly as it was.
   *
   * @return the changed files sorted by path
   * @throws OrchException BACKEND when git fails
   */
  List<ChangedFile> changes(Path worktree, String baseCommit) {
    Path gitDir = Path.of(git.run(worktree, Map.of(), TIMEOUT, "rev-parse", "--absolute-git-dir").text().strip());
    Path index = null;
    try {
      index = Files.createTempFile("orch-index-", ".tmp");
      Map<String, String> env = Map.of("GIT_INDEX_FILE", index.toString());
      Path real = gitDir.resolve("index");
      if (Files.isRegularFile(real)) {
        Files.copy(real, index, StandardCopyOption.REPLACE_EXISTING);
      } else {
        Files.delete(index);
        git.run(worktree, env, TIMEOUT, "read-tree", "HEAD");
      }
      git.run(worktree, env, TIMEOUT, "add", "-A");
      byte[] numstat = git.run(worktree, env, TIMEOUT, "diff", "--cached", "-M", "--numstat", "-z", baseCommit,
          "--").stdout();
      byte[] names = git.run(worktree, env, TIMEOUT, "diff", "--cached", "-M", "--name-status", "-z", baseCommit,
          "--").stdout();
      return merge(parseNames(names), parseNumstat(numstat));
    } catch (IOException e) {
      throw new OrchException(OrchException.ErrorCode.BACKEND, "cannot compute the changed files: " + e.getMessage(),
          e);
    } finally {
      if (index != null) {
        try {
          Files.deleteIfExists(index);
          Files.deleteIfExists(Path.of(index + ".lock"));
        } catch (IOException ignored) {
          // a temp file left behind is harmless
        }
      }
    }
  }

  /**
   * Commits everything uncommitted in the worktree (untracked files included, ignored ones not) as Orch, without
   * running hooks or signing.
   *
   * @return true when a commit was made, false when there was nothing to commit
   */
  boolean commitAll(Path worktree, String message) {
    git.run(worktree, Map.of(), TIMEOUT, "add", "-A");
    if (git.call(worktree, Map.of(), TIMEOUT, "diff", "--cached", "--quiet").exitCode() == 0) {
      return false;
    }
    git.run(worktree, ORCH_IDENTITY, TIMEOUT, "-c", "commit.gpgsign=false", "commit", "--no-verify", "--quiet",
        "-m", message);
    return true;
  }

  /** Removes a worktree (its files and git's record of it); the branch stays. */
  void remove(Repo repo, Path path) {
    synchronized (lockOf(repo)) {
      GitCli.Result r = git.call(repo.top(), Map.of(), TIMEOUT, "worktree", "remove", "--force", "--force",
          path.toString());
      if (r.exitCode() != 0 && Files.exists(path)) {
        throw new OrchException(OrchException.ErrorCode.BACKEND, "git worktree remove failed: "
            + GitCli.firstLines(r.stderr()));
      }
      git.call(repo.top(), Map.of(), TIMEOUT, "worktree", "prune");
    }
  }

  /** Deletes a branch (used for a removed worktree's branch that holds no change). */
  void deleteBranch(Repo repo, String branch) {
    synchronized (lockOf(repo)) {
      git.run(repo.top(), Map.of(), TIMEOUT, "branch", "-D", "--quiet", branch);
    }
  }

  private Object lockOf(Repo repo) {
    return repoLocks.computeIfAbsent(repo.commonDir(), k -> new Object());
  }

  /** Adds {@link #EXCLUDE_LINE} to the repository's {@code info/exclude} once. */
  private static void exclude(Repo repo) {
    Path file = repo.commonDir().resolve("info").resolve("exclude");
    try {
      String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
      if (text.lines().anyMatch(l -> l.strip().equals(EXCLUDE_LINE))) {
        return;
      }
      Files.createDirectories(file.getParent());
      String add = (text.isEmpty() || text.endsWith("\n") ? "" : "\n")
          + "# worktrees of Orch runs (SPEC 12.7)\n" + EXCLUDE_LINE + "\n";
      Files.writeString(file, add, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new OrchException(OrchException.ErrorCode.BACKEND, "cannot add the worktrees directory to the "
          + "repository's info/exclude: " + e.getMessage(), e);
    }
  }

  private static void mkdirs(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new OrchException(OrchException.ErrorCode.BACKEND, "cannot create the worktrees directory: "
          + e.getMessage(), e);
    }
  }

  /** A name-status entry: status letter(s), path, old path of a rename (or null). */
  private record NameStatus(String status, String path, String oldPath) {
  }

  private static List<NameStatus> parseNames(byte[] out) {
    String[] t = split(out);
    List<NameStatus> list = new ArrayList<>();
    for (int i = 0; i < t.length; ) {
      String status = t[i++];
      if (status.isEmpty()) {
        continue;
      }
      char kind = status.charAt(0);
      if ((kind == 'R' || kind == 'C') && i + 1 < t.length) {
        list.add(new NameStatus(status, t[i + 1], t[i]));
        i += 2;
      } else if (i < t.length) {
        list.add(new NameStatus(status, t[i++], null));
      }
    }
    return list;
  }

  /** @return new path → {additions, deletions} (-1 for binary) */
  private static Map<String, long[]> parseNumstat(byte[] out) {
    String[] t = split(out);
    Map<String, long[]> counts = new HashMap<>();
    for (int i = 0; i < t.length; ) {
      String rec = t[i++];
      String[] f = rec.split("\t", 3);
      if (f.length < 3) {
        continue;
      }
      String path = f[2];
      if (path.isEmpty() && i + 1 < t.length) {
        path = t[i + 1];
        i += 2;
      }
      counts.put(path, new long[] {number(f[0]), number(f[1])});
    }
    return counts;
  }

  private static long number(String s) {
    return "-".equals(s) ? -1 : Long.parseLong(s.strip());
  }

  private static String[] split(byte[] out) {
    String s = new String(out, StandardCharsets.UTF_8);
    return s.isEmpty() ? new String[0] : s.split("\0", -1);
  }

  private static List<ChangedFile> merge(List<NameStatus> names, Map<String, long[]> counts) {
    List<ChangedFile> out = new ArrayList<>();
    for (NameStatus n : names) {
      long[] c = counts.getOrDefault(n.path(), new long[] {0, 0});
      boolean binary = c[0] < 0 || c[1] < 0;
      String change = switch (n.status().charAt(0)) {
        case 'A', 'C' -> "added";
        case 'D' -> "deleted";
        case 'R' -> "renamed";
        default -> "modified";
      };
      out.add(new ChangedFile(n.path(), change, binary ? 0 : c[0], binary ? 0 : c[1],
          "renamed".equals(change) ? n.oldPath() : null, binary));
    }
    out.sort(Comparator.comparing(ChangedFile::path));
    return out;
  }
}
