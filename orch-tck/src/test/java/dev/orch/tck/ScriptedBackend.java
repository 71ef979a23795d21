package dev.orch.tck;

import dev.orch.core.AgentMessage;
import dev.orch.core.EventType;
import dev.orch.core.OrchException;
import dev.orch.core.RemoteRef;
import dev.orch.core.RunEvent;
import dev.orch.core.RunStatus;
import dev.orch.core.spi.Backend;
import dev.orch.core.spi.BackendContext;
import dev.orch.core.spi.BackendDescriptor;
import dev.orch.core.spi.BackendProvider;
import dev.orch.core.spi.Capability;
import dev.orch.core.spi.EventSink;
import dev.orch.core.spi.RunHandle;
import dev.orch.core.spi.RunSpec;
import dev.orch.core.spi.UsageReport;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A backend that follows a script in its prompt, for testing the engine's own rules (queues, cancel, continue,
 * shutdown) where no real peer is involved. Prompt words: {@code complete} (answer "done: <prompt>"),
 * {@code fail}, {@code wait-input} (input_required, completes with the input text), {@code slow} (runs until
 * cancelled, then still tries to complete — the engine must drop that), {@code events:N} (N agent messages
 * first), {@code hold} (waits for {@link #release()} before completing), {@code hold:NAME} (waits for
 * {@link #release(String)} of that name), {@code refuse} (validate throws), {@code drip} (an
 * agent message every 20 ms until cancelled, never a terminal event), {@code usage:N} (reports N input tokens, then
 * goes on with the rest of the script), {@code usage-last:N} (reports N input tokens as the last report, then
 * completes), {@code start-child} (start() runs a child process and fails with "Broken pipe" when it dies, as a CLI
 * backend's start does when the agent is killed while it is being started).
 */
final class ScriptedBackend implements BackendProvider {
  final List<RunSpec> started = new CopyOnWriteArrayList<>();
  final List<String> cancels = new CopyOnWriteArrayList<>();
  /** Released once per {@code start-child} run whose child process runs and is known to the engine. */
  final java.util.concurrent.Semaphore childrenStarted = new java.util.concurrent.Semaphore(0);
  private final CountDownLatch hold = new CountDownLatch(1);
  private final java.util.Map<String, CountDownLatch> holds = new java.util.concurrent.ConcurrentHashMap<>();

  /** Starts a {@code sleep} the engine knows of and blocks until it dies, then fails like a broken stdin pipe. */
  private static void startWithChild(EventSink sink, java.util.concurrent.Semaphore started) {
    Process child;
    try {
      child = new ProcessBuilder("sleep", "60").start();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    sink.processStarted(child.toHandle());
    started.release();
    try {
      child.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throw new IllegalStateException("cannot start scripted (child process): Broken pipe");
  }

  void release() {
    hold.countDown();
  }

  /** Releases the runs scripted {@code hold:<name>}. */
  void release(String name) {
    holds.computeIfAbsent(name, k -> new CountDownLatch(1)).countDown();
  }

  @Override
  public BackendDescriptor descriptor() {
    return new BackendDescriptor("scripted", "1", EnumSet.of(Capability.CANCEL, Capability.CONTINUE,
        Capability.RESUME, Capability.PROFILES), "dev.orch:orch-tck:tests", "scripted test backend");
  }

  @Override
  public Backend create(BackendContext context) {
    return new Backend() {
      @Override
      public void validate(RunSpec spec) {
        if (spec.prompt().contains("refuse")) {
          throw OrchException.invalid("Invalid scripted configuration: refused on purpose");
        }
      }

      @Override
      public RunHandle start(RunSpec spec, EventSink sink) {
        if (spec.prompt().contains("start-child")) {
          startWithChild(sink, childrenStarted);
        }
        started.add(spec);
        Run run = new Run(spec, sink);
        Thread t = context.threadFactory().newThread(run::script);
        t.start();
        return run;
      }

      @Override
      public void close() {
      }
    };
  }

  private final class Run implements RunHandle {
    private final RunSpec spec;
    private final EventSink sink;
    private final CountDownLatch cancelled = new CountDownLatch(1);
    private final java.util.concurrent.SynchronousQueue<AgentMessage> input =
        new java.util.concurrent.SynchronousQueue<>();

    Run(RunSpec spec, EventSink sink) {
      this.spec = spec;
      this.sink = sink;
    }

    void script() {
      try {
        String p = spec.prompt();
        String conv = spec.resume() != null ? spec.resume().backendSessionId() : "conv-" + spec.runId();
        sink.emit(new RunEvent.RunStarted(RunEvent.details("thread_id", spec.resume() == null ? null : conv)));
        sink.bindSession(conv, RemoteRef.conversation("scripted", conv));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("events:(\\d+)").matcher(p);
        if (m.find()) {
          for (int i = 1; i <= Integer.parseInt(m.group(1)); i++) {
            sink.emit(RunEvent.Activity.agentMessage("message " + i));
          }
        }
        java.util.regex.Matcher tick = java.util.regex.Pattern.compile("tick:(\\d+)").matcher(p);
        if (tick.find()) {
          for (int i = 1; i <= Integer.parseInt(tick.group(1)); i++) {
            Thread.sleep(20);
            sink.emit(RunEvent.Activity.agentMessage("tick " + i));
          }
        }
        if (p.contains("big-output")) {
          StringBuilder out = new StringBuilder();
          for (int i = 0; out.length() < 150_000; i++) {
            out.append("line ").append(i).append(" \u00e9\u4e2d\uD83D\uDE00\n");
          }
          sink.emit(new RunEvent.Activity(EventType.COMMAND_FINISHED, RunEvent.details("command", "seq 1 9999",
              "output", out.toString(), "exit_code", 0, "status", "completed")));
        }
        java.util.regex.Matcher usage = java.util.regex.Pattern.compile("usage(-last)?:(\\d+)").matcher(p);
        if (usage.find()) {
          boolean last = usage.group(1) != null;
          sink.usage(new UsageReport(Long.parseLong(usage.group(2)), 0, 10, 0, 0, null, "scripted-model", 1, last));
          if (last) {
            sink.emit(new RunEvent.RunCompleted("done after usage", null, RunEvent.details("tokens",
                usage.group(2)), null));
            return;
          }
        }
        if (p.contains("drip")) {
          for (int i = 1; !cancelled.await(20, TimeUnit.MILLISECONDS); i++) {
            sink.emit(RunEvent.Activity.agentMessage("drip " + i));
          }
          return;
        }
        if (p.contains("fail")) {
          sink.emit(new RunEvent.RunFailed("scripted failure", null));
        } else if (p.contains("wait-input")) {
          sink.emit(new RunEvent.InputRequired("Which colour?", RunEvent.details("question", "colour")));
          AgentMessage answer = input.take();
          sink.emit(new RunEvent.StatusChanged(RunStatus.RUNNING, null));
          sink.emit(new RunEvent.RunCompleted("answer: " + answer.text(), null, null, null));
        } else if (p.contains("slow")) {
          cancelled.await(60, TimeUnit.SECONDS);
          sink.emit(RunEvent.Activity.agentMessage("late message after cancel"));
          sink.emit(new RunEvent.RunCompleted("late completion", null, null, null));
        } else if (p.matches("(?s).*hold:(\\w+).*")) {
          String name = p.replaceAll("(?s).*hold:(\\w+).*", "$1");
          holds.computeIfAbsent(name, k -> new CountDownLatch(1)).await(60, TimeUnit.SECONDS);
          sink.emit(new RunEvent.RunCompleted("released " + name, null, null, null));
        } else if (p.contains("hold")) {
          hold.await(60, TimeUnit.SECONDS);
          sink.emit(new RunEvent.RunCompleted("released", null, null, null));
        } else {
          sink.emit(new RunEvent.RunCompleted("done: " + p, null, RunEvent.details("turns", 1), null));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void cancel(String reason) {
      cancels.add(reason);
      cancelled.countDown();
    }

    @Override
    public void sendInput(AgentMessage message) {
      if (!input.offer(message)) {
        try {
          if (!input.offer(message, 5, TimeUnit.SECONDS)) {
            throw OrchException.conflict("scripted run is not waiting");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  static boolean isType(dev.orch.core.NormalizedEvent e, EventType t) {
    return e.type() == t;
  }
}
