package dev.orch.tck;

import dev.orch.core.AgentMessage;
import dev.orch.core.EventType;
import dev.orch.core.RemoteRef;
import dev.orch.core.RunEvent;
import dev.orch.core.RunStatus;
import dev.orch.core.spi.EventSink;
import dev.orch.core.spi.RunHandle;
import dev.orch.core.spi.UsageReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * An {@link EventSink} that plays the engine's part in a backend test without the engine: it records every event,
 * session binding and child process a backend reports, lets the test wait for an event, and can emulate the
 * engine's {@code continue_run} — when the run asks for input or authentication ({@code input_required},
 * {@code auth_required}) and a reply is queued with {@link #reply(String)}, the reply is delivered with
 * {@link RunHandle#sendInput} from another thread, as an MCP call would.
 *
 * <p>Unlike the engine it keeps everything, also events after a terminal one, so that a test can assert that a
 * backend emits exactly one terminal event (SPEC §3).
 *
 * <p>Thread-safe: backends call it from their reader, timer and exit threads while the test thread waits.
 */
public final class RecordingSink implements EventSink {
  /**
   * One {@link EventSink#bindSession} call.
   *
   * @param backendSessionId the backend's conversation id (codex thread id, Claude session id, A2A context id)
   * @param remoteRef the reference passed with it, may be null
   */
  public record Binding(String backendSessionId, RemoteRef remoteRef) {
  }

  private final boolean processesAllowed;
  private final List<RunEvent> events = new ArrayList<>();
  private final List<Binding> bindings = new ArrayList<>();
  private final List<ProcessHandle> processes = new ArrayList<>();
  private final List<AgentMessage> replies = new ArrayList<>();
  private final List<Throwable> replyErrors = new ArrayList<>();
  private final List<UsageReport> usage = new ArrayList<>();
  private volatile RunHandle handle;

  /** A sink that accepts child processes (for CLI backends). */
  public RecordingSink() {
    this(true);
  }

  private RecordingSink(boolean processesAllowed) {
    this.processesAllowed = processesAllowed;
  }

  /**
   * @return a sink for a backend that must start no process (a remote backend): its
   *     {@link #processStarted(ProcessHandle)} throws {@link AssertionError}
   */
  public static RecordingSink withoutProcesses() {
    return new RecordingSink(false);
  }

  /**
   * Gives the sink the run's handle, for the emulated {@code continue_run} of {@link #reply(String)}. A reply due
   * before this call waits for it.
   *
   * @param h the handle the backend returned from {@code start}, not null
   */
  public void attach(RunHandle h) {
    this.handle = h;
  }

  /**
   * Queues a user reply for the next {@code input_required} / {@code auth_required} event. Replies are used in
   * the order they were queued, one per waiting event.
   *
   * @param text the reply text
   */
  public synchronized void reply(String text) {
    replies.add(AgentMessage.userText(text));
  }

  @Override
  public void emit(RunEvent event) {
    AgentMessage reply = null;
    synchronized (this) {
      events.add(event);
      if ((event instanceof RunEvent.InputRequired || event instanceof RunEvent.AuthRequired) && !replies.isEmpty()) {
        reply = replies.remove(0);
      }
      notifyAll();
    }
    if (reply != null) {
      deliver(reply);
    }
  }

  private void deliver(AgentMessage reply) {
    CompletableFuture.runAsync(() -> {
      try {
        while (handle == null) {
          Thread.onSpinWait();
        }
        handle.sendInput(reply);
      } catch (RuntimeException e) {
        synchronized (this) {
          replyErrors.add(e);
        }
      }
    });
  }

  @Override
  public synchronized void bindSession(String backendSessionId, RemoteRef remoteRef) {
    bindings.add(new Binding(backendSessionId, remoteRef));
  }

  /**
   * Records the process.
   *
   * @throws AssertionError when this sink was made by {@link #withoutProcesses()}
   */
  @Override
  public synchronized void processStarted(ProcessHandle process) {
    if (!processesAllowed) {
      throw new AssertionError("this backend must start no process, but reported pid " + process.pid());
    }
    processes.add(process);
  }

  /** Records a usage report (SPEC §12.4), in order with the events. */
  @Override
  public synchronized void usage(UsageReport report) {
    usage.add(report);
  }

  /** @return the usage reports so far, oldest first */
  public synchronized List<UsageReport> usageReports() {
    return List.copyOf(usage);
  }

  /** @return the events so far, oldest first */
  public synchronized List<RunEvent> events() {
    return List.copyOf(events);
  }

  /** @return the wire types of the events so far ({@code run_started}, …), oldest first */
  public synchronized List<String> types() {
    return events.stream().map(e -> e.type().wire()).toList();
  }

  /** @return the types of the events so far, oldest first */
  public synchronized List<EventType> eventTypes() {
    return events.stream().map(RunEvent::type).toList();
  }

  /** @return the events of one type, oldest first */
  public synchronized List<RunEvent> ofType(EventType type) {
    return events.stream().filter(e -> e.type() == type).toList();
  }

  /** @return the terminal events so far (a correct backend emits at most one) */
  public synchronized List<RunEvent> terminals() {
    return events.stream().filter(RecordingSink::isTerminal).toList();
  }

  /** @return the {@code bindSession} calls so far, oldest first */
  public synchronized List<Binding> bindings() {
    return List.copyOf(bindings);
  }

  /** @return the backend session ids of the {@code bindSession} calls so far, oldest first */
  public synchronized List<String> boundSessionIds() {
    return bindings.stream().map(Binding::backendSessionId).toList();
  }

  /** @return the remote refs of the {@code bindSession} calls so far, oldest first (entries may be null) */
  public synchronized List<RemoteRef> boundRefs() {
    List<RemoteRef> out = new ArrayList<>();
    bindings.forEach(b -> out.add(b.remoteRef()));
    return out;
  }

  /** @return the processes reported so far */
  public synchronized List<ProcessHandle> processes() {
    return List.copyOf(processes);
  }

  /** @return what {@link RunHandle#sendInput} threw for queued replies (empty when every reply was accepted) */
  public synchronized List<Throwable> replyErrors() {
    return List.copyOf(replyErrors);
  }

  /**
   * Waits for the first event (oldest first, also one that arrived before the call) that matches.
   *
   * @param p the condition
   * @param timeout longest wait
   * @return the event
   * @throws AssertionError when no event matches in time (listing the events so far) or the thread is interrupted
   */
  public synchronized RunEvent await(Predicate<RunEvent> p, Duration timeout) {
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
      try {
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for an event; got " + types(), e);
      }
    }
  }

  /**
   * Waits for the first terminal event.
   *
   * @param timeout longest wait
   * @return the event
   * @throws AssertionError when none arrives in time
   */
  public RunEvent awaitTerminal(Duration timeout) {
    return await(RecordingSink::isTerminal, timeout);
  }

  /**
   * Waits for the first terminal event, then {@code settle} longer, and checks that no second terminal event came
   * meanwhile (SPEC §3: exactly one terminal event per run).
   *
   * @param timeout longest wait for the terminal event
   * @param settle how long to watch for a second one
   * @return the terminal event
   * @throws AssertionError when none arrives in time, when more than one arrived, or when interrupted
   */
  public RunEvent awaitSoleTerminal(Duration timeout, Duration settle) {
    RunEvent first = awaitTerminal(timeout);
    try {
      Thread.sleep(settle.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while watching for a second terminal event", e);
    }
    List<RunEvent> all = terminals();
    if (all.size() != 1) {
      throw new AssertionError("expected exactly one terminal event, got " + all.size() + "; events: " + types());
    }
    return first;
  }

  /**
   * @param e an event
   * @return true for the events that end a run (SPEC §3): run_completed, run_failed, rejected and a
   *     status_changed to a terminal status
   */
  public static boolean isTerminal(RunEvent e) {
    return e instanceof RunEvent.RunCompleted || e instanceof RunEvent.RunFailed || e instanceof RunEvent.Rejected
        || e instanceof RunEvent.StatusChanged s && s.status().isTerminal();
  }

  /**
   * @param e an event
   * @param status a status
   * @return true when the event is a status_changed to that status
   */
  public static boolean isStatus(RunEvent e, RunStatus status) {
    return e instanceof RunEvent.StatusChanged c && c.status() == status;
  }
}
