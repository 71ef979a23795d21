package dev.orch.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("AgentProcess runs an agent that can outlive Orch and is read by offset")
class AgentProcessTest {
  private static final ThreadFactory DAEMONS = r -> {
    Thread t = new Thread(r);
    t.setDaemon(true);
    return t;
  };
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir
  Path tmp;
  private final List<AgentProcess> started = new ArrayList<>();

  @AfterEach
  void noProcessLeft() throws InterruptedException {
    // an agent that just ended takes a moment until its wrapper and FIFO holder are gone: wait for that (bounded)
    long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
    while (System.nanoTime() < deadline && started.stream().anyMatch(p -> !p.tree().isEmpty()
        || !ProcessGroups.members(p.pid()).isEmpty())) {
      Thread.sleep(20);
    }
    List<ProcessHandle> alive = new ArrayList<>();
    for (AgentProcess p : started) {
      for (ProcessHandle h : p.tree()) {
        alive.add(h);
        h.destroyForcibly();
      }
      ProcessGroups.members(p.pid()).forEach(h -> {
        alive.add(h);
        h.destroyForcibly();
      });
    }
    assertThat(alive).as("processes left behind").isEmpty();
  }

  /** Records lines with their offsets, and the end. */
  static final class Recorder implements AgentProcess.Listener {
    record Line(String text, long offset, long next) {
    }

    final List<Line> lines = new ArrayList<>();
    final CompletableFuture<long[]> end = new CompletableFuture<>();
    volatile Integer exitCode;

    @Override
    public synchronized void onLine(String line, long offset, long next) {
      lines.add(new Line(line, offset, next));
      notifyAll();
    }

    @Override
    public void onEnd(Integer code, long endOffset) {
      exitCode = code;
      end.complete(new long[] {endOffset});
    }

    synchronized Line await(Predicate<String> match) throws InterruptedException {
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (true) {
        for (Line l : lines) {
          if (match.test(l.text())) {
            return l;
          }
        }
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
          throw new AssertionError("no matching line; got " + lines);
        }
        wait(left);
      }
    }

    synchronized List<String> texts() {
      return lines.stream().map(Line::text).toList();
    }

