package dev.orch.cli;

import dev.orch.cli.internal.Cli;
import dev.orch.cli.internal.OrchCommand;

/**
 * Entry point of {@code orch} ({@code bin/orch}, {@code java -jar orch-cli/target/orch.jar}): the human command
 * line over the Orch store (docs/cli.md). Prints results on stdout, messages on stderr, and exits with the codes of
 * docs/cli.md "Exit codes".
 */
public final class OrchMain {
  private OrchMain() {
  }

  /** @param args command line */
  public static void main(String[] args) {
    Cli.configureLogging(System.getenv());
    int code = OrchCommand.commandLine(Cli.ofProcess()).execute(args);
    System.exit(code);
  }
}
