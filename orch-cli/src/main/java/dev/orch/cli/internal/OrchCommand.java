package dev.orch.cli.internal;

import dev.orch.core.OrchException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code orch}: the human command line over the Orch store (docs/cli.md). Subcommands mirror the TS server's
 * {@code orchestrator} CLI ({@code ask|run|review}, {@code runs list|show|continue|cancel}, {@code events tail},
 * {@code artifacts get}) plus {@code backends}, {@code usage}, {@code dashboard} and {@code completion}.
 */
@Command(name = "orch", mixinStandardHelpOptions = true, versionProvider = OrchCommand.Version.class,
    description = "Start, follow and control coding-agent runs (Codex CLI, Claude Code, remote A2A agents).",
    subcommands = {SpawnCommand.Ask.class, SpawnCommand.Run.class, SpawnCommand.Review.class, RunsCommand.class,
        EventsCommand.class, ArtifactsCommand.class, BackendsCommand.class, UsageCommand.class,
        DashboardCommand.class, CompletionCommand.class, CommandLine.HelpCommand.class},
    footerHeading = "%nExit codes:%n",
    footer = {"  0  ok (ask/run/review: the run completed)", "  1  the followed run ended failed, cancelled or rejected",
        "  2  usage error or invalid argument", "  3  not found (run, agent, artifact)",
        "  4  conflict (run already terminal, not awaiting input, owner not answering)",
        "  5  backend unknown, lacking a capability or unable to start", "  6  store or internal error",
        "  130 interrupted (Ctrl+C; a foreground run is cancelled)"})
public final class OrchCommand implements Runnable {
  final Cli cli;

  @Spec
  CommandSpec spec;

  /** @param cli the shared context */
  public OrchCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: try 'orch --help'");
  }

  /**
   * @param cli the shared context
   * @return a configured picocli command line for {@code orch}: output to cli.out/err, case-insensitive enums,
   *     Orch errors mapped to {@link ExitCodes} with a one-line message (no stack trace)
   */
  public static CommandLine commandLine(Cli cli) {
    CommandLine cl = new CommandLine(new OrchCommand(cli));
    return configure(cl, cli, "orch");
  }

  /** Shared picocli setup of orch and peer. @return the command line */
  static CommandLine configure(CommandLine cl, Cli cli, String name) {
    cl.setOut(new PrintWriter(cli.out(), true));
    cl.setErr(new PrintWriter(cli.err(), true));
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setColorScheme(CommandLine.Help.defaultColorScheme(cli.terminal().color() && cli.terminal().stderrTty()
        ? CommandLine.Help.Ansi.ON : CommandLine.Help.Ansi.OFF));
    cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      if (ex instanceof OrchException oe) {
        cli.err().println(name + ": " + oe.getMessage());
        return ExitCodes.of(oe.code());
      }
      cli.err().println(name + ": internal error: " + (ex.getMessage() != null ? ex.getMessage()
          : ex.getClass().getSimpleName()));
      return ExitCodes.STORE;
    });
    return cl;
  }

  /** Version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = OrchCommand.class.getPackage().getImplementationVersion();
      return new String[] {"orch " + (v == null ? "(development build)" : v)};
    }
  }
}
