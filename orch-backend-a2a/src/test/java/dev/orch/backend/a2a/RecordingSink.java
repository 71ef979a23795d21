package dev.orch.backend.a2a;

import dev.orch.core.AgentMessage;
import dev.orch.core.RemoteRef;
import dev.orch.core.RunEvent;
import dev.orch.core.spi.EventSink;
import dev.orch.core.spi.RunHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * An {@link EventSink} that records what a backend reports and emulates the engine's continue_run: when the run
 * asks for input or authentication and a reply is queued, the reply is delivered with {@link RunHandle#sendInput}
 * from another thread (as an MCP call would).
 */
final class RecordingSink implements EventSink {
  private final List<RunEvent> events = new ArrayList<>();
  private final List<String> boundIds = new ArrayList<>();
  private final List<RemoteRef> boundRefs = new ArrayList<>();
  private final List<AgentMessage> replies = new ArrayList<>();
  private final List<Throwable> replyErrors = new ArrayList<>();
  private volatile RunHandle handle;

  /** @param h the run's handle, for the emulated continue_run */
  void attach(RunHandle h) {
    this.handle = h;
  }

  /** Queues a reply for the next input_required / auth_required. */
  synchronized void reply(String text) {
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
      AgentMessage r = reply;
      CompletableFuture.runAsync(() -> {
        try {
          while (handle == null) {
            Thread.onSpinWait();
          }
          handle.sendInput(r);
        } catch (RuntimeException e) {
          synchronized (this) {
            replyErrors.add(e);
          }
        }
      });
    }
  }

  @Override
  public synchronized void bindSession(String backendSessionId, RemoteRef remoteRef) {
    boundIds.add(backendSessionId);
    boundRefs.add(remoteRef);
  }

  @Override
  public void processStarted(ProcessHandle process) {
    throw new AssertionError("remote_a2a starts no process");
  }

  synchronized List<RunEvent> events() {
    return List.copyOf(events);
  }

  synchronized List<String> types() {
    return events.stream().map(e -> e.type().wire()).toList();
  }

  synchronized List<String> boundIds() {
    return List.copyOf(boundIds);
  }

  synchronized List<RemoteRef> boundRefs() {
    return List.copyOf(boundRefs);
  }

  synchronized List<Throwable> replyErrors() {
    return List.copyOf(replyErrors);
  }

  /** @return true for the events that end a run (SPEC §3) */
  static boolean terminal(RunEvent e) {
    return e instanceof RunEvent.RunCompleted || e instanceof RunEvent.RunFailed || e instanceof RunEvent.Rejected
        || e instanceof RunEvent.StatusChanged s && s.status().isTerminal();
  }

  /** Waits for the first event matching the predicate. */
  synchronized RunEvent await(Predicate<RunEvent> p, Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (true) {
      for (RunEvent e : events) {
        if (p.test(e)) {
          return e;
        }
      }
      long left = end - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("no matching event within " + timeout + "; got " + types());
      }
      wait(Math.max(1, left / 1_000_000));
    }
  }

  /** Waits for the terminal event. */
  RunEvent awaitTerminal(Duration timeout) throws InterruptedException {
    return await(RecordingSink::terminal, timeout);
  }

  /** @return the terminal events so far */
  synchronized List<RunEvent> terminals() {
    return events.stream().filter(RecordingSink::terminal).toList();
  }
}
