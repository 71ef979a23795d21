package dev.orch.backend.a2a.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orch.core.RunEvent;
import dev.orch.core.RunStatus;
import io.a2a.spec.DataPart;
import io.a2a.spec.Message;
import io.a2a.spec.Task;
import io.a2a.spec.TaskState;
import io.a2a.spec.TaskStatus;
import io.a2a.spec.TaskStatusUpdateEvent;
import io.a2a.spec.TextPart;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A2A task events become Orch events (SPEC §4 remote_a2a)")
class TaskTrackerTest {
  final TaskTracker tracker = new TaskTracker("http://a", "Agent", null);

  static Message agent(String id, String text) {
    return new Message.Builder().role(Message.Role.AGENT).messageId(id).parts(new TextPart(text)).build();
  }

  static TaskStatusUpdateEvent update(TaskState state, Message m) {
    return new TaskStatusUpdateEvent("t1", new TaskStatus(state, m, OffsetDateTime.now()), "c1", false, null);
  }

  static List<String> types(List<RunEvent> events) {
    return events.stream().map(e -> e.type().wire()).toList();
  }

  @Test
  @DisplayName("submitted and working map to status_changed queued and running with state, ids and remote_ref")
  void activeStates() {
    RunEvent q = tracker.onStatusUpdate(update(TaskState.SUBMITTED, null)).get(0);
    assertThat(((RunEvent.StatusChanged) q).status()).isEqualTo(RunStatus.QUEUED);
    List<RunEvent> w = tracker.onStatusUpdate(update(TaskState.WORKING, agent("m1", "on it")));
    assertThat(types(w)).containsExactly("status_changed", "message_added", "agent_message");
    assertThat(((RunEvent.StatusChanged) w.get(0)).status()).isEqualTo(RunStatus.RUNNING);
    assertThat(w.get(0).toData().path("state").asText()).isEqualTo("working");
    assertThat(w.get(0).toData().path("task_id").asText()).isEqualTo("t1");
    assertThat(w.get(0).toData().path("remote_ref").path("context_id").asText()).isEqualTo("c1");
    assertThat(w.get(1).toData().path("role").asText()).isEqualTo("agent");
    assertThat(tracker.outcome()).isEqualTo(TaskTracker.Outcome.ACTIVE);
    assertThat(tracker.onStatusUpdate(update(TaskState.WORKING, null))).as("a repeated state is no news").isEmpty();
  }

  @Test
  @DisplayName("each waiting or terminal state yields exactly its dedicated event, last")
  void dedicatedEvents() {
    Map<TaskState, Class<?>> expected = Map.of(TaskState.INPUT_REQUIRED, RunEvent.InputRequired.class,
        TaskState.AUTH_REQUIRED, RunEvent.AuthRequired.class, TaskState.COMPLETED, RunEvent.RunCompleted.class,
        TaskState.FAILED, RunEvent.RunFailed.class, TaskState.REJECTED, RunEvent.Rejected.class,
        TaskState.CANCELED, RunEvent.StatusChanged.class);
    expected.forEach((state, type) -> {
      TaskTracker t = new TaskTracker("http://a", "Agent", null);
      List<RunEvent> out = t.onStatusUpdate(update(state, agent("m-" + state, "why " + state)));
      assertThat(out.get(out.size() - 1)).isInstanceOf(type);
      assertThat(types(out).subList(0, out.size() - 1)).containsExactly("message_added", "agent_message");
      boolean waiting = state == TaskState.INPUT_REQUIRED || state == TaskState.AUTH_REQUIRED;
      assertThat(t.outcome()).isEqualTo(waiting ? TaskTracker.Outcome.WAITING : TaskTracker.Outcome.TERMINAL);
    });
    TaskTracker t = new TaskTracker("http://a", "Agent", null);
    RunEvent c = t.onStatusUpdate(update(TaskState.CANCELED, null)).get(0);
    assertThat(((RunEvent.StatusChanged) c).status()).isEqualTo(RunStatus.CANCELLED);
  }

  @Test
  @DisplayName("the waiting status repeated in the next turn's task snapshot is ignored; a new one is not")
  void staleWaiting() {
    TaskStatus waiting = new TaskStatus(TaskState.INPUT_REQUIRED, agent("m1", "name?"), OffsetDateTime.now());
    tracker.onTask(new Task("t1", "c1", waiting, null, null, null));
    assertThat(tracker.outcome()).isEqualTo(TaskTracker.Outcome.WAITING);
    tracker.beginTurn(tracker.lastWaitingStatus());
    assertThat(tracker.onTask(new Task("t1", "c1", waiting, null, null, null))).isEmpty();
    assertThat(tracker.outcome()).isEqualTo(TaskTracker.Outcome.ACTIVE);
    List<RunEvent> again = tracker.onStatusUpdate(update(TaskState.INPUT_REQUIRED, agent("m2", "age?")));
    assertThat(again.get(again.size() - 1)).isInstanceOf(RunEvent.InputRequired.class);
  }

  @Test
  @DisplayName("completion reports the completing text, the artifacts and the last data part")
  void completion() {
    tracker.onStatusUpdate(update(TaskState.WORKING, agent("m1", "thinking")));
    Message last = new Message.Builder().role(Message.Role.AGENT).messageId("m2")
        .parts(new TextPart("done"), new DataPart(Map.of("x", 1))).build();
    List<RunEvent> out = tracker.onStatusUpdate(update(TaskState.COMPLETED, last));
    RunEvent.RunCompleted c = (RunEvent.RunCompleted) out.get(out.size() - 1);
    assertThat(c.finalResponse()).isEqualTo("done");
    assertThat(c.structuredOutput().path("x").asInt()).isEqualTo(1);
    assertThat(c.toData().path("artifacts").isArray()).isTrue();
  }

  @Test
  @DisplayName("a direct message reply completes the turn and a repeated message id is reported once")
  void messageReply() {
    tracker.onStatusUpdate(update(TaskState.WORKING, agent("m1", "hi")));
    assertThat(tracker.onStatusUpdate(update(TaskState.SUBMITTED, agent("m1", "hi")))).extracting(e -> e.type().wire())
        .containsExactly("status_changed");
    List<RunEvent> out = tracker.onMessage(agent("m3", "plain answer"));
    assertThat(types(out)).containsExactly("message_added", "agent_message", "run_completed");
    assertThat(((RunEvent.RunCompleted) out.get(2)).finalResponse()).isEqualTo("plain answer");
  }
}
