package dev.orch.tck;

import dev.orch.core.EventPage;
import dev.orch.core.NormalizedEvent;
import dev.orch.core.Orchestrator;
import dev.orch.core.RunId;
import dev.orch.core.RunRef;
import dev.orch.core.RunStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Follows a run through {@link Orchestrator#poll} the way an MCP client does. */
public final class RunWatcher {
  private final Orchestrator orch;
  private final RunId runId;
  private final List<NormalizedEvent> events = new ArrayList<>();
  private RunStatus status = RunStatus.QUEUED;

  /** @param orch the orchestrator @param runId the run */
  public RunWatcher(Orchestrator orch, RunId runId) {
    this.orch = orch;
    this.runId = runId;
  }

  /**
   * Polls until the condition holds on the events seen so far, or the timeout passes.
   *
   * @return the events seen so far
   * @throws AssertionError on timeout, listing the events seen
   */
  public List<NormalizedEvent> until(Predicate<List<NormalizedEvent>> condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.test(events)) {
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        throw new AssertionError("timed out after " + timeout + " waiting on run " + runId + "; status " + status
            + "; events: " + events.stream().map(e -> e.seq() + ":" + e.type() + e.data()).toList());
      }
      long after = events.isEmpty() ? 0 : events.get(events.size() - 1).seq();
      EventPage page = orch.poll(RunRef.of(runId), after, 1000, Duration.ofMillis(Math.min(left, 5000)));
      events.addAll(page.events());
      status = page.status();
      if (status.isTerminal() && page.events().isEmpty() && !condition.test(events)) {
        throw new AssertionError("run " + runId + " ended " + status + " before the condition held; events: "
            + events.stream().map(e -> e.seq() + ":" + e.type() + e.data()).toList());
      }
    }
    return List.copyOf(events);
  }

  /** Polls until the run is terminal and no event is left (the client stop rule of SPEC §2). @return all events */
  public List<NormalizedEvent> toEnd(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        throw new AssertionError("run " + runId + " not finished after " + timeout + "; status " + status
            + "; events: " + events.stream().map(e -> e.seq() + ":" + e.type() + e.data()).toList());
      }
      long after = events.isEmpty() ? 0 : events.get(events.size() - 1).seq();
      EventPage page = orch.poll(RunRef.of(runId), after, 1000, Duration.ofMillis(Math.min(left, 5000)));
      events.addAll(page.events());
      status = page.status();
      if (status.isTerminal() && page.events().isEmpty()) {
        return List.copyOf(events);
      }
    }
  }

  /** @return the status of the last poll */
  public RunStatus status() {
    return status;
  }

  /** @return a predicate: some event has this type */
  public static Predicate<List<NormalizedEvent>> has(dev.orch.core.EventType type) {
    return list -> list.stream().anyMatch(e -> e.type() == type);
  }
}
