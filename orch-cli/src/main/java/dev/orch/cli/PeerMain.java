package dev.orch.cli;

import dev.orch.cli.internal.Cli;
import dev.orch.cli.internal.PeerCommand;

/**
 * Entry point of {@code peer} ({@code bin/peer}, and the {@code peer} every local agent run finds first on its
 * PATH): how a running agent talks to the other agents of its cwd (docs/cli.md "peer"). Identity from
 * {@code PEER_NAME}, {@code PEER_SESSION_ID}, {@code PEER_CWD} (set by the engine for every agent run).
 */
public final class PeerMain {
  private PeerMain() {
  }

  /** @param args command line */
  public static void main(String[] args) {
    Cli.configureLogging(System.getenv());
    int code = PeerCommand.commandLine(Cli.ofProcess()).execute(args);
    System.exit(code);
  }
}
