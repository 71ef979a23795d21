package dev.orch.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orch.core.EventType;
import dev.orch.core.NormalizedEvent;
import dev.orch.core.RunStatus;
import java.util.List;

/**
 * The event-order rules every run must satisfy (SPEC §3, §4): {@code run_started} first (a run that failed before
 * its backend started may begin with {@code run_failed}), seq 1, 2, 3… without gaps, and exactly one terminal
 * event (run_completed, run_failed, rejected, or status_changed to a terminal status), which is the last one.
 */
public final class EventOrder {
  private EventOrder() {
  }

  /**
   * @param events all events of one finished run, oldest first
   * @throws AssertionError naming the broken rule
   */
  public static void assertValid(List<NormalizedEvent> events) {
    assertThat(events).as("events of a finished run").isNotEmpty();
    for (int i = 0; i < events.size(); i++) {
      assertThat(events.get(i).seq()).as("seq of event #%d", i + 1).isEqualTo(i + 1L);
    }
    EventType first = events.get(0).type();
    assertThat(first).as("first event").isIn(EventType.RUN_STARTED, EventType.RUN_FAILED,
        EventType.STATUS_CHANGED);
    List<NormalizedEvent> terminal = events.stream().filter(EventOrder::isTerminal).toList();
    assertThat(terminal).as("terminal events (exactly one)").hasSize(1);
    assertThat(events.get(events.size() - 1)).as("the terminal event is the last").isEqualTo(terminal.get(0));
  }

  /** @return true when the event ends a run */
  public static boolean isTerminal(NormalizedEvent e) {
    switch (e.type()) {
      case RUN_COMPLETED:
      case RUN_FAILED:
      case REJECTED:
        return true;
      case STATUS_CHANGED:
        return RunStatus.fromWire(e.data().path("status").asText()).map(RunStatus::isTerminal).orElse(false);
      default:
        return false;
    }
  }
}
