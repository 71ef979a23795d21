package dev.orch.cli.internal;

import dev.orch.cli.internal.dashboard.DashboardServer;
import dev.orch.core.Orchestrator;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code orch dashboard [--host 127.0.0.1] [--port 0]}: serves the live web dashboard (docs/dashboard.md) until
 * Ctrl+C, and prints its URL with the random access token on stdout (first line).
 */
@Command(name = "dashboard", mixinStandardHelpOptions = true,
    description = {"Serve the live web dashboard; prints its URL with a random access token.",
        "Binds to 127.0.0.1 unless --host says otherwise. Stop with Ctrl+C."})
final class DashboardCommand implements Callable<Integer> {
  @ParentCommand
  OrchCommand parent;

  @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
      description = "Interface to bind (default ${DEFAULT-VALUE}; anything else exposes it to that network).")
  String host;

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "0", description = "TCP port (default 0 = any free).")
  int port;

  @Override
  public Integer call() throws IOException, InterruptedException {
    Cli cli = parent.cli;
    // not reconciling at start: a viewer never fails runs on its own; runs it looks up are reconciled as usual
    try (Orchestrator orch = cli.open(false); DashboardServer server = new DashboardServer(orch, host, port)) {
      cli.out().println(server.url());
      cli.out().flush();
      if (!host.equals("127.0.0.1") && !host.equals("localhost") && !host.equals("::1")) {
        cli.err().println("orch: the dashboard listens on " + host + ": anyone with the URL (token) can control runs");
      }
      cli.err().println("dashboard running; Ctrl+C stops it");
      server.join();
    }
    return ExitCodes.OK;
  }
}
