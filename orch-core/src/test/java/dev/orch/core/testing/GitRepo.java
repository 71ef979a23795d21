package dev.orch.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real git repository in a test directory, driven by the {@code git} command line (tests of SPEC §12.7 worktrees).
 * Commits are made as "Test" with signing off, so the user's git configuration does not matter.
 */
public final class GitRepo {
  private final Path dir;

  private GitRepo(Path dir) {
    this.dir = dir;
  }

  /** @return a new repository in {@code dir} (created if missing) on branch main, without commits */
  public static GitRepo init(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    GitRepo r = new GitRepo(dir);
    r.git("init", "-q", "-b", "main");
    r.git("config", "user.name", "Test");
    r.git("config", "user.email", "test@example.invalid");
    r.git("config", "commit.gpgsign", "false");
    return r;
  }

  /** @return the repository's top directory (real path) */
  public Path dir() {
    try {
      return dir.toRealPath();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes a file (parents created). @return this */
  public GitRepo write(String relative, String content) {
    try {
      Path p = dir.resolve(relative);
      Files.createDirectories(p.getParent());
      Files.writeString(p, content, StandardCharsets.UTF_8);
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** @return the text of a file */
  public String read(String relative) {
    try {
      return Files.readString(dir.resolve(relative), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stages everything and commits. @return the new commit id */
  public String commitAll(String message) {
    git("add", "-A");
    git("commit", "-q", "-m", message);
    return head();
  }

  /** @return the commit checked out */
  public String head() {
    return git("rev-parse", "HEAD");
  }

  /** @return {@code git status --porcelain --untracked-files=all} lines */
  public List<String> status() {
    String s = git("status", "--porcelain", "--untracked-files=all");
    return s.isEmpty() ? List.of() : List.of(s.split("\n"));
  }

  /** @return the local branch names */
  public List<String> branches() {
    String s = git("branch", "--format=%(refname:short)");
    return s.isEmpty() ? List.of() : List.of(s.split("\n"));
  }

  /**
   * Runs git in the repository.
   *
   * @return stdout, trailing blanks removed
   * @throws AssertionError when git fails
   */
  public String git(String... args) {
    return git(dir, args);
  }

  /** Runs git in {@code where}. @return stdout trimmed @throws AssertionError when git fails */
  public static String git(Path where, String... args) {
    List<String> cmd = new ArrayList<>(List.of("git", "-C", where.toString()));
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new AssertionError("git " + String.join(" ", args) + " failed: " + out);
      }
      return out.strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
