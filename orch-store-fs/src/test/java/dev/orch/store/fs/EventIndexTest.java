package dev.orch.store.fs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orch.core.NormalizedEvent;
import dev.orch.core.RunStatus;
import dev.orch.core.spi.EventLog;
import dev.orch.core.spi.RunRecord;
import dev.orch.store.fs.internal.EventIndex;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("events.idx maps every seq to its line in events.jsonl, is repaired from the log, and is built for "
    + "finished logs that have none (issue 8 item 4)")
class EventIndexTest extends OneRunStoreTest {
  private Path index;

  @BeforeEach
  void indexPath() {
    index = events.resolveSibling("events.idx");
  }

  private void append(int from, int to) {
    try (EventLog log = store.openEventLog(run)) {
      List<NormalizedEvent> batch = new ArrayList<>();
      for (int seq = from; seq <= to; seq++) {
        batch.add(Records.event(run, seq, "event " + seq));
      }
      batch.forEach(log::append);
    }
  }

  /** @return the seq of the line the index names for {@code seq}, or -1 when it names none */
  private long seqAtIndexedOffset(long seq) throws IOException {
    long size = Files.size(events);
    long offset = EventIndex.offsetOf(events, seq, size);
    if (offset < 0) {
      return -1;
    }
    try (RandomAccessFile f = new RandomAccessFile(events.toFile(), "r")) {
      f.seek(offset);
      String line = new String(f.readLine().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
      return JSON.readTree(line).path("seq").asLong(-1);
    }
  }

  private void assertIndexed(int from, int to) throws IOException {
    for (int seq = from; seq <= to; seq++) {
      assertThat(seqAtIndexedOffset(seq)).as("line named for seq %d", seq).isEqualTo(seq);
    }
  }

  private List<Long> seqs(List<NormalizedEvent> page) {
    return page.stream().map(NormalizedEvent::seq).toList();
  }

  @Test
  @DisplayName("appending writes one entry per event, across reopenings; seqs past the end are unknown")
  void appendsAreIndexed() throws IOException {
    append(1, 300);
    append(301, 450);
    assertIndexed(1, 450);
    assertThat(seqAtIndexedOffset(451)).isEqualTo(-1);
    assertThat(Files.size(index)).isEqualTo(16 + 450 * 16L);
  }

  @Test
  @DisplayName("a missing or damaged index is rebuilt when the log is opened for appending")
  void rebuiltOnOpen() throws IOException {
    append(1, 100);
    Files.delete(index);
    append(101, 120);
    assertIndexed(1, 120);

    Files.write(index, "not an index at all, just bytes".getBytes(StandardCharsets.US_ASCII));
    append(121, 130);
    assertIndexed(1, 130);
  }

  @Test
  @DisplayName("an index that runs ahead of the log (the log lost its tail in a crash) is cut back, then continues")
  void aheadOfTheLogIsCut() throws IOException {
    append(1, 50);
    List<String> lines = Files.readAllLines(events);
    Files.write(events, lines.subList(0, 40), StandardCharsets.UTF_8);
    append(41, 60);
    assertIndexed(1, 60);
    assertThat(store.readEvents(run, 0, 1000)).extracting(NormalizedEvent::seq)
        .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 60).boxed().toList());
  }

  @Test
  @DisplayName("reading a finished run whose log has no index builds one, and every read at any seq stays exact")
  void builtForFinishedRuns() throws IOException {
    append(1, 5000);
    Files.delete(index);
    RunRecord live = run;
    assertThat(seqs(store.readEvents(live, 4998, 10))).containsExactly(4999L, 5000L);
    assertThat(index).as("a run that may still be appended to gets no index from a reader").doesNotExist();

    RunRecord done = run.withProgress(RunStatus.COMPLETED, "done", 5000, Records.now());
    assertThat(seqs(store.readEvents(done, 4998, 10))).containsExactly(4999L, 5000L);
    assertThat(index).exists();
    assertIndexed(1, 5000);
    assertThat(seqs(store.readEvents(done, 2500, 3))).containsExactly(2501L, 2502L, 2503L);
    assertThat(seqs(store.readEvents(done, 5000, 10))).isEmpty();
    try (var leftovers = Files.list(index.getParent())) {
      assertThat(leftovers.filter(p -> p.getFileName().toString().endsWith(".tmp"))).isEmpty();
    }
  }

  @Test
  @DisplayName("a finished log with a seq gap keeps no index and is still read exactly by scanning")
  void gapKeepsNoIndex() throws IOException {
    append(1, 10);
    List<String> lines = new ArrayList<>(Files.readAllLines(events));
    lines.remove(4); // seq 5 is gone
    Files.write(events, lines, StandardCharsets.UTF_8);
    Files.delete(index);
    assertThat(EventIndex.buildForFinished(events)).isFalse();
    RunRecord done = run.withProgress(RunStatus.FAILED, "gap", 10, Records.now());
    assertThat(seqs(store.readEvents(done, 3, 4))).containsExactly(4L, 6L, 7L, 8L);
    assertThat(seqs(store.readEvents(done, 8, 4))).containsExactly(9L, 10L);
  }
}
