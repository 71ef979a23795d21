package dev.orch.mcp.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.orch.core.testing.Peers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up archive of {@code bin/orch-mcp} (issue 8): made without an opt-in, safely (temp name, check, atomic
 * rename), keyed by jar checksum and java build, ignored when unusable, never a byte on stdout. Each test runs the
 * real launcher from a copy of the checkout's {@code bin/orch-mcp} and server jar, with its own cache directory.
 */
@DisplayName("bin/orch-mcp start-up archive")
class LauncherArchiveIT {
  static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
      + "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";

  @TempDir
  Path tmp;
  Path launcher;
  Path jar;
  Path cache;
  Path lastStderr;
  int starts;

  @BeforeEach
  void copyCheckout() throws IOException {
    Path root = Peers.repoRoot();
    launcher = Files.createDirectories(tmp.resolve("checkout/bin")).resolve("orch-mcp");
    Files.copy(root.resolve("bin/orch-mcp"), launcher);
    assertThat(launcher.toFile().setExecutable(true)).isTrue();
    jar = Files.createDirectories(tmp.resolve("checkout/orch-mcp-stdio/target")).resolve("orch-mcp.jar");
    String built = System.getProperty(ServerProcesses.JAR_PROPERTY, root.resolve("orch-mcp-stdio/target/orch-mcp.jar")
        .toString());
    Files.copy(Path.of(built), jar);
    cache = tmp.resolve("cache");
  }

  @Test
  @DisplayName("two first preparations at once leave one checked archive and no temp file; the next start uses it")
  void concurrentPreparations() throws Exception {
    Process a = launcher(Map.of(), "--prepare");
    Process b = launcher(Map.of(), "--prepare");
    prepared(a);
    prepared(b);
    List<Path> archives = archives();
    assertThat(archives).hasSize(1);
    assertThat(leftovers()).isEmpty();
    assertThat(Files.readString(cache.resolve("orch/orch-mcp-archive.log"))).contains("ready: " + archives.get(0));
    assertThat(firstLine(launcher(Map.of()))).startsWith("{").contains("\"id\":1").contains("\"result\"");
    lastStartUsedTheArchive();
  }

