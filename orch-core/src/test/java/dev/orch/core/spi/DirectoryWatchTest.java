package dev.orch.core.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The directory watch wakes the followers of a directory when one of its files is created or grows")
class DirectoryWatchTest {

  @TempDir
  Path dir;

  @Test
  @DisplayName("a follower is called when a file is created and when it is appended to; after close it is not")
  void createdAndModified() throws Exception {
    assertThat(DirectoryWatch.shared()).as("Linux offers inotify through the JDK's WatchService").isPresent();
    DirectoryWatch watch = DirectoryWatch.shared().orElseThrow();
    Semaphore calls = new Semaphore(0);
    Subscription r = watch.watch(dir, calls::release).orElseThrow();
    Path out = dir.resolve("stdout.jsonl");
    Files.writeString(out, "{\"a\":1}\n");
    assertThat(calls.tryAcquire(10, TimeUnit.SECONDS)).as("called for the new file").isTrue();
    calls.drainPermits();
    Files.writeString(out, "{\"a\":2}\n", StandardOpenOption.APPEND);
    assertThat(calls.tryAcquire(10, TimeUnit.SECONDS)).as("called for the appended line").isTrue();
    r.close();
    r.close();
    calls.drainPermits();
    Files.writeString(out, "{\"a\":3}\n", StandardOpenOption.APPEND);
    // a change that a live follower would have seen within the timeout above is given time to arrive
    Path probe = Files.createTempDirectory(dir.getParent(), "probe");
    Semaphore probeCalls = new Semaphore(0);
    Subscription p = watch.watch(probe, probeCalls::release).orElseThrow();
    Files.writeString(probe.resolve("x"), "x");
    assertThat(probeCalls.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
    p.close();
    assertThat(calls.availablePermits()).as("not called after close").isZero();
  }

  @Test
  @DisplayName("followers of one directory share one watch, each is called, and the watch ends with the last one")
  void sharedWatch() throws Exception {
    DirectoryWatch watch = DirectoryWatch.shared().orElseThrow();
    int before = watch.watchedDirectories();
    Semaphore first = new Semaphore(0);
    Semaphore second = new Semaphore(0);
    List<Subscription> regs = new ArrayList<>();
    regs.add(watch.watch(dir, first::release).orElseThrow());
    regs.add(watch.watch(dir, second::release).orElseThrow());
    assertThat(watch.watchedDirectories()).isEqualTo(before + 1);
    Files.write(dir.resolve("exit"), "0\n".getBytes(StandardCharsets.US_ASCII));
    assertThat(first.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
    assertThat(second.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
    regs.get(0).close();
    assertThat(watch.watchedDirectories()).isEqualTo(before + 1);
    second.drainPermits();
    Files.write(dir.resolve("exit"), "1\n".getBytes(StandardCharsets.US_ASCII));
    assertThat(second.tryAcquire(10, TimeUnit.SECONDS)).as("the remaining follower is still called").isTrue();
    regs.get(1).close();
    assertThat(watch.watchedDirectories()).isEqualTo(before);
  }

  @Test
  @DisplayName("a directory deleted and made again while a follower still holds its old registration is watched anew")
  void recreatedDirectory() throws Exception {
    DirectoryWatch watch = DirectoryWatch.shared().orElseThrow();
    int before = watch.watchedDirectories();
    Path agent = Files.createDirectories(dir.resolve("agent"));
    Semaphore oldCalls = new Semaphore(0);
    Subscription old = watch.watch(agent, oldCalls::release).orElseThrow();
    Files.delete(agent);
    assertThat(oldCalls.tryAcquire(10, TimeUnit.SECONDS)).as("the old follower hears of the deletion").isTrue();
    Files.createDirectories(agent);
    Semaphore calls = new Semaphore(0);
    Subscription fresh = watch.watch(agent, calls::release).orElseThrow();
    Files.writeString(agent.resolve("stdout.jsonl"), "{}\n");
    assertThat(calls.tryAcquire(10, TimeUnit.SECONDS)).as("the new directory's changes reach the new follower")
        .isTrue();
    fresh.close();
    old.close();
    assertThat(watch.watchedDirectories()).as("nothing left watched").isEqualTo(before);
  }

  @Test
  @DisplayName("a directory that cannot be watched gives no registration (the follower keeps its timer)")
  void missingDirectory() {
    assertThat(DirectoryWatch.shared().orElseThrow().watch(dir.resolve("gone"), () -> { })).isEmpty();
  }
}
