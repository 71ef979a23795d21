package dev.orch.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.EventType;
import dev.orch.core.NormalizedEvent;
import dev.orch.core.Role;
import dev.orch.core.RunId;
import dev.orch.core.RunStatus;
import dev.orch.core.SessionId;
import dev.orch.core.spi.RunRecord;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A live run keeps a window of recent events, bounded by count and by memory, for polls served from memory")
class LiveRunTest {
  private static final Instant T0 = Instant.parse("2026-12-01T12:00:00.000Z");
  private final RunRecord record = new RunRecord(RunId.random(), "codex", Role.WORKER, SessionId.random(), "agent1",
      RunStatus.RUNNING, Path.of("/tmp"), "p", null, null, null, T0, T0, null, 0, "Running", null, null, null, null,
      null, null, null);
  private final LiveRun run = new LiveRun(record, null, null, null);

  private NormalizedEvent event(long seq, int textChars) {
    ObjectNode data = JsonNodeFactory.instance.objectNode().put("text", "m".repeat(textChars));
    return new NormalizedEvent(seq, T0, record.runId(), record.sessionId(), "codex", EventType.AGENT_MESSAGE, data);
  }

  /** Publishes events first..last in batches of at most {@code batch}. */
  private void publish(long first, long last, int batch, int textChars) {
    List<NormalizedEvent> events = new ArrayList<>();
    for (long seq = first; seq <= last; seq++) {
      events.add(event(seq, textChars));
      if (events.size() == batch || seq == last) {
        run.publish(record.withProgress(RunStatus.RUNNING, "Running", seq, T0), events);
        events = new ArrayList<>();
      }
    }
  }

  private List<NormalizedEvent> after(long afterSeq, int limit) {
    synchronized (run.lock) {
      return run.recentAfter(afterSeq, limit);
    }
  }

  @Test
  @DisplayName("10 000 small events in commit-sized batches: the last two batches' worth are served from memory")
  void countBound() {
    publish(1, 10_000, GroupCommit.MAX_BATCH, 20);
    long oldest = 10_000 - LiveRun.RECENT_EVENTS + 1;
    assertThat(after(oldest - 1, 1000)).extracting(NormalizedEvent::seq).first().isEqualTo(oldest);
    assertThat(after(oldest - 1, 1000)).hasSize(1000);
    assertThat(after(9_990, 1000)).extracting(NormalizedEvent::seq).containsExactly(9_991L, 9_992L, 9_993L, 9_994L,
        9_995L, 9_996L, 9_997L, 9_998L, 9_999L, 10_000L);
    assertThat(after(5_000, 3)).extracting(NormalizedEvent::seq).containsExactly(5_001L, 5_002L, 5_003L);
    assertThat(after(10_000, 1000)).isEmpty();
    assertThat(after(oldest - 2, 1000)).as("the window does not reach back to seq %d", oldest - 1).isNull();
  }

  @Test
  @DisplayName("Large events: the window holds at most RECENT_BYTES of them, older ones are read from the disk")
  void byteBound() {
    int chars = 16_000;
    publish(1, 1_000, 100, chars);
    int each = LiveRun.approxBytes(event(1, chars));
    long kept = LiveRun.RECENT_BYTES / each;
    assertThat(after(1_000 - kept, 1000)).extracting(NormalizedEvent::seq).first().isEqualTo(1_001 - kept);
    assertThat(after(1_000 - kept - 1, 1000)).isNull();
    assertThat(after(999, 1)).extracting(NormalizedEvent::seq).containsExactly(1_000L);
  }

  @Test
  @DisplayName("One event larger than the whole budget is still kept as the newest")
  void hugeEventKept() {
    publish(1, 1, 1, (int) LiveRun.RECENT_BYTES + 10);
    assertThat(after(0, 10)).extracting(NormalizedEvent::seq).containsExactly(1L);
  }

  @Test
  @DisplayName("The estimate grows with the text, field names and nesting of the data")
  void estimate() {
    int small = LiveRun.approxBytes(event(1, 10));
    assertThat(LiveRun.approxBytes(event(1, 1010))).isEqualTo(small + 1000);
    ObjectNode nested = JsonNodeFactory.instance.objectNode();
    nested.putObject("item").put("type", "command_execution").putArray("changes").add("a").add("b");
    int n = LiveRun.approxBytes(new NormalizedEvent(1, T0, record.runId(), record.sessionId(), "codex",
        EventType.AGENT_MESSAGE, nested));
    assertThat(n).isGreaterThan(200 + 4 * 40 + "item".length() + "type".length() + "command_execution".length());
  }
}