  @Test
  @DisplayName("a first start answers at once and makes the archive in the background")
  void firstStartMakesTheArchive() throws Exception {
    assertThat(firstLine(launcher(Map.of()))).startsWith("{").contains("\"id\":1");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (archives().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertThat(archives()).hasSize(1);
    while (!leftovers().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(200); // the trainer removes its scratch files right after the rename
    }
    assertThat(leftovers()).isEmpty();
  }

  @Test
  @DisplayName("java found through a symlink is remembered by its resolved path; a wrong remembered path is resolved "
      + "again, and a start through a relative path finds the checkout")
  void javaPathRemembered() throws Exception {
    Path javaLink = tmp.resolve("java-link");
    Path realJava = Path.of(System.getProperty("java.home"), "bin", "java").toRealPath();
    Files.createSymbolicLink(javaLink, realJava);
    Map<String, String> env = Map.of("ORCH_JAVA", javaLink.toString());
    prepared(launcher(env, "--prepare"));
    Path remembered = cache.resolve("orch/orch-mcp.java");
    assertThat(Files.readString(remembered)).isEqualTo(javaLink + "\t" + realJava + "\n");
    // a remembered path that is not the same file any more (e.g. another alternative chosen) is resolved again
    Files.writeString(remembered, javaLink + "\t/bin/sh\n");
    assertThat(firstLine(launcher(env))).startsWith("{").contains("\"id\":1");
    lastStartUsedTheArchive();
    assertThat(Files.readString(remembered)).isEqualTo(javaLink + "\t" + realJava + "\n");
    // bin/orch-mcp started as a relative path from the checkout
    Path checkout = launcher.getParent().getParent();
    assertThat(firstLine(start(List.of("bin/orch-mcp"), checkout, env))).startsWith("{").contains("\"id\":1");
    lastStartUsedTheArchive();
  }

  @Test
  @DisplayName("two checkouts of one build (same jar bytes and mtime) get an archive each, and started in turn each keep "
      + "their own remembered jar checksum (no checksum at each start)")
  void checksumRememberedPerCheckout() throws Exception {
    Path launcher2 = Files.createDirectories(tmp.resolve("checkout 2/bin")).resolve("orch-mcp");
    Files.copy(launcher, launcher2);
    assertThat(launcher2.toFile().setExecutable(true)).isTrue();
    Path jar2 = Files.createDirectories(tmp.resolve("checkout 2/orch-mcp-stdio/target")).resolve("orch-mcp.jar");
    Files.copy(jar, jar2);
    // the same bytes and mtime, as after unpacking one release twice: still an archive of its own (the JVM refuses
    // an archive made for another class path)
    Files.setLastModifiedTime(jar2, Files.getLastModifiedTime(jar));
    prepared(launcher(Map.of(), "--prepare"));
    prepared(start(List.of(launcher2.toString(), "--prepare"), tmp.resolve("work"), Map.of()));
    assertThat(archives()).hasSize(2);
    List<Path> memos = list("orch-mcp-jar.*\\.cksum");
    assertThat(memos).hasSize(2);
    assertThat(memos).anySatisfy(m -> assertThat(readString(m)).endsWith(" " + jar + "\n"))
        .anySatisfy(m -> assertThat(readString(m)).endsWith(" " + jar2 + "\n"));
    Map<Path, java.nio.file.attribute.FileTime> written = new java.util.HashMap<>();
    for (Path m : memos) {
      written.put(m, Files.getLastModifiedTime(m));
    }
    Thread.sleep(1100); // a rewrite would show in the files' modification times
    for (int round = 0; round < 2; round++) {
      assertThat(firstLine(launcher(Map.of()))).contains("\"id\":1");
      lastStartUsedTheArchive();
      assertThat(firstLine(start(List.of(launcher2.toString()), tmp.resolve("work"), Map.of()))).contains("\"id\":1");
      lastStartUsedTheArchive();
    }
    for (Path m : memos) {
      assertThat(Files.getLastModifiedTime(m)).as("%s was not written again", m).isEqualTo(written.get(m));
    }
  }

  private static String readString(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  @DisplayName("an unusable archive only costs the archive: the server starts and stdout carries JSON-RPC only")
  void brokenArchiveIsIgnored() throws Exception {
    prepared(launcher(Map.of(), "--prepare"));
    Path archive = archives().get(0);
    Files.write(archive, "not a class-data archive".repeat(1000).getBytes(StandardCharsets.US_ASCII));
    Process p = launcher(Map.of());
    List<String> out = allLines(p);
    assertThat(out).isNotEmpty().allSatisfy(l -> assertThat(l).startsWith("{\"jsonrpc\":\"2.0\""));
    assertThat(out.get(0)).contains("\"id\":1").contains("\"result\"");
  }

  @Test
  @DisplayName("a rebuilt or touched jar gets an archive of its own, which is used, and the one it replaces is removed; "
      + "ORCH_APPCDS=0 neither uses nor makes one")
  void keyedByJarAndOptional() throws Exception {
    prepared(launcher(Map.of("ORCH_APPCDS", "0"), "--prepare"));
    assertThat(firstLine(launcher(Map.of("ORCH_APPCDS", "0")))).contains("\"id\":1");
    Thread.sleep(500);
    assertThat(archives()).isEmpty();
    prepared(launcher(Map.of(), "--prepare"));
    Path first = archives().get(0);
    rebuildJar();
    prepared(launcher(Map.of(), "--prepare"));
    // the archive of the jar this one replaced can never be used again: it is gone
    Path second = archives().get(0);
    assertThat(archives()).singleElement().isNotEqualTo(first);
    assertThat(archiveLog()).contains("removing " + first);
    assertThat(firstLine(launcher(Map.of()))).contains("\"id\":1");
    lastStartUsedTheArchive();
    // a byte-identical rebuild has a new mtime, which the JVM checks: it needs (and gets) an archive of its own
    Files.setLastModifiedTime(jar, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 60_000));
    prepared(launcher(Map.of(), "--prepare"));
    assertThat(archives()).singleElement().isNotEqualTo(second);
    assertThat(firstLine(launcher(Map.of()))).contains("\"id\":1");
    lastStartUsedTheArchive();
  }

  @Test
  @DisplayName("on JDK 25+ the archive is an AOT cache (JEP 483/514) and the server starts with it")
  void aotCacheOnNewJdks() throws Exception {
    Path java25 = jdk25();
    assumeThat(java25).as("a JDK 25+ (env ORCH_TEST_JAVA25 or /usr/lib/jvm/*25*)").isNotNull();
    Map<String, String> env = Map.of("ORCH_JAVA", java25.toString());
    prepared(launcher(env, "--prepare"));
    assertThat(archives()).singleElement().asString().endsWith(".aot");
    List<String> out = allLines(launcher(env));
    assertThat(out).isNotEmpty().allSatisfy(l -> assertThat(l).startsWith("{\"jsonrpc\":\"2.0\""));
    lastStartUsedTheArchive();
  }

  private static Path jdk25() throws IOException {
    String env = System.getenv("ORCH_TEST_JAVA25");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    Path jvms = Path.of("/usr/lib/jvm");
    if (!Files.isDirectory(jvms)) {
      return null;
    }
    try (Stream<Path> s = Files.list(jvms)) {
      return s.filter(p -> p.getFileName().toString().matches(".*-(2[5-9]|[3-9][0-9])([.-].*)?"))
          .map(p -> p.resolve("bin/java")).filter(Files::isExecutable).findFirst().orElse(null);
    }
  }

  private Process launcher(Map<String, String> env, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
    cmd.addAll(List.of(args));
    return start(cmd, Files.createDirectories(tmp.resolve("work")), env);
  }

  /** Starts a command with the test's cache and home, its stderr in a new file. */
  private Process start(List<String> cmd, Path work, Map<String, String> env) throws IOException {
    lastStderr = tmp.resolve("stderr-" + (++starts) + ".txt");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile())
        .redirectError(ProcessBuilder.Redirect.to(lastStderr.toFile()));
    pb.environment().put("XDG_CACHE_HOME", cache.toString());
    pb.environment().put("NANOBOT_ORCHESTRATOR_HOME", tmp.resolve("home").toString());
    pb.environment().remove("ORCH_JAVA_OPTS");
    pb.environment().remove("ORCH_APPCDS");
    pb.environment().putAll(env);
    return pb.start();
  }

