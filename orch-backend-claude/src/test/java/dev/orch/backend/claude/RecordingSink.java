package dev.orch.backend.claude;

import dev.orch.core.EventType;
import dev.orch.core.RemoteRef;
import dev.orch.core.RunEvent;
import dev.orch.core.RunStatus;
import dev.orch.core.spi.EventSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** An EventSink that records what a backend reports, and lets a test wait for an event (plays the engine's part). */
final class RecordingSink implements EventSink {
  private final List<RunEvent> events = new ArrayList<>();
  private final List<String> boundSessions = new ArrayList<>();
  private final List<RemoteRef> remoteRefs = new ArrayList<>();
  private final List<ProcessHandle> processes = new ArrayList<>();

  @Override
  public synchronized void emit(RunEvent event) {
    events.add(event);
    notifyAll();
  }

  @Override
  public synchronized void bindSession(String backendSessionId, RemoteRef remoteRef) {
    boundSessions.add(backendSessionId);
    remoteRefs.add(remoteRef);
  }

  @Override
  public synchronized void processStarted(ProcessHandle process) {
    processes.add(process);
  }

  synchronized List<RunEvent> events() {
    return List.copyOf(events);
  }

  synchronized List<EventType> types() {
    return events.stream().map(RunEvent::type).toList();
  }

  synchronized List<String> boundSessions() {
    return List.copyOf(boundSessions);
  }

  synchronized List<RemoteRef> remoteRefs() {
    return List.copyOf(remoteRefs);
  }

  synchronized List<ProcessHandle> processes() {
    return List.copyOf(processes);
  }

  /** @return the events of a type, in order */
  synchronized List<RunEvent> ofType(EventType type) {
    return events.stream().filter(e -> e.type() == type).toList();
  }

  /** Waits for the first event matching {@code p}. */
  synchronized RunEvent await(Predicate<RunEvent> p, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      for (RunEvent e : events) {
        if (p.test(e)) {
          return e;
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("no matching event within " + timeout + "; got " + types());
      }
      wait(Math.max(1, left / 1_000_000));
    }
  }

  /** Waits for the terminal event and returns it. */
  RunEvent awaitTerminal(Duration timeout) throws InterruptedException {
    return await(RecordingSink::isTerminal, timeout);
  }

  static boolean isTerminal(RunEvent e) {
    return e instanceof RunEvent.RunCompleted || e instanceof RunEvent.RunFailed || e instanceof RunEvent.Rejected
        || e instanceof RunEvent.StatusChanged s && s.status().isTerminal();
  }

  /** @return the number of terminal events */
  synchronized long terminalCount() {
    return events.stream().filter(RecordingSink::isTerminal).count();
  }

  static boolean isStatus(RunEvent e, RunStatus s) {
    return e instanceof RunEvent.StatusChanged c && c.status() == s;
  }
}
