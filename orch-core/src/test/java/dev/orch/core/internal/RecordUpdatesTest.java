package dev.orch.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.orch.core.NormalizedEvent;
import dev.orch.core.Role;
import dev.orch.core.RunEvent;
import dev.orch.core.RunId;
import dev.orch.core.RunStatus;
import dev.orch.core.SessionId;
import dev.orch.core.spi.LogEntry;
import dev.orch.core.spi.RunRecord;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("RecordUpdates folds a batch into the record that event-by-event application gives")
class RecordUpdatesTest {
  private static final Instant T0 = Instant.parse("2026-12-01T12:00:00.000Z");

  private static RunRecord queued() {
    return new RunRecord(RunId.random(), "codex", Role.WORKER, SessionId.random(), "agent1", RunStatus.QUEUED,
        Path.of("/tmp"), "p", null, null, null, T0, T0, null, 0, "Queued", null, null, null, null, null, null, null);
  }

  private static RunEvent randomEvent(SplittableRandom random, int i) {
    switch (random.nextInt(10)) {
      case 0:
        return new RunEvent.StatusChanged(RunStatus.values()[random.nextInt(RunStatus.values().length)],
            RunEvent.noDetails());
      case 1:
        return new RunEvent.RunCompleted("done " + i, null, null, RunEvent.noDetails());
      case 2:
        return new RunEvent.RunFailed("failed " + i, RunEvent.noDetails());
      case 3:
        return new RunEvent.Rejected("rejected " + i, RunEvent.noDetails());
      default:
        return RunEvent.Activity.agentMessage("message " + i + (random.nextBoolean() ? "\n  with   spaces" : ""));
    }
  }

  @Test
  @DisplayName("2 000 random batches of status changes, outcomes, activity and record changes: folded = one by one")
  void foldedEqualsStepwise() {
    SplittableRandom random = new SplittableRandom(3);
    for (int round = 0; round < 2_000; round++) {
      RunRecord start = queued();
      List<RunJournal.Entry> batch = new ArrayList<>();
      int n = random.nextInt(1, 30);
      for (int i = 1; i <= n; i++) {
        if (random.nextInt(8) == 0) {
          String mark = "change " + i;
          batch.add(new RunJournal.Change(r -> r.withOutcome(r.result(), mark)));
          continue;
        }
        RunEvent source = randomEvent(random, i);
        NormalizedEvent e = new NormalizedEvent(i, T0.plusMillis(i), start.runId(), start.sessionId(), "codex",
            source.type(), source.toData());
        batch.add(new RunJournal.Staged(e, source, List.of(), LogEntry.NO_POSITION));
      }
      RunRecord stepwise = start;
      for (RunJournal.Entry entry : batch) {
        stepwise = entry instanceof RunJournal.Staged s ? RecordUpdates.apply(stepwise, s)
            : ((RunJournal.Change) entry).change().apply(stepwise);
      }
      assertThat(RecordUpdates.apply(start, batch)).as("round %d", round).isEqualTo(stepwise);
    }
  }
}