  /** Waits for a {@code --prepare} and checks that it succeeded. */
  private void prepared(Process p) throws Exception {
    p.getOutputStream().close();
    assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("launcher ends; stderr: %s", stderr()).isTrue();
    assertThat(p.exitValue()).as("exit status of --prepare; stderr:%n%s%narchive log:%n%s", stderr(), archiveLog())
        .isZero();
  }

  private String archiveLog() throws IOException {
    Path log = cache.resolve("orch/orch-mcp-archive.log");
    return Files.exists(log) ? Files.readString(log) : "(none)";
  }

  /** Sends initialize, @return the first stdout line, then ends the server. */
  private String firstLine(Process p) throws Exception {
    OutputStream in = p.getOutputStream();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      in.write((INITIALIZE + "\n").getBytes(StandardCharsets.UTF_8));
      in.flush();
      String line = out.readLine();
      in.close(); // stdin EOF: the server shuts down
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      return line == null ? "(no output; stderr: " + stderr() + ")" : line;
    }
  }

  /** Sends initialize and ends stdin; @return every stdout line until the server exits. */
  private List<String> allLines(Process p) throws Exception {
    try (OutputStream in = p.getOutputStream()) {
      in.write((INITIALIZE + "\n").getBytes(StandardCharsets.UTF_8));
    }
    List<String> lines = new ArrayList<>();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String l;
      while ((l = out.readLine()) != null) {
        lines.add(l);
      }
    }
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return lines;
  }

  private List<Path> archives() throws IOException {
    return list("orch-mcp-.*\\.(jsa|aot)");
  }

  private List<Path> leftovers() throws IOException {
    List<Path> out = new ArrayList<>(list(".*\\.tmp(\\.config)?"));
    try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      s.filter(p -> p.getFileName().toString().startsWith("orch-mcp-training.")).filter(p -> {
        try {
          return Files.getLastModifiedTime(p).toMillis() > Files.getLastModifiedTime(tmp).toMillis();
        } catch (IOException e) {
          return false;
        }
      }).forEach(out::add);
    }
    return out;
  }

  private List<Path> list(String regex) throws IOException {
    Path dir = cache.resolve("orch");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().matches(regex)).sorted().toList();
    }
  }

  /** Rewrites the jar with one more entry (a different checksum, same classes). */
  private void rebuildJar() throws IOException {
    Path copy = jar.resolveSibling("rebuilt.jar");
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(jar));
        ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(copy))) {
      ZipEntry e;
      while ((e = in.getNextEntry()) != null) {
        out.putNextEntry(new ZipEntry(e.getName()));
        in.transferTo(out);
        out.closeEntry();
      }
      out.putNextEntry(new ZipEntry("META-INF/rebuilt.txt"));
      out.write("rebuilt".getBytes(StandardCharsets.US_ASCII));
      out.closeEntry();
    }
    Files.move(copy, jar, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  /** @return the stderr of every process started so far */
  private String stderr() throws IOException {
    StringBuilder out = new StringBuilder();
    for (int i = 1; i <= starts; i++) {
      Path f = tmp.resolve("stderr-" + i + ".txt");
      if (Files.exists(f)) {
        out.append(Files.readString(f));
      }
    }
    return out.toString();
  }

  /** Asserts that the JVM of the last start used the archive: it warns on stderr when it cannot. */
  private void lastStartUsedTheArchive() throws IOException {
    String err = Files.readString(lastStderr);
    assertThat(err).as("stderr of a start with the archive").doesNotContain("Unable to use shared archive")
        .doesNotContain("[warning][cds").doesNotContain("[warning][aot");
  }
}
