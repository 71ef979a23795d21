package dev.orch.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.orch.core.OrchException;
import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("A profile is a small regular file from the run cwd or a profile directory, or a built-in")
class ProfilesTest {
  private static final String OUTSIDE = "profile must be a file inside the run cwd or a profile directory "
      + "(ORCH_PROFILE_DIRS): ";

  @TempDir
  Path tmp;

  private Path cwd;
  private Path profileDir;
  private Path elsewhere;
  private Profiles profiles;

  @BeforeEach
  void dirs() throws Exception {
    cwd = Files.createDirectories(tmp.resolve("work"));
    profileDir = Files.createDirectories(tmp.resolve("profiles"));
    elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
    profiles = new Profiles(List.of(profileDir), BuiltinProfiles.shipped());
  }

  private static String reason(Runnable r) {
    try {
      r.run();
    } catch (OrchException e) {
      assertThat(e.code()).isEqualTo(OrchException.ErrorCode.INVALID_ARGUMENT);
      return e.getMessage();
    }
    throw new AssertionError("not refused");
  }

  @Test
  @DisplayName("a relative path inside the cwd gives 'Profile source: <path>' + blank line + the trimmed content")
  void relativeInsideCwd() throws Exception {
    Files.createDirectories(cwd.resolve("roles"));
    Files.writeString(cwd.resolve("roles/reviewer.md"), "\n  Review carefully.\n");
    assertThat(profiles.systemPrompt("roles/reviewer.md", cwd))
        .isEqualTo("Profile source: " + cwd.resolve("roles/reviewer.md") + "\n\nReview carefully.");
    assertThat(profiles.systemPrompt(cwd.resolve("roles/reviewer.md").toString(), cwd)).endsWith("Review carefully.");
  }

  @Test
  @DisplayName("a file in a configured profile directory is found by absolute path and by relative name")
  void profileDirectory() throws Exception {
    Files.writeString(profileDir.resolve("tester.md"), "Write tests first.");
    assertThat(profiles.systemPrompt(profileDir.resolve("tester.md").toString(), cwd))
        .isEqualTo("Profile source: " + profileDir.resolve("tester.md") + "\n\nWrite tests first.");
    assertThat(profiles.systemPrompt("tester.md", cwd)).endsWith("\n\nWrite tests first.");
    Files.writeString(cwd.resolve("tester.md"), "The cwd wins.");
    assertThat(profiles.systemPrompt("tester.md", cwd)).endsWith("\n\nThe cwd wins.");
  }

  @Test
  @DisplayName("/etc/passwd, /proc/self/environ and /dev/null are refused, even with / as the run cwd")
  void systemFiles() {
    assertThat(reason(() -> profiles.systemPrompt("/etc/passwd", cwd))).isEqualTo(OUTSIDE + "/etc/passwd");
    assertThat(reason(() -> profiles.systemPrompt("/proc/self/environ", cwd)))
        .isEqualTo(OUTSIDE + "/proc/self/environ");
    Path root = Path.of("/");
    assertThat(reason(() -> profiles.systemPrompt("/proc/self/environ", root)))
        .isEqualTo(OUTSIDE + "/proc/self/environ");
    assertThat(reason(() -> profiles.systemPrompt("proc/self/environ", root)))
        .isEqualTo(OUTSIDE + "proc/self/environ");
    assertThat(reason(() -> profiles.systemPrompt("/dev/null", root))).isEqualTo(OUTSIDE + "/dev/null");
  }

  @Test
  @DisplayName("a symlink inside the cwd pointing outside is refused; one pointing inside is followed")
  void symlinks() throws Exception {
    Files.writeString(elsewhere.resolve("secret.md"), "secret");
    Files.createSymbolicLink(cwd.resolve("link.md"), elsewhere.resolve("secret.md"));
    Files.createSymbolicLink(cwd.resolve("passwd.md"), Path.of("/etc/passwd"));
    Files.createSymbolicLink(cwd.resolve("env.md"), Path.of("/proc/self/environ"));
    Files.createSymbolicLink(cwd.resolve("outdir"), elsewhere);
    assertThat(reason(() -> profiles.systemPrompt("link.md", cwd))).isEqualTo(OUTSIDE + "link.md");
    assertThat(reason(() -> profiles.systemPrompt("passwd.md", cwd))).isEqualTo(OUTSIDE + "passwd.md");
    assertThat(reason(() -> profiles.systemPrompt("env.md", cwd))).isEqualTo(OUTSIDE + "env.md");
    assertThat(reason(() -> profiles.systemPrompt("outdir/secret.md", cwd))).isEqualTo(OUTSIDE + "outdir/secret.md");
    assertThat(reason(() -> profiles.systemPrompt("../elsewhere/secret.md", cwd)))
        .isEqualTo(OUTSIDE + "../elsewhere/secret.md");

    Files.writeString(cwd.resolve("real.md"), "inside");
    Files.createSymbolicLink(cwd.resolve("alias.md"), cwd.resolve("real.md"));
    assertThat(profiles.systemPrompt("alias.md", cwd)).endsWith("\n\ninside");
  }

