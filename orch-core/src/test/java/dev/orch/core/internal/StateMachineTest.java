package dev.orch.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orch.core.EventType;
import dev.orch.core.RunEvent;
import dev.orch.core.RunStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@DisplayName("The run state machine (SPEC §3)")
class StateMachineTest {

  /** One event of every kind the engine can see: the 18 types, and status_changed to every status. */
  static List<RunEvent> everyEvent() {
    List<RunEvent> events = new ArrayList<>();
    events.add(new RunEvent.RunStarted(null));
    for (RunStatus s : RunStatus.values()) {
      events.add(new RunEvent.StatusChanged(s, null));
    }
    for (EventType t : RunEvent.Activity.TYPES) {
      events.add(new RunEvent.Activity(t, null));
    }
    events.add(new RunEvent.InputRequired("need input", null));
    events.add(new RunEvent.AuthRequired("need auth", null));
    events.add(new RunEvent.Rejected("no", null));
    events.add(new RunEvent.RunCompleted("done", null, null, null));
    events.add(new RunEvent.RunFailed("boom", null));
    return events;
  }

  static Stream<Arguments> everyPair() {
    List<Arguments> out = new ArrayList<>();
    for (RunStatus s : RunStatus.values()) {
      for (RunEvent e : everyEvent()) {
        out.add(Arguments.of(s, e));
      }
    }
    return out.stream();
  }

  /** The expected status after an event on a non-terminal run, written out independently of the code. */
  static RunStatus expected(RunStatus current, RunEvent e) {
    if (current.isTerminal()) {
      return current;
    }
    switch (e.type()) {
      case RUN_STARTED: return RunStatus.RUNNING;
      case STATUS_CHANGED: return ((RunEvent.StatusChanged) e).status();
      case INPUT_REQUIRED: return RunStatus.INPUT_REQUIRED;
      case AUTH_REQUIRED: return RunStatus.AUTH_REQUIRED;
      case REJECTED: return RunStatus.REJECTED;
      case RUN_COMPLETED: return RunStatus.COMPLETED;
      case RUN_FAILED: return RunStatus.FAILED;
      default: return current;
    }
  }

  @ParameterizedTest(name = "{0} × {1}")
  @MethodSource("everyPair")
  @DisplayName("every status × event pair gives the SPEC status, and terminal statuses are sticky")
  void everyPairFollowsTheSpec(RunStatus current, RunEvent event) {
    assertThat(StateMachine.transition(current, event)).isEqualTo(expected(current, event));
  }

  @Test
  @DisplayName("there are 8 statuses × 25 events = 200 pairs covered")
  void coversEveryPair() {
    assertThat(everyPair().count()).isEqualTo(8L * 25);
    assertThat(everyEvent()).extracting(RunEvent::type).containsAll(List.of(EventType.values()));
  }

  @Test
  @DisplayName("only completed, failed, rejected and status_changed to a terminal status end a run")
  void terminatingEvents() {
    assertThat(everyEvent().stream().filter(StateMachine::isTerminating).map(e -> e.type().wire()
        + (e instanceof RunEvent.StatusChanged s ? ":" + s.status() : "")))
        .containsExactlyInAnyOrder("status_changed:completed", "status_changed:failed", "status_changed:cancelled",
            "status_changed:rejected", "rejected", "run_completed", "run_failed");
  }
}
