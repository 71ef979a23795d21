package dev.orch.backend.codex.testing;

import dev.orch.core.EventType;
import dev.orch.core.RemoteRef;
import dev.orch.core.RunEvent;
import dev.orch.core.spi.EventSink;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * An {@link EventSink} that records everything a backend reports, for tests without the engine. Thread-safe.
 */
public final class RecordingSink implements EventSink {
  /** A {@code bindSession} call. */
  public record Binding(String backendSessionId, RemoteRef remoteRef) {
  }

  private final List<RunEvent> events = new CopyOnWriteArrayList<>();
  private final List<Binding> bindings = new CopyOnWriteArrayList<>();
  private final List<ProcessHandle> processes = new CopyOnWriteArrayList<>();
  private final CompletableFuture<RunEvent> terminal = new CompletableFuture<>();

  @Override
  public void emit(RunEvent event) {
    events.add(event);
    if (isTerminal(event)) {
      terminal.complete(event);
    }
  }

  @Override
  public void bindSession(String backendSessionId, RemoteRef remoteRef) {
    bindings.add(new Binding(backendSessionId, remoteRef));
  }

  @Override
  public void processStarted(ProcessHandle process) {
    processes.add(process);
  }

  /** @return true for run_completed, run_failed, rejected and status_changed to a terminal status */
  public static boolean isTerminal(RunEvent e) {
    return e.type() == EventType.RUN_COMPLETED || e.type() == EventType.RUN_FAILED || e.type() == EventType.REJECTED
        || (e instanceof RunEvent.StatusChanged s && s.status().isTerminal());
  }

  /** @return the events so far, in order */
  public List<RunEvent> events() {
    return List.copyOf(events);
  }

  /** @return the wire types of the events so far */
  public List<String> types() {
    return events.stream().map(e -> e.type().wire()).toList();
  }

  /** @return the terminal events so far */
  public List<RunEvent> terminals() {
    return events.stream().filter(RecordingSink::isTerminal).toList();
  }

  /** @return the bindSession calls so far */
  public List<Binding> bindings() {
    return List.copyOf(bindings);
  }

  /** @return the processes reported so far */
  public List<ProcessHandle> processes() {
    return List.copyOf(processes);
  }

  /**
   * @param timeout longest wait
   * @return the first terminal event
   * @throws AssertionError when none arrives in time
   */
  public RunEvent awaitTerminal(Duration timeout) {
    try {
      return terminal.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("no terminal event within " + timeout + "; events: " + types(), e);
    }
  }
}