  @Test
  @DisplayName("a 300 KiB file is refused; exactly 256 KiB is read")
  void size() throws Exception {
    Files.write(cwd.resolve("big.md"), "x".repeat(300 * 1024).getBytes(StandardCharsets.UTF_8));
    assertThat(reason(() -> profiles.systemPrompt("big.md", cwd)))
        .isEqualTo("profile is larger than 256 KiB (262144 bytes): big.md");
    Files.write(cwd.resolve("max.md"), "y".repeat(256 * 1024).getBytes(StandardCharsets.UTF_8));
    assertThat(profiles.systemPrompt("max.md", cwd)).endsWith("y".repeat(100));
  }

  @Test
  @DisplayName("a FIFO or a directory is refused without being opened")
  void notRegular() throws Exception {
    Path fifo = cwd.resolve("pipe.md");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
    assertThat(mkfifo.waitFor()).isZero();
    String why = assertTimeoutPreemptively(Duration.ofSeconds(10),
        () -> reason(() -> profiles.systemPrompt("pipe.md", cwd)));
    assertThat(why).isEqualTo("profile must be a regular file (not a directory, FIFO or device): pipe.md");
    Files.createDirectories(cwd.resolve("dir.md"));
    assertThat(reason(() -> profiles.systemPrompt("dir.md", cwd)))
        .isEqualTo("profile must be a regular file (not a directory, FIFO or device): dir.md");
  }

  @Test
  @DisplayName("missing and empty profiles keep the SPEC §7 texts, without server paths")
  void missingAndEmpty() throws Exception {
    assertThat(reason(() -> profiles.systemPrompt("missing.md", cwd)))
        .isEqualTo("profile file not found or unreadable: missing.md");
    assertThat(reason(() -> profiles.systemPrompt("bad\u0000name.md", cwd)))
        .isEqualTo("profile file not found or unreadable: bad\u0000name.md");
    Files.writeString(cwd.resolve("empty.md"), " \n\t ");
    assertThat(reason(() -> profiles.systemPrompt("empty.md", cwd))).isEqualTo("profile is empty: empty.md");
  }

  @Test
  @DisplayName("builtin:<name> goes to the built-in profiles; an unknown one lists the installed names")
  void builtins() throws Exception {
    assertThat(profiles.systemPrompt("builtin:architect", cwd)).startsWith("Profile source: builtin:architect\n\n");
    assertThat(reason(() -> profiles.systemPrompt("builtin:wizard", cwd)))
        .startsWith("Unknown built-in profile: builtin:wizard. Known built-in profiles: builtin:architect, ");
    Path res = Files.createDirectories(tmp.resolve("res/dev/orch/core/profiles/builtin"));
    Files.writeString(res.resolve("reviewer.md"), "You review code.\n");
    try (URLClassLoader loader = new URLClassLoader(new URL[] {tmp.resolve("res").toUri().toURL()}, null)) {
      Profiles withBuiltins = new Profiles(List.of(), new BuiltinProfiles(loader));
      assertThat(withBuiltins.systemPrompt("builtin:reviewer", cwd))
          .isEqualTo("Profile source: builtin:reviewer\n\nYou review code.");
      assertThat(reason(() -> withBuiltins.systemPrompt("builtin:poet", cwd)))
          .isEqualTo("Unknown built-in profile: builtin:poet. Known built-in profiles: builtin:reviewer");
    }
  }

  @Test
  @DisplayName("ORCH_PROFILE_DIRS lists absolute directories; unset, the default is ~/.config/orch/profiles")
  void settings() {
    assertThat(Profiles.directories(Map.of("ORCH_PROFILE_DIRS", "/a/b" + File.pathSeparator + " "
        + File.pathSeparator + "relative" + File.pathSeparator + "/c/../d"))).containsExactly(Path.of("/a/b"),
        Path.of("/d"));
    assertThat(Profiles.directories(Map.of("HOME", "/home/u")))
        .containsExactly(Path.of("/home/u/.config/orch/profiles"));
    assertThat(Profiles.directories(Map.of("HOME", "/home/u", "ORCH_PROFILE_DIRS", "  ")))
        .containsExactly(Path.of("/home/u/.config/orch/profiles"));
  }

  @Test
  @DisplayName("an existing file outside every allowed place is refused by its absolute path too")
  void refusedBeforeReading() throws Exception {
    Path outside = elsewhere.resolve("x.md");
    Files.writeString(outside, "must not be read");
    assertThatThrownBy(() -> profiles.systemPrompt(outside.toString(), cwd)).isInstanceOf(OrchException.class)
        .hasMessage(OUTSIDE + outside);
  }
}
