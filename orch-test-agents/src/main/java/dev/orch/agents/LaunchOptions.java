package dev.orch.agents;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;

/**
 * The command line of {@code start-a2a-agent} (docs/test-agents.md "Launcher"):
 * {@code [--backend codex|claude_code|scripted] [--host H] [--port N] [--cwd DIR] [--backend-config JSON]
 * [--script FILE] [--help]}. Without {@code --backend} the launcher asks on stdin (and for the directory too when
 * {@code --cwd} is not given).
 *
 * @param flavour the flavour, or null to ask interactively
 * @param host address to bind (default 127.0.0.1)
 * @param port port, 0 = any
 * @param backendConfig per-run {@code backend_config} of the wrapped backend, or null
 * @param scriptFile script of the scripted flavour, or null for the built-in one
 * @param cwd the agent's default working directory (absolute, an existing directory; for messages that name no
 *     {@code metadata.nanobot_orchestrator.cwd}), or null when {@code --cwd} was not given (then: the directory the
 *     launcher was started in)
 * @param help true when {@code --help} was given
 */
public record LaunchOptions(Flavour flavour, String host, int port, ObjectNode backendConfig, Path scriptFile,
    Path cwd, boolean help) {

  /** The usage text. */
  public static final String USAGE = String.join("\n",
      "Usage: start-a2a-agent [--backend codex|claude_code|scripted] [--host 127.0.0.1] [--port 0]",
      "                       [--cwd <dir>] [--backend-config '<json object>'] [--script <file>]",
      "Starts an A2A JSON-RPC test agent (SPEC §9). Without --backend it asks which backend to wrap.",
      "--cwd is where a conversation works when its first message names no metadata.nanobot_orchestrator.cwd",
      "(any generic A2A client); default: the directory the agent was started in.",
      "The wrapped backend reads its settings from ORCH_CODEX_* / ORCH_CLAUDE_* (see docs/backend-*.md);",
      "--backend-config adds per-run settings. --script selects the scripted agent's script file.",
      "Stop it with Ctrl+C (or SIGTERM).");

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Parses the arguments.
   *
   * @param args the command line
   * @return the options
   * @throws IllegalArgumentException naming the bad argument
   */
  public static LaunchOptions parse(List<String> args) {
    Flavour flavour = null;
    String host = "127.0.0.1";
    int port = 0;
    ObjectNode backendConfig = null;
    Path script = null;
    Path cwd = null;
    boolean help = false;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      int eq = arg.startsWith("--") ? arg.indexOf('=') : -1;
      final String name = eq > 0 ? arg.substring(0, eq) : arg;
      String value = eq > 0 ? arg.substring(eq + 1) : null;
      switch (name) {
        case "-h", "--help" -> help = true;
        case "--backend", "--flavour" -> {
          String v = value != null ? value : next(args, ++i, name);
          flavour = Flavour.parse(v).orElseThrow(() -> new IllegalArgumentException(
              name + ": expected codex, claude_code or scripted, got '" + v + "'"));
        }
        case "--host" -> host = value != null ? value : next(args, ++i, name);
        case "--port" -> port = port(value != null ? value : next(args, ++i, name));
        case "--backend-config" -> backendConfig = object(value != null ? value : next(args, ++i, name));
        case "--script" -> script = Path.of(value != null ? value : next(args, ++i, name)).toAbsolutePath();
        case "--cwd" -> {
          String v = value != null ? value : next(args, ++i, name);
          try {
            cwd = directory(v);
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--cwd: " + e.getMessage(), e);
          }
        }
        default -> throw new IllegalArgumentException("unknown argument: " + arg);
      }
    }
    return new LaunchOptions(flavour, host, port, backendConfig, script, cwd, help);
  }

  /** @return a copy with the flavour set */
  public LaunchOptions withFlavour(Flavour f) {
    return new LaunchOptions(f, host, port, backendConfig, scriptFile, cwd, help);
  }

  /** @return a copy with the default working directory set (see {@link #directory}) */
  public LaunchOptions withCwd(Path dir) {
    return new LaunchOptions(flavour, host, port, backendConfig, scriptFile, dir, help);
  }

  /**
   * Resolves a directory argument the way a shell user means it: relative to the directory the launcher was started
   * in ({@code user.dir}), normalized, and checked to exist as a directory.
   *
   * @param text the path as typed
   * @return the absolute, normalized directory
   * @throws IllegalArgumentException when the text is blank or not a valid path, or names nothing or a non-directory
   *     (the message names the resolved path)
   */
  public static Path directory(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("expected a directory");
    }
    Path dir;
    try {
      dir = Path.of(System.getProperty("user.dir")).resolve(text.strip()).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("not a valid path: " + text, e);
    }
    if (!Files.exists(dir)) {
      throw new IllegalArgumentException("no such directory: " + dir);
    }
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("not a directory: " + dir);
    }
    return dir;
  }

  private static String next(List<String> args, int i, String name) {
    if (i >= args.size()) {
      throw new IllegalArgumentException(name + " needs a value");
    }
    return args.get(i);
  }

  private static int port(String text) {
    try {
      int p = Integer.parseInt(text.trim());
      if (p < 0 || p > 65535) {
        throw new IllegalArgumentException("--port: expected 0..65535, got " + text);
      }
      return p;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--port: expected a number, got '" + text + "'", e);
    }
  }

  private static ObjectNode object(String text) {
    try {
      JsonNode n = JSON.readTree(text);
      if (n == null || !n.isObject()) {
        throw new IllegalArgumentException("--backend-config: expected a JSON object");
      }
      return (ObjectNode) n;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("--backend-config: not valid JSON: " + e.getOriginalMessage(), e);
    }
  }
}
