package dev.orch.store.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A JVM started from the test class path running one main class of the test code; stderr goes to a file. */
final class ChildJvm implements AutoCloseable {
  final Process process;
  private final BufferedReader out;

  ChildJvm(Class<?> mainClass, Path stderr, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xshare:auto");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass.getName());
    cmd.addAll(List.of(args));
    process = new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
    out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /** @return the next stdout line, or null at end of stream */
  String readLine() throws IOException {
    return out.readLine();
  }

  /** Reads lines until one equals {@code wanted}; returns the lines before it. */
  List<String> readUntil(String wanted) throws IOException {
    List<String> lines = new ArrayList<>();
    for (String line = out.readLine(); line != null; line = out.readLine()) {
      if (line.equals(wanted)) {
        return lines;
      }
      lines.add(line);
    }
    throw new IllegalStateException("child ended before printing " + wanted + "; got " + lines);
  }

  void send(String line) throws IOException {
    process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
    process.getOutputStream().flush();
  }

  /** Kills the child with SIGKILL and waits for it. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
  }

  /** Kills the child if still alive and asserts that it is gone. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    assertThat(process.isAlive()).as("child process left behind").isFalse();
  }
}
