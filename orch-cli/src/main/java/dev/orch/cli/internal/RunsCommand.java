package dev.orch.cli.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.AgentMessage;
import dev.orch.core.CancelResult;
import dev.orch.core.ContinueResult;
import dev.orch.core.OrchException;
import dev.orch.core.Orchestrator;
import dev.orch.core.RunStatus;
import dev.orch.core.RunSummary;
import dev.orch.core.Timestamps;
import dev.orch.core.WireJson;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code orch runs list|show|continue|cancel} (docs/cli.md). */
@Command(name = "runs", mixinStandardHelpOptions = true, description = "List, show, continue and cancel runs.",
    subcommands = {RunsCommand.ListRuns.class, RunsCommand.Show.class, RunsCommand.Continue.class,
        RunsCommand.Cancel.class})
final class RunsCommand implements Runnable {
  @ParentCommand
  OrchCommand parent;

  @Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: list, show, continue or cancel");
  }

  /** {@code orch runs list}: newest first across all known cwds (list_runs). */
  @Command(name = "list", mixinStandardHelpOptions = true, description = "List runs, newest first.")
  static final class ListRuns implements Callable<Integer> {
    @ParentCommand
    RunsCommand runs;

    @Option(names = "--cwd", paramLabel = "DIR", description = "Only runs of this working directory.")
    String cwd;

    @Option(names = "--status", paramLabel = "STATUS", description = "Only runs with this status.")
    String status;

    @Option(names = "--backend", paramLabel = "ID", description = "Only runs of this backend.")
    String backend;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "50",
        description = "At most N runs (default ${DEFAULT-VALUE}; 0 = all).")
    int limit;

    @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "text", description = "text | json | jsonl.")
    Output output;

    @Override
    public Integer call() {
      Cli cli = runs.parent.cli;
      RunStatus st = status == null ? null : RunStatus.fromWire(status)
          .orElseThrow(() -> OrchException.invalid("--status: unknown status " + status));
      try (Orchestrator orch = cli.open(false)) {
        List<RunSummary> list = orch.listRuns(st, backend, cwd == null ? null : Cli.cwd(cwd).toString());
        if (limit > 0 && list.size() > limit) {
          list = list.subList(0, limit);
        }
        switch (output) {
          case json -> {
            ObjectNode n = JsonNodeFactory.instance.objectNode();
            ArrayNode arr = n.putArray("runs");
            list.forEach(r -> arr.add(r.toJson()));
            cli.out().println(Wire.pretty(n));
          }
          case jsonl -> list.forEach(r -> cli.out().println(Wire.line(r.toJson())));
          default -> {
            Terminal t = cli.terminal();
            Table table = new Table("RUN ID", "STATUS", "BACKEND", "AGENT", "ROLE", "AGE", "SUMMARY");
            for (RunSummary r : list) {
              table.row(r.runId().value(), t.status(r.status().wire()), r.backend(), r.agentName(),
                  r.role() == null ? "" : r.role().wire(), Follow.age(r.startedAt()), r.summary());
            }
            if (table.isEmpty()) {
              cli.err().println("no runs");
            } else {
              cli.out().print(table.render(t));
            }
          }
        }
      }
      return ExitCodes.OK;
    }
  }

  /** {@code orch runs show}: one run with its outcome (get_run + result). */
  @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one run and how it ended.")
  static final class Show implements Callable<Integer> {
    @ParentCommand
    RunsCommand runs;

    @Parameters(index = "0", paramLabel = "RUN", description = "Run id or agent name.")
    String run;

    @Option(names = "--cwd", paramLabel = "DIR", description = "Resolve the agent name in this directory.")
    String cwd;

    @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "text", description = "text | json | jsonl.")
    Output output;

    @Override
    public Integer call() {
      Cli cli = runs.parent.cli;
      try (Orchestrator orch = cli.open(false)) {
        Outcome o = Outcome.of(orch, orch.getRun(Refs.of(run, cwd)));
        if (output != Output.text) {
          cli.out().println(output.render(o.toJson()));
          return ExitCodes.OK;
        }
        Terminal t = cli.terminal();
        RunSummary r = o.run();
        Table table = new Table("FIELD", "VALUE");
        table.row("run_id", r.runId().value()).row("status", t.status(r.status().wire()))
            .row("backend", r.backend()).row("role", r.role() == null ? "" : r.role().wire())
            .row("agent", r.agentName()).row("session_id", r.sessionId() == null ? "" : r.sessionId().value())
            .row("cwd", r.cwd() == null ? "" : r.cwd().toString())
            .row("started", r.startedAt() == null ? "" : Timestamps.format(r.startedAt()) + " ("
                + Follow.age(r.startedAt()) + " ago)")
            .row("updated", r.updatedAt() == null ? "" : Timestamps.format(r.updatedAt()))
            .row("events", Long.toString(r.lastSeq())).row("summary", r.summary());
        if (o.error() != null) {
          table.row("error", o.error());
        }
        JsonNode usage = o.usage();
        if (usage != null) {
          table.row("usage", Wire.line(usage));
        }
        cli.out().print(table.render(t));
        if (o.finalResponse() != null) {
          cli.out().println();
          cli.out().println(t.bold("final response:"));
          cli.out().println(o.finalResponse());
        }
      }
      return ExitCodes.OK;
    }
  }

  /** {@code orch runs continue}: answer a waiting run, or resume a finished one (continue_run). */
  @Command(name = "continue", mixinStandardHelpOptions = true,
      description = {"Send input to a run waiting for it (it may belong to another Orch process, e.g. the MCP",
          "server), or resume a completed/failed run's session with a new run that this command follows."})
  static final class Continue implements Callable<Integer> {
    @ParentCommand
    RunsCommand runs;

    @Parameters(index = "0", paramLabel = "RUN", description = "Run id or agent name.")
    String run;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "MESSAGE", description = "The input (words joined).")
    List<String> message;

    @Option(names = "--cwd", paramLabel = "DIR", description = "Resolve the agent name in this directory.")
    String cwd;

    @Option(names = "--detach", description = "For a resume: a background process owns the new run.")
    boolean detach;

    @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "text", description = "text | json | jsonl.")
    Output output;

    @Override
    public Integer call() {
      Cli cli = runs.parent.cli;
      AgentMessage msg = AgentMessage.userText(String.join(" ", message));
      if (detach) {
        ObjectNode answer = Detach.launch(cli, Requests.continueOp(run, cwd, msg));
        print(cli, (ObjectNode) answer.get("result"));
        return ExitCodes.OK;
      }
      try (Orchestrator orch = cli.open(true)) {
        ContinueResult r = orch.continueRun(Refs.of(run, cwd), msg);
        print(cli, WireJson.continued(r));
        if ("resume".equals(r.mode())) {
          return SpawnCommand.followOwned(cli, orch, r.runId(), output == Output.jsonl ? Output.jsonl
              : output == Output.json ? Output.json : Output.text);
        }
      }
      return ExitCodes.OK;
    }

    private void print(Cli cli, ObjectNode result) {
      if (output == Output.text) {
        String mode = result.path("mode").asText();
        cli.err().println("live".equals(mode) ? "input delivered to run " + result.path("run_id").asText()
            + " (now " + result.path("status").asText() + ")"
            : "resumed as run " + result.path("run_id").asText() + " (from " + result.path("resumed_from_run_id")
                .asText() + ")");
      } else if (!"resume".equals(result.path("mode").asText()) || detach) {
        cli.out().println(output.render(result));
      }
    }
  }

  /** {@code orch runs cancel} (cancel_run; reaches the owning process through the control channel). */
  @Command(name = "cancel", mixinStandardHelpOptions = true,
      description = "Cancel a run (it may belong to another Orch process, e.g. the MCP server).")
  static final class Cancel implements Callable<Integer> {
    @ParentCommand
    RunsCommand runs;

    @Parameters(index = "0", paramLabel = "RUN", description = "Run id or agent name.")
    String run;

    @Option(names = "--cwd", paramLabel = "DIR", description = "Resolve the agent name in this directory.")
    String cwd;

    @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "text", description = "text | json | jsonl.")
    Output output;

    @Override
    public Integer call() {
      Cli cli = runs.parent.cli;
      try (Orchestrator orch = cli.open(false)) {
        CancelResult r = orch.cancel(Refs.of(run, cwd));
        ObjectNode json = WireJson.cancel(r);
        if (output == Output.text) {
          cli.out().println("cancelled " + r.runId() + " at " + json.path("cancelled_at").asText());
        } else {
          cli.out().println(output.render(json));
        }
      }
      return ExitCodes.OK;
    }
  }
}
