package dev.orch.cli.internal;

import dev.orch.core.ArtifactSlice;
import dev.orch.core.Orchestrator;
import dev.orch.core.WireJson;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code orch artifacts get} (get_event_artifact: a byte range of a field extracted from an event). */
@Command(name = "artifacts", mixinStandardHelpOptions = true, description = "Read large event fields.",
    subcommands = ArtifactsCommand.Get.class)
final class ArtifactsCommand implements Runnable {
  @ParentCommand
  OrchCommand parent;

  @Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: get");
  }

  /** {@code orch artifacts get <run> <seq> <field-path> [--offset N] [--limit N]}. */
  @Command(name = "get", mixinStandardHelpOptions = true,
      description = {"Print bytes [offset, offset+limit) of an event field that was moved to an artifact",
          "(text: the content itself, a hint on stderr when more remains; json: the get_event_artifact object)."})
  static final class Get implements Callable<Integer> {
    @ParentCommand
    ArtifactsCommand artifacts;

    @Parameters(index = "0", paramLabel = "RUN", description = "Run id or agent name.")
    String run;

    @Parameters(index = "1", paramLabel = "SEQ", description = "Event seq.")
    long seq;

    @Parameters(index = "2", paramLabel = "FIELD_PATH", description = "JSON Pointer of the field, e.g. /output.")
    String fieldPath;

    @Option(names = "--cwd", paramLabel = "DIR", description = "Resolve the agent name in this directory.")
    String cwd;

    @Option(names = "--offset", paramLabel = "N", defaultValue = "0", description = "First byte (default 0).")
    long offset;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "65536",
        description = "Bytes, 1..262144 (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "text", description = "text | json | jsonl.")
    Output output;

    @Override
    public Integer call() {
      Cli cli = artifacts.parent.cli;
      try (Orchestrator orch = cli.open(false)) {
        ArtifactSlice s = orch.readArtifact(Refs.of(run, cwd), seq, fieldPath, offset, limit);
        if (output != Output.text) {
          cli.out().println(output.render(WireJson.artifact(s)));
          return ExitCodes.OK;
        }
        cli.out().print(s.content());
        cli.out().flush();
        if (s.hasMore()) {
          cli.err().println();
          cli.err().println("orch: " + (s.totalBytes() - s.offset() - s.returnedBytes()) + " more byte(s): --offset "
              + (s.offset() + s.returnedBytes()));
        }
      }
      return ExitCodes.OK;
    }
  }
}
