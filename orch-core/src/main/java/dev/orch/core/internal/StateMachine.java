package dev.orch.core.internal;

import dev.orch.core.RunEvent;
import dev.orch.core.RunStatus;

/**
 * The pure run state machine of SPEC §3 (CONVENTIONS 6): {@code next = transition(current, event)}.
 * Terminal statuses are sticky; informational events keep the status.
 */
public final class StateMachine {
  private StateMachine() {
  }

  /**
   * @param current the run's status
   * @param event the incoming event
   * @return the status after the event
   */
  public static RunStatus transition(RunStatus current, RunEvent event) {
    if (current.isTerminal()) {
      return current;
    }
    if (event instanceof RunEvent.RunStarted) {
      return RunStatus.RUNNING;
    } else if (event instanceof RunEvent.StatusChanged s) {
      return s.status();
    } else if (event instanceof RunEvent.InputRequired) {
      return RunStatus.INPUT_REQUIRED;
    } else if (event instanceof RunEvent.AuthRequired) {
      return RunStatus.AUTH_REQUIRED;
    } else if (event instanceof RunEvent.Rejected) {
      return RunStatus.REJECTED;
    } else if (event instanceof RunEvent.RunCompleted) {
      return RunStatus.COMPLETED;
    } else if (event instanceof RunEvent.RunFailed) {
      return RunStatus.FAILED;
    } else if (event instanceof RunEvent.Activity) {
      return current;
    }
    throw new IllegalStateException("unhandled event " + event.getClass());
  }

  /** @return true when the event would end a non-terminal run (SPEC §3: exactly one per run) */
  public static boolean isTerminating(RunEvent event) {
    return transition(RunStatus.RUNNING, event).isTerminal();
  }
}
