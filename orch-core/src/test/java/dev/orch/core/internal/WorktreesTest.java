package dev.orch.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orch.core.testing.GitRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Git worktrees on the git command line (SPEC §12.7)")
class WorktreesTest {
  @TempDir
  Path tmp;

  final Worktrees worktrees = new Worktrees(new GitCli("git"));
  GitRepo repo;
  String base;

  @BeforeEach
  void repository() {
    repo = GitRepo.init(tmp.resolve("repo"));
    repo.write("a.txt", "1\n2\n3\n").write("b.txt", "one\ntwo\n").write("c.txt", "c1\nc2\nc3\nc4\nc5\n")
        .write("d.txt", "d\n").write("sub/e.txt", "e\n").write(".gitignore", "*.log\n");
    base = repo.commitAll("base");
  }

  @Test
  @DisplayName("a cwd inside a working tree finds its top and common directory; outside one finds nothing")
  void repoOf() throws Exception {
    Worktrees.Repo r = worktrees.repoOf(repo.dir().resolve("sub")).orElseThrow();
    assertThat(r.top()).isEqualTo(repo.dir());
    assertThat(r.commonDir()).isEqualTo(repo.dir().resolve(".git"));
    assertThat(worktrees.repoOf(Files.createDirectories(tmp.resolve("plain")))).isEmpty();
    assertThat(worktrees.repoOf(repo.dir().resolve(".git"))).isEmpty();
    assertThat(worktrees.commit(repo.dir(), "HEAD")).contains(base);
    assertThat(worktrees.commit(repo.dir(), "no-such-ref")).isEmpty();
    assertThat(worktrees.validBranchName(r, "orch/feature-1")).isTrue();
    assertThat(worktrees.validBranchName(r, "a..b")).isFalse();
    assertThat(worktrees.validBranchName(r, "-x")).isFalse();
  }

  @Test
  @DisplayName("changed files count committed, staged, unstaged and untracked work against the base commit, with "
      + "renames and line counts, and leave the worktree's own index untouched; the main checkout never sees anything")
  void changedFiles() throws Exception {
    Worktrees.Repo r = worktrees.repoOf(repo.dir()).orElseThrow();
    Path wt = repo.dir().resolve(Worktrees.DIR).resolve("run-1");
    worktrees.add(r, wt, "orch/run-1", base);
    assertThat(GitRepo.git(wt, "rev-parse", "--abbrev-ref", "HEAD")).isEqualTo("orch/run-1");

    Files.writeString(wt.resolve("d.txt"), "d\nd2\n");
    GitRepo.git(wt, "-c", "user.name=T", "-c", "user.email=t@t", "commit", "-qam", "committed change");
    Files.writeString(wt.resolve("a.txt"), "1\n2\n3\n4\n5\n");           // unstaged: +2
    Files.delete(wt.resolve("b.txt"));                                       // deleted: -2
    Files.move(wt.resolve("c.txt"), wt.resolve("c-renamed.txt"));           // renamed, same content
    Files.writeString(wt.resolve("new.txt"), "n1\nn2\nn3\n");               // untracked: +3
    Files.writeString(wt.resolve("staged.txt"), "s\n");
    GitRepo.git(wt, "add", "staged.txt");                                   // staged: +1
    Files.writeString(wt.resolve("ignored.log"), "not counted\n");
    String indexBefore = GitRepo.git(wt, "diff", "--cached", "--name-status");

    List<Worktrees.ChangedFile> files = worktrees.changes(wt, base);
    assertThat(files).containsExactly(
        new Worktrees.ChangedFile("a.txt", "modified", 2, 0, null, false),
        new Worktrees.ChangedFile("b.txt", "deleted", 0, 2, null, false),
        new Worktrees.ChangedFile("c-renamed.txt", "renamed", 0, 0, "c.txt", false),
        new Worktrees.ChangedFile("d.txt", "modified", 1, 0, null, false),
        new Worktrees.ChangedFile("new.txt", "added", 3, 0, null, false),
        new Worktrees.ChangedFile("staged.txt", "added", 1, 0, null, false));
    assertThat(GitRepo.git(wt, "diff", "--cached", "--name-status")).isEqualTo(indexBefore);
    assertThat(worktrees.head(wt)).isNotEqualTo(base);

    assertThat(repo.status()).as("main checkout").isEmpty();
    assertThat(repo.head()).isEqualTo(base);
    assertThat(repo.read("a.txt")).isEqualTo("1\n2\n3\n");
    assertThat(repo.read(".git/info/exclude")).contains(Worktrees.EXCLUDE_LINE);
  }

  @Test
  @DisplayName("commitAll commits leftover work as Orch; remove deletes the worktree and keeps its branch; reopen checks "
      + "the branch out again at the same path")
  void commitRemoveReopen() throws Exception {
    Worktrees.Repo r = worktrees.repoOf(repo.dir()).orElseThrow();
    Path wt = repo.dir().resolve(Worktrees.DIR).resolve("run-2");
    worktrees.add(r, wt, "orch/run-2", base);
    assertThat(worktrees.commitAll(wt, "nothing")).isFalse();
    Files.writeString(wt.resolve("new.txt"), "x\n");
    assertThat(worktrees.commitAll(wt, "Orch: leftover")).isTrue();
    assertThat(GitRepo.git(wt, "log", "-1", "--format=%an %s")).isEqualTo("Orch Orch: leftover");
    worktrees.remove(r, wt);
    assertThat(wt).doesNotExist();
    assertThat(repo.branches()).contains("orch/run-2");
    worktrees.reopen(r, wt, "orch/run-2", base);
    assertThat(wt.resolve("new.txt")).hasContent("x");
    assertThat(worktrees.branchExists(r, "orch/run-2")).isTrue();
    worktrees.remove(r, wt);
    worktrees.deleteBranch(r, "orch/run-2");
    assertThat(repo.branches()).containsExactly("main");
    worktrees.reopen(r, wt, "orch/run-2", base);
    assertThat(GitRepo.git(wt, "rev-parse", "HEAD")).isEqualTo(base);
    assertThat(repo.status()).isEmpty();
  }
}