    long endOffset() throws Exception {
      return end.get(WAIT.toSeconds(), TimeUnit.SECONDS)[0];
    }
  }

  private AgentProcess.Launch launch(String script, Path dir, Path stdinFile) {
    return new AgentProcess.Launch(List.of("/bin/sh", "-c", script), tmp, Map.of("AGENT_TEST", "1"), dir, false,
        stdinFile);
  }

  private AgentProcess start(AgentProcess.Launch launch, AgentProcess.Listener l, boolean keep) throws IOException {
    AgentProcess p = AgentProcess.start(launch, DAEMONS, l, ap -> keep);
    started.add(p);
    return p;
  }

  @Test
  @DisplayName("lines arrive with their byte offsets, the exit code is recorded in the exit file, stdin comes from a"
      + " file, and the agent runs in its own process group")
  void linesOffsetsAndExit() throws Exception {
    Path dir = tmp.resolve("a");
    Path prompt = Files.writeString(tmp.resolve("prompt.txt"), "hello\n");
    Recorder r = new Recorder();
    AgentProcess p = start(launch("cat; echo 'ünï'; echo two >&2; echo three; exit 3", dir, prompt), r, true);
    long end = r.endOffset();
    assertThat(r.lines).containsExactly(new Recorder.Line("hello", 0, 6), new Recorder.Line("ünï", 6, 12),
        new Recorder.Line("three", 12, 18));
    assertThat(end).isEqualTo(18);
    assertThat(r.exitCode).isEqualTo(3);
    assertThat(Files.readString(dir.resolve(AgentProcess.EXIT)).trim()).isEqualTo("3");
    assertThat(p.stderrTail()).isEqualTo("two");
    assertThat(p.describe().path("group").asBoolean()).as("own session and group").isTrue();
    assertThat(p.isRunning()).isFalse();
  }

  @Test
  @DisplayName("the agent never runs when recording it fails: the waiting wrapper is killed before the gate opens")
  void recordFailureKeepsTheGateClosed() throws Exception {
    Path dir = tmp.resolve("b");
    Path marker = tmp.resolve("ran");
    CompletableFuture<Long> pid = new CompletableFuture<>();
    assertThatThrownBy(() -> AgentProcess.start(launch("touch " + marker, dir, Files.createFile(tmp.resolve("in"))),
        DAEMONS, new Recorder(), ap -> {
          pid.complete(ap.pid());
          throw new IOException("disk full");
        })).isInstanceOf(IOException.class).hasMessage("disk full");
    ProcessHandle.of(pid.get()).ifPresent(h -> h.onExit().join());
    Thread.sleep(200);
    assertThat(marker).doesNotExist();
  }

  @Test
  @DisplayName("a wrapper whose Orch ends before opening the gate exits without starting the agent")
  void closedGate() throws Exception {
    Path dir = tmp.resolve("c");
    Path marker = tmp.resolve("ran");
    AgentWrapper.prepare(dir, false);
    Process p = AgentWrapper.builder(launch("touch " + marker, dir, Files.createFile(tmp.resolve("in"))), dir).start();
    p.getOutputStream().close();
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(AgentWrapper.GATE_CLOSED);
    assertThat(marker).doesNotExist();
    assertThat(dir.resolve(AgentProcess.EXIT)).doesNotExist();
  }

  @Test
  @DisplayName("a kept agent survives detach; a follower reads on from an offset, writes to the FIFO, and EOF from"
      + " closeInput ends the agent cleanly")
  void detachAndFollow() throws Exception {
    Path dir = tmp.resolve("d");
    Recorder first = new Recorder();
    AgentProcess p = AgentProcess.start(
        launch("while IFS= read -r l; do echo \"got $l\"; done; echo bye", dir, null), DAEMONS, first, ap -> {
          ap.write("one\n"); // written before the gate: the agent's first input
          return true;
        });
    started.add(p);
    Recorder.Line one = first.await("got one"::equals);
    ObjectNode description = p.describe();
    assertThat(description.path("fifo").asBoolean()).isTrue();
    p.detach();
    Thread.sleep(300);
    assertThat(p.handle()).as("the agent outlives the detach").isPresent();

    Recorder second = new Recorder();
    AgentProcess follower = AgentProcess.follow(description, one.next(), DAEMONS, second);
    started.add(follower);
    follower.write("two\n");
    second.await("got two"::equals);
    follower.closeInput();
    long end = second.endOffset();
    assertThat(second.texts()).containsExactly("got two", "bye");
    assertThat(second.exitCode).isZero();
    assertThat(end).isEqualTo(Files.size(dir.resolve(AgentProcess.STDOUT)));
    assertThat(first.texts()).containsExactly("got one");
    assertThat(first.end).as("a detached process reports no end").isNotDone();
  }

  @Test
  @DisplayName("without keep, the end of Orch's lifeline stops the agent's group (it cannot be re-attached)")
  void noKeepDiesWithOrch() throws Exception {
    Path dir = tmp.resolve("e");
    Recorder r = new Recorder();
    AgentProcess p = start(launch("echo up; exec sleep 60", dir, null), r, false);
    r.await("up"::equals);
    p.detach(); // closes the lifeline as the death of this JVM would
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!Files.exists(dir.resolve(AgentProcess.EXIT)) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(Files.readString(dir.resolve(AgentProcess.EXIT)).trim()).isEqualTo("143");
    while (!p.tree().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20); // the wrapper exits right after writing the exit file
    }
  }

  @Test
  @DisplayName("stop interrupts the agent itself first (its SIGINT handler runs), then nothing of the group is left")
  void stopInterruptsFirst() throws Exception {
    Path dir = tmp.resolve("f");
    Recorder r = new Recorder();
    AgentProcess p = start(launch("trap 'echo interrupted; exit 130' INT; echo up; while :; do sleep 0.05; done",
        dir, null), r, true);
    r.await("up"::equals);
    List<ProcessHandle> left = p.stop(p::interrupt, Duration.ofSeconds(5), Duration.ofSeconds(2));
    assertThat(left).isEmpty();
    r.endOffset();
    assertThat(r.texts()).containsExactly("up", "interrupted");
    assertThat(r.exitCode).isEqualTo(130);
    assertThat(ProcessGroups.alive(p.pid())).isFalse();
  }

  @Test
  @DisplayName("when the whole group is killed the exit code is unknown, for the parent and for a follower alike")
  void killedGroupHasUnknownExit() throws Exception {
    Path dir = tmp.resolve("g");
    Recorder r = new Recorder();
    AgentProcess p = start(launch("echo up; exec sleep 60", dir, null), r, true);
    r.await("up"::equals);
    ObjectNode description = p.describe();
    ProcessGroups.signal(p.pid(), "KILL");
    r.endOffset();
    assertThat(r.exitCode).isNull();
    Recorder later = new Recorder();
    AgentProcess.follow(description, 0, DAEMONS, later);
    assertThat(later.endOffset()).isEqualTo(3);
    assertThat(later.texts()).containsExactly("up");
    assertThat(later.exitCode).isNull();
  }

  @Test
  @DisplayName("following an agent whose files are gone fails with a clear reason")
  void followMissing() {
    ObjectNode d = JsonNodeFactory.instance.objectNode().put("pid", 1).put("dir", tmp.resolve("nothing").toString());
    assertThatThrownBy(() -> AgentProcess.follow(d, 0, DAEMONS, new Recorder())).isInstanceOf(IOException.class)
        .hasMessageContaining("output file is gone");
  }

  @Test
  @DisplayName("ProcessGroups reads state, parent, group and session from /proc stat lines with odd command names")
  void statParsing() {
    ProcessGroups.Stat s = ProcessGroups.parse("42 (a (b) c) S 7 42 42 0 -1 4194560 …");
    assertThat(s).isEqualTo(new ProcessGroups.Stat('S', 7, 42, 42));
    assertThat(ProcessGroups.parse("42 (x) Z 1 2 3").running()).isFalse();
    assertThat(ProcessGroups.stat(ProcessHandle.current().pid())).isNotNull();
    assertThat(new String(AgentWrapper.GO, StandardCharsets.US_ASCII)).isEqualTo("go\n");
  }
}
