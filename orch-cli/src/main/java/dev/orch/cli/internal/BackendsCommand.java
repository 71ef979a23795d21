package dev.orch.cli.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.Orchestrator;
import dev.orch.core.spi.BackendDescriptor;
import dev.orch.core.spi.Capability;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code orch backends [--probe]}: the backends registered in {@code Orchestrator.backends()} with their
 * descriptors; {@code --probe} checks that a local backend's CLI answers {@code --version} within 5 s (the
 * executable is {@code ORCH_<NAME>_EXECUTABLE} when set, else the CLI's name on PATH). A richer availability
 * report is SPEC §12.1 {@code list_backends}.
 */
@Command(name = "backends", mixinStandardHelpOptions = true, description = "List the registered backends.")
final class BackendsCommand implements Callable<Integer> {
  /** The local CLIs of the built-in backends: environment key of the executable, default command. */
  private static final Map<String, String[]> CLIS = Map.of(
      "codex", new String[] {"ORCH_CODEX_EXECUTABLE", "codex"},
      "claude_code", new String[] {"ORCH_CLAUDE_EXECUTABLE", "claude"});

  @ParentCommand
  OrchCommand parent;

  @Option(names = "--probe", description = "Check that each local backend's CLI answers --version.")
  boolean probe;

  @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "text", description = "text | json | jsonl.")
  Output output;

  @Override
  public Integer call() {
    Cli cli = parent.cli;
    try (Orchestrator orch = cli.open(false)) {
      ArrayNode arr = JsonNodeFactory.instance.arrayNode();
      Table table = probe ? new Table("BACKEND", "VERSION", "CAPABILITIES", "PROBE")
          : new Table("BACKEND", "VERSION", "CAPABILITIES", "ARTIFACT");
      for (BackendDescriptor d : orch.backends()) {
        ObjectNode n = arr.addObject();
        n.put("backend", d.id());
        n.put("version", d.version());
        ArrayNode caps = n.putArray("capabilities");
        List<String> capNames = d.capabilities().stream().map(Capability::name).sorted().collect(Collectors.toList());
        capNames.forEach(caps::add);
        n.put("artifact", d.artifact());
        n.put("description", d.description());
        String probeText = null;
        if (probe) {
          ObjectNode p = probe(cli.env(), d.id());
          n.set("probe", p);
          probeText = p.path("state").asText() + (p.hasNonNull("version") ? " " + p.path("version").asText()
              : p.hasNonNull("detail") ? " (" + p.path("detail").asText() + ")" : "");
        }
        table.row(d.id(), d.version(), String.join(",", capNames), probe ? probeText : d.artifact());
      }
      ObjectNode root = JsonNodeFactory.instance.objectNode();
      root.set("backends", arr);
      ArrayNode diag = root.putArray("diagnostics");
      orch.diagnostics().forEach(diag::add);
      switch (output) {
        case json -> cli.out().println(Wire.pretty(root));
        case jsonl -> arr.forEach(n -> cli.out().println(Wire.line(n)));
        default -> {
          cli.out().print(table.render(cli.terminal()));
          orch.diagnostics().forEach(m -> cli.err().println("orch: " + m));
        }
      }
    }
    return ExitCodes.OK;
  }

  /**
   * @return {@code {state: "available"|"unavailable"|"not_probed", executable, version, detail}}
   */
  static ObjectNode probe(Map<String, String> env, String backend) {
    ObjectNode p = JsonNodeFactory.instance.objectNode();
    String[] cli = CLIS.get(backend);
    if (cli == null) {
      p.put("state", "not_probed");
      p.putNull("executable");
      p.putNull("version");
      p.put("detail", "no local CLI");
      return p;
    }
    String configured = env.get(cli[0]);
    String exe = configured == null || configured.isBlank() ? which(env, cli[1]) : configured.trim();
    p.put("executable", exe);
    if (exe == null) {
      p.put("state", "unavailable");
      p.putNull("version");
      p.put("detail", cli[1] + " not found on PATH (set " + cli[0] + ")");
      return p;
    }
    try {
      Process proc = new ProcessBuilder(exe, "--version").redirectError(ProcessBuilder.Redirect.DISCARD)
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
      boolean done = proc.waitFor(5, TimeUnit.SECONDS);
      if (!done) {
        proc.destroyForcibly();
        p.put("state", "unavailable");
        p.putNull("version");
        p.put("detail", "no answer to --version within 5 s");
        return p;
      }
      String text = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      // the version line (codex may print warnings first)
      String first = text.lines().filter(l -> l.matches(".*\\d+\\.\\d+.*")).findFirst()
          .orElse(text.lines().findFirst().orElse(""));
      if (proc.exitValue() == 0) {
        p.put("state", "available");
        p.put("version", first);
        p.putNull("detail");
      } else {
        p.put("state", "unavailable");
        p.putNull("version");
        p.put("detail", "--version exited " + proc.exitValue() + (first.isEmpty() ? "" : ": " + first));
      }
    } catch (IOException e) {
      p.put("state", "unavailable");
      p.putNull("version");
      p.put("detail", "cannot run " + exe + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.put("state", "unavailable");
      p.putNull("version");
      p.put("detail", "interrupted");
    }
    return p;
  }

  private static String which(Map<String, String> env, String name) {
    for (String dir : env.getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p) && !Files.isDirectory(p)) {
        return p.toString();
      }
    }
    return null;
  }
}
