package dev.orch.agents;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * {@code start-a2a-agent} (SPEC §9, issue part 3): starts a {@link TestAgentServer}, prints its base URL, JSON-RPC
 * URL, agent card URL and a ready {@code spawn_run} payload (backend {@code remote_a2a} with
 * {@code backend_config.agent_url}) on stdout, and serves until Ctrl+C / SIGTERM (a shutdown hook closes the
 * server, cancelling live runs). Without {@code --backend} it asks on stdin: {@code 1}/{@code codex} or
 * {@code 2}/{@code claude_code} ({@code 3}/{@code scripted} too), asking again after anything else, then — unless
 * {@code --cwd} was given — for the default working directory (Enter or end of input keeps the directory it was
 * started in). Logs go to stderr. Exit codes: 0 after {@code --help}, 2 for bad arguments or no answer, 1 when the server cannot start.
 */
public final class StartA2aAgent {
  /** Printed before the base URL. */
  public static final String BASE_URL_LABEL = "Base URL:       ";
  /** Printed before the JSON-RPC URL. */
  public static final String JSON_RPC_LABEL = "JSON-RPC URL:   ";
  /** Printed before the agent card URL. */
  public static final String CARD_URL_LABEL = "Agent card URL: ";
  /** Printed before the default working directory. */
  public static final String CWD_LABEL = "Default cwd:    ";
  /** The interactive question for the default working directory (followed by the proposed one in brackets). */
  public static final String CWD_QUESTION = "Working directory for messages that name none";
  /** The interactive question. */
  public static final String QUESTION = "Which backend should the test agent wrap? [1] codex  [2] claude_code  "
      + "[3] scripted: ";

  private StartA2aAgent() {
  }

  /**
   * Runs the launcher until the JVM is asked to stop.
   *
   * @param args see {@link LaunchOptions#USAGE}
   */
  public static void main(String[] args) {
    System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
    System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
    System.setProperty("org.slf4j.simpleLogger.log.io.a2a", "warn");
    // the hook is in place before the URLs are printed: a client may signal as soon as it sees them
    AtomicReference<TestAgentServer> running = new AtomicReference<>();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      TestAgentServer s = running.get();
      if (s != null) {
        System.err.println("start-a2a-agent: stopping " + s.card().name());
        s.close();
      }
      stopped.countDown();
    }, "start-a2a-agent-shutdown"));
    try {
      TestAgentServer server = launch(args, new InputStreamReader(System.in, StandardCharsets.UTF_8), System.out,
          System.getenv(), running::set);
      if (server == null) {
        return;
      }
    } catch (IllegalArgumentException e) {
      System.err.println("start-a2a-agent: " + e.getMessage());
      System.err.println(LaunchOptions.USAGE);
      System.exit(2);
      return;
    } catch (RuntimeException e) {
      System.err.println("start-a2a-agent: cannot start: " + e.getMessage());
      System.exit(1);
      return;
    }
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Like {@link #launch(String[], Reader, PrintStream, Map, Consumer)} without a start callback.
   *
   * @return the started server (the caller closes it), or null after {@code --help}
   */
  public static TestAgentServer launch(String[] args, Reader stdin, PrintStream out, Map<String, String> env) {
    return launch(args, stdin, out, env, s -> { });
  }

  /**
   * Parses the arguments, asks for the flavour when none was given, starts the server and prints its URLs and a
   * spawn_run payload.
   *
   * @param args the command line
   * @param stdin where interactive answers come from
   * @param out where URLs, the payload and questions go
   * @param env environment of the Orchestrator of a backend flavour
   * @param started called with the server once it listens, before anything is printed
   * @return the started server (the caller closes it), or null after {@code --help}
   * @throws IllegalArgumentException for bad arguments, or when stdin ends before a valid answer
   */
  public static TestAgentServer launch(String[] args, Reader stdin, PrintStream out, Map<String, String> env,
      Consumer<TestAgentServer> started) {
    LaunchOptions options = LaunchOptions.parse(Arrays.asList(args));
    if (options.help()) {
      out.println(LaunchOptions.USAGE);
      return null;
    }
    Path startDir = Path.of(System.getProperty("user.dir")).toAbsolutePath().normalize();
    if (options.flavour() == null) {
      BufferedReader in = stdin instanceof BufferedReader b ? b : new BufferedReader(stdin);
      options = options.withFlavour(ask(in, out));
      if (options.cwd() == null) {
        options = options.withCwd(askCwd(in, out, startDir));
      }
    }
    Path cwd = options.cwd() != null ? options.cwd() : startDir;
    TestAgentServer server = TestAgentServer.builder(options.flavour()).host(options.host()).port(options.port())
        .backendConfig(options.backendConfig()).environment(env).scriptFile(options.scriptFile()).defaultCwd(cwd)
        .build().start();
    started.accept(server);
    out.println(server.card().name() + " is running.");
    out.println(BASE_URL_LABEL + server.baseUrl());
    out.println(JSON_RPC_LABEL + server.jsonRpcUrl());
    out.println(CARD_URL_LABEL + server.cardUrl());
    out.println(CWD_LABEL + server.defaultCwd() + " (for messages without metadata.nanobot_orchestrator.cwd)");
    out.println("spawn_run payload (Orch MCP tool spawn_run; set cwd and prompt):");
    out.println(spawnRunPayload(server.baseUrl(), server.defaultCwd().toString()).toPrettyString());
    out.println("Press Ctrl+C to stop.");
    out.flush();
    return server;
  }

  /**
   * @param agentUrl the agent's base URL
   * @param cwd the working directory to suggest (absolute)
   * @return {@code {backend:"remote_a2a", role:"worker", cwd, session_mode:"new", prompt, backend_config:{agent_url}}}
   */
  public static ObjectNode spawnRunPayload(String agentUrl, String cwd) {
    ObjectNode p = JsonNodeFactory.instance.objectNode();
    p.put("backend", "remote_a2a");
    p.put("role", "worker");
    p.put("cwd", cwd);
    p.put("session_mode", "new");
    p.put("prompt", "Say hello");
    p.putObject("backend_config").put("agent_url", agentUrl);
    return p;
  }

  private static Flavour ask(BufferedReader in, PrintStream out) {
    while (true) {
      out.print(QUESTION);
      out.flush();
      String line;
      try {
        line = in.readLine();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (line == null) {
        out.println();
        throw new IllegalArgumentException("no backend chosen (stdin ended); use --backend codex|claude_code|scripted");
      }
      Flavour f = switch (line.trim()) {
        case "1" -> Flavour.CODEX;
        case "2" -> Flavour.CLAUDE_CODE;
        case "3" -> Flavour.SCRIPTED;
        default -> Flavour.parse(line).orElse(null);
      };
      if (f != null) {
        return f;
      }
      out.println("Please answer 1 (codex), 2 (claude_code) or 3 (scripted); got '" + line.trim() + "'.");
    }
  }

  /** Asks for the default working directory; Enter or the end of input keeps {@code proposed}. */
  private static Path askCwd(BufferedReader in, PrintStream out, Path proposed) {
    while (true) {
      out.print(CWD_QUESTION + " [" + proposed + "]: ");
      out.flush();
      String line;
      try {
        line = in.readLine();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (line == null || line.isBlank()) {
        if (line == null) {
          out.println();
        }
        return proposed;
      }
      try {
        return LaunchOptions.directory(line);
      } catch (IllegalArgumentException e) {
        out.println("Please answer with an existing directory (or Enter for " + proposed + "): " + e.getMessage()
            + ".");
      }
    }
  }
}
