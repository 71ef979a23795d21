package dev.orch.cli.internal;

import dev.orch.core.AgentMessage;
import dev.orch.core.EventPage;
import dev.orch.core.NormalizedEvent;
import dev.orch.core.OrchException;
import dev.orch.core.Orchestrator;
import dev.orch.core.RunId;
import dev.orch.core.RunRef;
import dev.orch.core.RunStatus;
import dev.orch.core.RunSummary;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * Follows a run until it is terminal and nothing new is left (the SPEC §2 poll_events client rule), handing each
 * event to a consumer and keeping a live status line up to date. Long polls of at most 1 s, so the status line's
 * clock moves. Optionally asks on the terminal when the run waits for input (foreground {@code ask/run/review}).
 */
public final class Follow {
  private final Orchestrator orch;
  private final StatusLine status;
  private final Cli cli;
  private final boolean askOnTerminal;
  private BufferedReader stdin;

  /**
   * @param status where the live status goes (may be disabled)
   * @param askOnTerminal when stdin and stderr are terminals: print an input_required question and send the typed
   *     answer with continue_run
   */
  public Follow(Cli cli, Orchestrator orch, StatusLine status, boolean askOnTerminal) {
    this.cli = cli;
    this.orch = orch;
    this.status = status;
    this.askOnTerminal = askOnTerminal && cli.terminal().stdinTty() && cli.terminal().stderrTty();
  }

  /**
   * @param runId the run
   * @param afterSeq start after this seq
   * @param onEvent called for each event, oldest first (the status line is cleared before)
   * @return the run's summary once terminal
   */
  public RunSummary until(RunId runId, long afterSeq, Consumer<NormalizedEvent> onEvent) {
    RunRef ref = RunRef.of(runId);
    long after = afterSeq;
    long askedAt = -1;
    String lastText = "";
    while (true) {
      EventPage page = orch.poll(ref, after, 500, Duration.ofSeconds(1));
      for (NormalizedEvent e : page.events()) {
        status.clear();
        onEvent.accept(e);
        String d = EventText.describe(e.type().wire(), e.data());
        lastText = d.isEmpty() ? e.type().wire() : e.type().wire() + ": " + d;
      }
      after = page.nextAfterSeq();
      RunSummary run = orch.getRun(ref);
      if (page.status().isTerminal() && page.events().isEmpty()) {
        status.clear();
        return run;
      }
      status.show(run.status().wire() + " · " + (run.agentName() == null ? "" : run.agentName() + " · ")
          + age(run.startedAt()) + " · " + lastText);
      if (run.status() == RunStatus.INPUT_REQUIRED && askOnTerminal && run.lastSeq() > askedAt) {
        askedAt = run.lastSeq();
        ask(ref, lastText);
      }
    }
  }

  private void ask(RunRef ref, String question) {
    status.clear();
    cli.err().println(cli.terminal().bold("The run waits for input: ") + question);
    cli.err().print("answer> ");
    cli.err().flush();
    try {
      if (stdin == null) {
        stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      }
      String line = stdin.readLine();
      if (line == null || line.isBlank()) {
        cli.err().println("(no answer sent; the run keeps waiting — answer with: orch runs continue "
            + ref.runId() + " <text>)");
        return;
      }
      orch.continueRun(ref, AgentMessage.userText(line));
    } catch (IOException e) {
      cli.err().println("cannot read the answer: " + e.getMessage());
    } catch (OrchException e) {
      cli.err().println("the answer was not delivered: " + e.getMessage());
    }
  }

  /** @return {@code 12s}, {@code 5m}, {@code 3h}, {@code 2d} since the instant ("" for null) */
  public static String age(Instant since) {
    if (since == null) {
      return "";
    }
    long s = Math.max(0, Duration.between(since, Instant.now()).getSeconds());
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return s / 60 + "m";
    }
    if (s < 86400) {
      return s / 3600 + "h";
    }
    return s / 86400 + "d";
  }
}
