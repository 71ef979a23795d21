package dev.orch.cli.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.OrchException;
import dev.orch.core.Orchestrator;
import dev.orch.core.Role;
import dev.orch.core.RunId;
import dev.orch.core.RunStatus;
import dev.orch.core.RunSummary;
import dev.orch.core.SpawnResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code orch ask|run|review <prompt>}: starts a run and, unless {@code --detach}, follows it to its end in this
 * process (which owns the run: Ctrl+C cancels it). What the three verbs mean (docs/cli.md):
 * <ul>
 *   <li>{@code ask}: role {@code planner}, prompt prefixed with {@value Ask#PREFIX};</li>
 *   <li>{@code run}: role {@code worker}, prompt as given;</li>
 *   <li>{@code review}: role {@code reviewer}, prompt prefixed with {@value Review#PREFIX}.</li>
 * </ul>
 * Output: text = the final response on stdout (events as a live status line on a terminal); json = the run summary
 * with {@code result} and {@code error}; jsonl = every event as it happens. With {@code --detach}: the spawn_run
 * answer (text: the run id). Exit 0 when the run completed, 1 when it ended otherwise.
 */
abstract class SpawnCommand implements Callable<Integer> {
  @ParentCommand
  OrchCommand parent;

  @Parameters(arity = "0..*", paramLabel = "PROMPT",
      description = "The prompt (words are joined with spaces); '-' or none with piped stdin reads it from stdin.")
  List<String> words;

  @Option(names = "--backend", paramLabel = "ID", defaultValue = "${env:ORCH_CLI_BACKEND:-codex}",
      description = "Backend: codex, claude_code, remote_a2a (default ${DEFAULT-VALUE}; env ORCH_CLI_BACKEND).")
  String backend;

  @Option(names = "--cwd", paramLabel = "DIR", description = "Working directory of the run (default: here).")
  String cwd;

  @Option(names = "--name", paramLabel = "NAME", description = "Agent name (nickname) of the new session.")
  String name;

  @Option(names = "--resume", paramLabel = "SESSION_ID", description = "Continue this session instead of a new one.")
  String resume;

  @Option(names = "--profile", paramLabel = "PATH", description = "Profile (system prompt) file.")
  String profile;

  @Option(names = "--schema", paramLabel = "PATH", description = "JSON Schema file for structured output.")
  String schema;

  @Option(names = "--backend-config", paramLabel = "JSON",
      description = "backend_config object, inline or @file (remote_a2a needs {\"agent_url\": ...}).")
  String backendConfig;

  @Option(names = "--detach", description = "Return at once; a background process owns the run until it ends.")
  boolean detach;

  @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "text",
      description = "text | json | jsonl (default ${DEFAULT-VALUE}).")
  Output output;

  abstract Role role();

  abstract String prefix();

  @Override
  public Integer call() throws IOException {
    Cli cli = parent.cli;
    String prompt = prompt(cli);
    ObjectNode schemaJson = schema == null ? null : Requests.jsonObject("--schema", schema, true);
    ObjectNode config = backendConfig == null ? null
        : Requests.jsonObject("--backend-config", backendConfig, false);
    ObjectNode op = Requests.spawn(backend, role(), Cli.cwd(cwd), resume, name, prefix() + prompt, profile,
        schemaJson, config);
    if (detach) {
      ObjectNode answer = Detach.launch(cli, op);
      ObjectNode result = (ObjectNode) answer.get("result");
      if (output == Output.text) {
        cli.out().println(result.path("run_id").asText());
        cli.err().println("detached: " + result.path("agent_name").asText() + " runs in the background (pid "
            + answer.path("pid").asText() + ", log " + answer.path("log").asText() + ")");
        cli.err().println("follow it with: orch events tail -f " + result.path("run_id").asText());
      } else {
        cli.out().println(output.render(result));
      }
      return ExitCodes.OK;
    }
    try (Orchestrator orch = cli.open(true)) {
      SpawnResult started = orch.spawn(Requests.toSpawnRequest(op));
      if (output == Output.text && cli.terminal().stderrTty()) {
        cli.err().println(cli.terminal().dim("run " + started.runId() + " · " + started.agentName() + " · "
            + started.backend()));
      }
      return followOwned(cli, orch, started.runId(), output);
    }
  }

  /** Follows a run this process owns; Ctrl+C (or SIGTERM) cancels it on the way out. @return the exit code */
  static int followOwned(Cli cli, Orchestrator orch, RunId runId, Output output) {
    Thread hook = new Thread(() -> {
      cli.err().println();
      cli.err().println("orch: interrupted; cancelling run " + runId);
      orch.close();
    }, "orch-interrupt");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      return follow(cli, orch, runId, output);
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is already shutting down: the hook runs
      }
    }
  }

  /** Follows a run this process owns; prints per the output format. @return the exit code */
  static int follow(Cli cli, Orchestrator orch, RunId runId, Output output) {
    StatusLine line = new StatusLine(cli.err(), output == Output.text && cli.terminal().stderrTty(),
        cli.terminal().width());
    Follow follow = new Follow(cli, orch, line, output == Output.text);
    RunSummary end = follow.until(runId, 0, e -> {
      if (output == Output.jsonl) {
        cli.out().println(Wire.line(e.toJson()));
      }
    });
    Outcome outcome = Outcome.of(orch, end);
    if (output == Output.json) {
      cli.out().println(Wire.pretty(outcome.toJson()));
    } else if (output == Output.text) {
      if (outcome.finalResponse() != null) {
        cli.out().println(outcome.finalResponse());
      }
      if (end.status() != RunStatus.COMPLETED) {
        cli.err().println("orch: run " + end.runId() + " ended " + cli.terminal().status(end.status().wire())
            + (outcome.error() == null ? "" : ": " + outcome.error()));
      }
    }
    return end.status() == RunStatus.COMPLETED ? ExitCodes.OK : ExitCodes.RUN_NOT_COMPLETED;
  }

  private String prompt(Cli cli) throws IOException {
    boolean fromStdin = words == null || words.isEmpty() || words.size() == 1 && words.get(0).equals("-");
    String text;
    if (fromStdin) {
      if (cli.terminal().stdinTty() && (words == null || words.isEmpty())) {
        throw OrchException.invalid("Missing PROMPT (give it as arguments, or pipe it on stdin)");
      }
      text = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
    } else {
      text = String.join(" ", words);
    }
    if (text.isBlank()) {
      throw OrchException.invalid("The prompt is empty");
    }
    return text;
  }

  /** {@code orch ask}: a question; role planner. */
  @Command(name = "ask", mixinStandardHelpOptions = true,
      description = "Ask a question (role planner; the agent is told not to change files).")
  static final class Ask extends SpawnCommand {
    static final String PREFIX = "Answer the following question. Do not change any files.\n\n";

    @Override
    Role role() {
      return Role.PLANNER;
    }

    @Override
    String prefix() {
      return PREFIX;
    }
  }

  /** {@code orch run}: a task; role worker. */
  @Command(name = "run", mixinStandardHelpOptions = true, description = "Run a task (role worker).")
  static final class Run extends SpawnCommand {
    @Override
    Role role() {
      return Role.WORKER;
    }

    @Override
    String prefix() {
      return "";
    }
  }

  /** {@code orch review}: a review; role reviewer. */
  @Command(name = "review", mixinStandardHelpOptions = true,
      description = "Ask for a review (role reviewer; the agent is told to report, not to change files).")
  static final class Review extends SpawnCommand {
    static final String PREFIX = "Review the following. Report your findings; do not change any files.\n\n";

    @Override
    Role role() {
      return Role.REVIEWER;
    }

    @Override
    String prefix() {
      return PREFIX;
    }
  }
}
