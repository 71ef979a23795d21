package dev.orch.store.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orch.core.NormalizedEvent;
import dev.orch.core.spi.EventLog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The event log appends durable lines, drops a torn tail on open, and pages cheaply")
class EventLogTest extends OneRunStoreTest {
  private void append(EventLog log, int from, int to) {
    for (int seq = from; seq <= to; seq++) {
      log.append(Records.event(run, seq, "event " + seq));
    }
  }

  @Test
  @DisplayName("a cut last line is truncated on open and appending continues with a valid file")
  void tornTailIsDropped() throws IOException {
    try (EventLog log = store.openEventLog(run)) {
      append(log, 1, 5);
    }
    long goodSize = Files.size(events);
    String torn = "{\"seq\":6,\"ts\":\"2026-11-21T19:35:35.765Z\",\"run_id\":\"" + run.runId() + "\",\"ty";
    Files.writeString(events, torn, StandardOpenOption.APPEND);
    assertThat(store.readEvents(run, 0, 100)).as("a reader skips the incomplete line").hasSize(5);

    try (EventLog log = store.openEventLog(run)) {
      assertThat(Files.size(events)).isEqualTo(goodSize);
      assertThat(log.lastSeq()).isEqualTo(5);
      append(log, 6, 8);
    }
    List<String> lines = Files.readAllLines(events, StandardCharsets.UTF_8);
    assertThat(lines).hasSize(8);
    for (int i = 0; i < lines.size(); i++) {
      assertThat(JSON.readTree(lines.get(i)).get("seq").asLong()).isEqualTo(i + 1);
    }
    assertThat(store.readEvents(run, 0, 100)).extracting(NormalizedEvent::seq)
        .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
  }

  @Test
  @DisplayName("a torn line without any complete line before it empties the log")
  void tornOnlyLine() throws IOException {
    Files.createDirectories(events.getParent());
    Files.writeString(events, "{\"seq\":1,\"ts\"");
    try (EventLog log = store.openEventLog(run)) {
      assertThat(log.lastSeq()).isZero();
      assertThat(Files.size(events)).isZero();
      append(log, 1, 1);
    }
    assertThat(store.readEvents(run, 0, 10)).hasSize(1);
  }

  @Test
  @DisplayName("malformed lines are skipped by readers, and the last valid seq is found behind them")
  void malformedLinesSkipped() throws IOException {
    try (EventLog log = store.openEventLog(run)) {
      append(log, 1, 3);
    }
    Files.writeString(events, "not json\n{\"seq\":99,\"type\":\"no_such_type\"}\n", StandardOpenOption.APPEND);
    assertThat(store.readEvents(run, 0, 100)).extracting(NormalizedEvent::seq).containsExactly(1L, 2L, 3L);
    try (EventLog log = store.openEventLog(run)) {
      assertThat(log.lastSeq()).as("the unknown-type line still carries a seq").isEqualTo(99);
    }
  }

  @Test
  @DisplayName("append refuses a seq that does not follow the last one")
  void seqMustFollow() {
    try (EventLog log = store.openEventLog(run)) {
      append(log, 1, 2);
      assertThatThrownBy(() -> log.append(Records.event(run, 4, "gap"))).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("does not follow 2");
    }
  }

  @Test
  @DisplayName("a watch of the event log is told of appends made through another store on the same directory, "
      + "until it is closed")
  void watchSeesAppendsOfAnotherStore() throws Exception {
    try (EventLog log = store.openEventLog(run)) {
      append(log, 1, 1);
    }
    java.util.concurrent.Semaphore changes = new java.util.concurrent.Semaphore(0);
    dev.orch.core.spi.Subscription watch = store.watchEventLog(run, changes::release).orElseThrow();
    FsRunStore other = new FsRunStore(new FsStoreSettings(home, FsStoreSettings.DEFAULT_DIR_NAME));
    try (EventLog log = other.openEventLog(run)) {
      append(log, 2, 2);
    }
    assertThat(changes.tryAcquire(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(store.readEvents(run, 1, 10)).extracting(NormalizedEvent::seq).containsExactly(2L);
    watch.close();
    watch.close();
  }

  @Test
  @DisplayName("sequential polling returns every event once, also while appends continue, and the version grows")
  void pollingWhileAppending() {
    assertThat(store.eventLogVersion(run)).isEqualTo(-1);
    try (EventLog log = store.openEventLog(run)) {
      long after = 0;
      long version = store.eventLogVersion(run);
      int polled = 0;
      for (int round = 0; round < 50; round++) {
        append(log, round * 7 + 1, round * 7 + 7);
        long v = store.eventLogVersion(run);
        assertThat(v).isGreaterThan(version);
        version = v;
        for (List<NormalizedEvent> page = store.readEvents(run, after, 3); !page.isEmpty();
            page = store.readEvents(run, after, 3)) {
          for (NormalizedEvent e : page) {
            assertThat(e.seq()).isEqualTo(after + 1);
            after = e.seq();
            polled++;
          }
        }
      }
      assertThat(polled).isEqualTo(350);
      assertThat(store.readEvents(run, 100, 5)).extracting(NormalizedEvent::seq)
          .containsExactly(101L, 102L, 103L, 104L, 105L);
      assertThat(store.readEvents(run, 0, 2)).extracting(NormalizedEvent::seq).containsExactly(1L, 2L);
      assertThat(store.readEvents(run, 350, 10)).isEmpty();
    }
  }
}
