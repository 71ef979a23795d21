package dev.orch.cli.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.EventPage;
import dev.orch.core.NormalizedEvent;
import dev.orch.core.Orchestrator;
import dev.orch.core.RunSummary;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code orch events tail} (poll_events; {@code -f} follows until the run is terminal). */
@Command(name = "events", mixinStandardHelpOptions = true, description = "Read a run's events.",
    subcommands = EventsCommand.Tail.class)
final class EventsCommand implements Runnable {
  @ParentCommand
  OrchCommand parent;

  @Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: tail");
  }

  /** {@code orch events tail <run> [--after SEQ] [--limit N] [-f] [--output]}. */
  @Command(name = "tail", mixinStandardHelpOptions = true,
      description = {"Print a run's events after SEQ (one page), or with -f follow them until the run is terminal",
          "(with a live one-line status when stdout is a terminal)."})
  static final class Tail implements Callable<Integer> {
    @ParentCommand
    EventsCommand events;

    @Parameters(index = "0", paramLabel = "RUN", description = "Run id or agent name.")
    String run;

    @Option(names = "--cwd", paramLabel = "DIR", description = "Resolve the agent name in this directory.")
    String cwd;

    @Option(names = "--after", paramLabel = "SEQ", defaultValue = "0", description = "Events after this seq.")
    long after;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "100",
        description = "At most N events per page, 1..1000 (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = {"-f", "--follow"}, description = "Follow until the run is terminal.")
    boolean follow;

    @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "text", description = "text | json | jsonl.")
    Output output;

    @Override
    public Integer call() {
      Cli cli = events.parent.cli;
      try (Orchestrator orch = cli.open(false)) {
        RunSummary run0 = orch.getRun(Refs.of(run, cwd));
        if (!follow) {
          EventPage page = orch.poll(dev.orch.core.RunRef.of(run0.runId()), after, limit, Duration.ZERO);
          if (output == Output.json) {
            ObjectNode n = JsonNodeFactory.instance.objectNode();
            n.put("run_id", page.runId().value());
            n.put("status", page.status().wire());
            ArrayNode arr = n.putArray("events");
            page.events().forEach(e -> arr.add(e.toJson()));
            n.put("next_after_seq", page.nextAfterSeq());
            cli.out().println(Wire.pretty(n));
          } else {
            page.events().forEach(e -> print(cli, e));
          }
          return ExitCodes.OK;
        }
        StatusLine line = new StatusLine(cli.out(), output == Output.text && cli.terminal().stdoutTty(),
            cli.terminal().width());
        RunSummary end = new Follow(cli, orch, line, false).until(run0.runId(), after, e -> print(cli, e));
        if (output == Output.text) {
          cli.out().println(cli.terminal().dim("run " + end.runId() + " ended ")
              + cli.terminal().status(end.status().wire()));
        }
      }
      return ExitCodes.OK;
    }

    private void print(Cli cli, NormalizedEvent e) {
      if (output == Output.text) {
        cli.out().println(EventText.line(e, cli.terminal()));
      } else {
        cli.out().println(Wire.line(e.toJson()));
      }
    }
  }
}
