package dev.orch.backend.a2a.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orch.core.RunEvent;
import dev.orch.core.spi.LogEntry;
import io.a2a.spec.Artifact;
import io.a2a.spec.Message;
import io.a2a.spec.Task;
import io.a2a.spec.TaskState;
import io.a2a.spec.TaskStatus;
import io.a2a.spec.TextPart;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Re-attaching an A2A task: the snapshot is taken in without repeats, statuses keep their positions")
class ReattachSnapshotTest {
  private static final OffsetDateTime AT = OffsetDateTime.of(2026, 12, 1, 12, 0, 0, 123_456_000, ZoneOffset.UTC);

  static Message agent(String id, String text) {
    return new Message.Builder().role(Message.Role.AGENT).messageId(id).parts(new TextPart(text)).build();
  }

  static Task task(TaskState state, Message statusMessage, List<Artifact> artifacts, List<Message> history) {
    return new Task("t1", "c1", new TaskStatus(state, statusMessage, AT), artifacts, history, null);
  }

  @Test
  @DisplayName("a primed snapshot reports only its status; its artifacts and history still make the final result")
  void primedSnapshot() {
    Artifact answer = new Artifact.Builder().artifactId("answer-1").name("answer").parts(new TextPart("the report"))
        .build();
    Message said = agent("m1", "Working on it");
    Message done = agent("m2", "All done");
    TaskTracker tracker = new TaskTracker("http://a", "Agent", "c1");
    tracker.adoptTask("t1");
    Task snapshot = task(TaskState.COMPLETED, done, List.of(answer), List.of(said, done));
    tracker.prime(snapshot);
    List<RunEvent> events = tracker.onTask(snapshot);
    assertThat(events).singleElement().isInstanceOf(RunEvent.RunCompleted.class);
    RunEvent.RunCompleted c = (RunEvent.RunCompleted) events.get(0);
    assertThat(c.finalResponse()).isEqualTo("All done");
    assertThat(c.toData().path("artifacts").get(0).path("artifact_id").asText()).isEqualTo("answer-1");
    assertThat(tracker.taskId()).isEqualTo("t1");
  }

  @Test
  @DisplayName("a still-working snapshot reports its status once, positioned by the status timestamp in µs")
  void workingSnapshotPositions() {
    TaskTracker tracker = new TaskTracker("http://a", "Agent", "c1");
    Task snapshot = task(TaskState.WORKING, agent("m1", "Holding"), List.of(), List.of());
    List<RunEvent> events = tracker.onTask(snapshot);
    assertThat(events).extracting(e -> e.type().wire()).containsExactly("status_changed", "message_added",
        "agent_message");
    long[] positions = StatusPositions.of(events, snapshot.getStatus());
    long micros = AT.toEpochSecond() * 1_000_000L + 123_456;
    assertThat(positions).containsExactly(LogEntry.position(micros, 0), LogEntry.position(micros, 1),
        LogEntry.position(micros, 2));
    assertThat(StatusPositions.of(events, null)).as("events not from a status").containsOnly(LogEntry.NO_POSITION);
  }

  @Test
  @DisplayName("artifact events never get a position (the snapshot does not repeat them)")
  void artifactsUnpositioned() {
    TaskTracker tracker = new TaskTracker("http://a", "Agent", null);
    Artifact a = new Artifact.Builder().artifactId("a1").parts(new TextPart("x")).build();
    List<RunEvent> events = tracker.onTask(task(TaskState.WORKING, null, List.of(a), List.of()));
    long[] positions = StatusPositions.of(events, new TaskStatus(TaskState.WORKING, null, AT));
    assertThat(events.get(0).type().wire()).isEqualTo("artifact_added");
    assertThat(positions[0]).isEqualTo(LogEntry.NO_POSITION);
    assertThat(positions[1]).isEqualTo(LogEntry.position(AT.toEpochSecond() * 1_000_000L + 123_456, 0));
  }
}
