package dev.orch.agents;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.orch.agents.internal.AgentCards;
import dev.orch.agents.internal.AgentRequestHandler;
import dev.orch.agents.internal.ContextPins;
import dev.orch.agents.internal.JsonRpcHttpHandler;
import dev.orch.agents.internal.OrchestratorAgentExecutor;
import dev.orch.agents.internal.Script;
import dev.orch.agents.internal.ScriptedAgentExecutor;
import dev.orch.core.Orchestrator;
import io.a2a.server.agentexecution.AgentExecutor;
import io.a2a.server.events.InMemoryQueueManager;
import io.a2a.server.requesthandlers.DefaultRequestHandler;
import io.a2a.server.tasks.InMemoryTaskStore;
import io.a2a.spec.AgentCard;
import io.a2a.transport.jsonrpc.handler.JSONRPCHandler;
import io.a2a.util.Utils;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An A2A JSON-RPC test agent (SPEC §9, issue part 2) on the JDK's {@link HttpServer}: the A2A Java SDK's server
 * core ({@code DefaultRequestHandler}, in-memory task store and queues) with an executor that wraps an Orch backend
 * through an {@link Orchestrator} ({@link Flavour#CODEX}, {@link Flavour#CLAUDE_CODE}) or answers from a script
 * ({@link Flavour#SCRIPTED}).
 *
 * <pre>{@code
 * try (TestAgentServer agent = TestAgentServer.builder(Flavour.SCRIPTED).build().start()) {
 *   agent.cardUrl();   // http://127.0.0.1:<port>/.well-known/agent-card.json
 * }
 * }</pre>
 *
 * <p>Endpoints: {@code GET /.well-known/agent-card.json} (the card), {@code POST /a2a/jsonrpc} and {@code POST /}
 * (JSON-RPC). A context works in the directory its first message names in
 * {@code metadata.nanobot_orchestrator.cwd}, or else in the {@link Builder#defaultCwd default directory}, so any A2A
 * client can use the agent. Thread-safe; {@link #close()} is idempotent. An Orchestrator built by the server (no
 * {@link Builder#orchestrator} given) is closed with it, which cancels live runs.
 */
public final class TestAgentServer implements AutoCloseable {
  /** Path of the agent card. */
  public static final String CARD_PATH = "/.well-known/agent-card.json";
  /** Path of the JSON-RPC endpoint (the card's url). */
  public static final String JSON_RPC_PATH = "/a2a/jsonrpc";
  private static final Logger LOG = LoggerFactory.getLogger(TestAgentServer.class);

  private final Builder config;
  private final AtomicBoolean open = new AtomicBoolean(false);
  private HttpServer server;
  private ExecutorService httpThreads;
  private ExecutorService agentThreads;
  private Orchestrator ownedOrchestrator;
  private AgentCard card;
  private String baseUrl;

  private TestAgentServer(Builder config) {
    this.config = config;
  }

  /**
   * @param flavour what to wrap
   * @return a builder (host 127.0.0.1, port 0 = any free port)
   */
  public static Builder builder(Flavour flavour) {
    return new Builder(flavour);
  }

  /**
   * Binds the port and starts serving.
   *
   * @return this
   * @throws UncheckedIOException when the port cannot be bound
   * @throws IllegalStateException when already started, or the script file is invalid
   * @throws dev.orch.core.OrchException when a backend flavour's Orchestrator cannot be built
   */
  public synchronized TestAgentServer start() {
    if (server != null) {
      throw new IllegalStateException("already started");
    }
    try {
      server = HttpServer.create(new InetSocketAddress(config.host, config.port), 64);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + config.host + ":" + config.port + ": " + e.getMessage(), e);
    }
    String host = config.host.contains(":") ? "[" + config.host + "]" : config.host;
    baseUrl = "http://" + host + ":" + server.getAddress().getPort();
    card = AgentCards.card(config.flavour, jsonRpcUrl(), version());
    ContextPins pins = new ContextPins(config.defaultCwd);
    AgentExecutor executor;
    if (config.flavour.wrapsBackend()) {
      Orchestrator orch = config.orchestrator;
      if (orch == null) {
        ownedOrchestrator = Orchestrator.builder().environment(config.environment).build();
        orch = ownedOrchestrator;
      }
      executor = new OrchestratorAgentExecutor(orch, config.flavour.id(), config.backendConfig, pins, open::get);
    } else {
      Script script = config.scriptFile != null ? Script.read(config.scriptFile) : Script.defaults();
      executor = new ScriptedAgentExecutor(script, pins);
    }
    agentThreads = Executors.newCachedThreadPool(daemonThreads("a2a-agent-" + config.flavour.id()));
    InMemoryTaskStore tasks = new InMemoryTaskStore();
    DefaultRequestHandler sdk = DefaultRequestHandler.create(executor, tasks, new InMemoryQueueManager(tasks), null,
        null, agentThreads);
    AgentRequestHandler handler = new AgentRequestHandler(sdk, tasks, pins, open::get);
    JSONRPCHandler jsonRpc = new JSONRPCHandler(card, handler, agentThreads);
    JsonRpcHttpHandler rpc = new JsonRpcHttpHandler(jsonRpc);
    server.createContext(CARD_PATH, this::serveCard);
    server.createContext(JSON_RPC_PATH, rpc);
    server.createContext("/", exchange -> {
      if ("/".equals(exchange.getRequestURI().getPath())) {
        rpc.handle(exchange);
      } else {
        try (exchange) {
          exchange.sendResponseHeaders(404, -1);
        }
      }
    });
    httpThreads = Executors.newCachedThreadPool(daemonThreads("a2a-http-" + config.flavour.id()));
    server.setExecutor(httpThreads);
    open.set(true);
    server.start();
    LOG.info("{} listening on {}", card.name(), baseUrl);
    return this;
  }

  /** @return {@code http://<host>:<port>} (no trailing slash) */
  public String baseUrl() {
    requireStarted();
    return baseUrl;
  }

  /** @return the JSON-RPC endpoint, {@code <base>/a2a/jsonrpc} (the card's url) */
  public String jsonRpcUrl() {
    requireStarted();
    return baseUrl + JSON_RPC_PATH;
  }

  /** @return the agent card URL, {@code <base>/.well-known/agent-card.json} */
  public String cardUrl() {
    requireStarted();
    return baseUrl + CARD_PATH;
  }

  /** @return the served agent card */
  public AgentCard card() {
    requireStarted();
    return card;
  }

  /** @return the flavour */
  public Flavour flavour() {
    return config.flavour;
  }

  /** @return the working directory of contexts whose first message names none (absolute, normalized) */
  public Path defaultCwd() {
    return config.defaultCwd;
  }

  /**
   * Stops accepting requests, ends open streams and blocking sends, closes an Orchestrator the server built (its
   * live runs are cancelled and their processes killed). Idempotent.
   */
  @Override
  public synchronized void close() {
    if (server == null || !open.getAndSet(false)) {
      return;
    }
    server.stop(0);
    if (ownedOrchestrator != null) {
      ownedOrchestrator.close();
    }
    agentThreads.shutdownNow();
    httpThreads.shutdownNow();
    try {
      agentThreads.awaitTermination(2, TimeUnit.SECONDS);
      httpThreads.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    LOG.info("{} on {} stopped", card.name(), baseUrl);
  }

  private void serveCard(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      byte[] body = Utils.toJsonString(card).getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      if ("HEAD".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(200, -1);
        return;
      }
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private void requireStarted() {
    if (baseUrl == null) {
      throw new IllegalStateException("the server is not started");
    }
  }

  private static String version() {
    String v = TestAgentServer.class.getPackage().getImplementationVersion();
    return v != null ? v : "0.1.0";
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Configures a {@link TestAgentServer}. Not thread-safe. */
  public static final class Builder {
    private final Flavour flavour;
    private String host = "127.0.0.1";
    private int port;
    private Orchestrator orchestrator;
    private ObjectNode backendConfig;
    private Map<String, String> environment = System.getenv();
    private Path scriptFile;
    private Path defaultCwd = Path.of(System.getProperty("user.dir")).toAbsolutePath().normalize();

    private Builder(Flavour flavour) {
      this.flavour = Objects.requireNonNull(flavour, "flavour");
    }

    /** @param value address to bind (default 127.0.0.1) @return this */
    public Builder host(String value) {
      this.host = Objects.requireNonNull(value, "host");
      return this;
    }

    /** @param value TCP port, 0 = any free port (default) @return this */
    public Builder port(int value) {
      if (value < 0 || value > 65535) {
        throw new IllegalArgumentException("port must be 0..65535, was " + value);
      }
      this.port = value;
      return this;
    }

    /**
     * Uses this Orchestrator for the backend flavours (the caller closes it). Without one the server builds its own
     * from {@link #environment} ({@code ORCH_CODEX_*}, {@code ORCH_CLAUDE_*}, {@code NANOBOT_ORCHESTRATOR_HOME}).
     *
     * @return this
     */
    public Builder orchestrator(Orchestrator value) {
      this.orchestrator = value;
      return this;
    }

    /** @param value {@code backend_config} passed with every spawned run, or null (default) @return this */
    public Builder backendConfig(ObjectNode value) {
      this.backendConfig = value == null ? null : value.deepCopy();
      return this;
    }

    /** @param value environment of an Orchestrator the server builds (default: the process's) @return this */
    public Builder environment(Map<String, String> value) {
      this.environment = Map.copyOf(value);
      return this;
    }

    /** @param value script file of the scripted flavour, or null for the built-in script @return this */
    public Builder scriptFile(Path value) {
      this.scriptFile = value;
      return this;
    }

    /**
     * Sets the working directory of contexts whose first message carries no
     * {@code metadata.nanobot_orchestrator.cwd} (generic A2A clients). Default: the process's working directory.
     *
     * @param value an absolute path of an existing directory
     * @return this
     * @throws IllegalArgumentException when the path is relative, missing, or not a directory
     */
    public Builder defaultCwd(Path value) {
      Objects.requireNonNull(value, "defaultCwd");
      if (!value.isAbsolute()) {
        throw new IllegalArgumentException("the default cwd must be an absolute path: " + value);
      }
      if (!Files.isDirectory(value)) {
        throw new IllegalArgumentException(Files.exists(value) ? "the default cwd is not a directory: " + value
            : "the default cwd does not exist: " + value);
      }
      this.defaultCwd = value.normalize();
      return this;
    }

    /** @return the (not yet started) server */
    public TestAgentServer build() {
      return new TestAgentServer(this);
    }
  }
}
