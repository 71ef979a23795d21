package dev.orch.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orch.core.Orchestrator;
import dev.orch.core.spi.BackendDescriptor;
import dev.orch.mcp.internal.AgentTools;
import dev.orch.mcp.internal.ClientSession;
import dev.orch.mcp.internal.ControlTools;
import dev.orch.mcp.internal.DefaultCatalogs;
import dev.orch.mcp.internal.Elicitor;
import dev.orch.mcp.internal.LazySchemaValidator;
import dev.orch.mcp.internal.ResultRenderer;
import dev.orch.mcp.internal.RunNotifier;
import dev.orch.mcp.internal.RunResources;
import dev.orch.mcp.internal.RunTools;
import dev.orch.mcp.internal.ToolBinding;
import dev.orch.mcp.internal.ToolCallGuard;
import dev.orch.mcp.internal.ToolCatalog;
import dev.orch.mcp.internal.ToolDefinition;
import dev.orch.mcp.internal.ToolDispatcher;
import dev.orch.mcp.internal.ToolExecutors;
import dev.orch.mcp.internal.WorkflowTools;
import dev.orch.mcp.internal.stdio.EarlyInput;
import dev.orch.mcp.internal.stdio.Handshake;
import dev.orch.mcp.internal.stdio.RequestGuard;
import dev.orch.mcp.internal.stdio.StdioTransportProvider;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpAsyncServer;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures.AsyncToolSpecification;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Orch MCP server over stdio (SPEC §2, §10, §12): the tools on the official MCP Java SDK, backed by one
 * {@link Orchestrator}, plus the run resources with subscriptions, logging notifications and opt-in elicitation
 * (SPEC §12.9).
 *
 * <p>Use {@link #main} to run it as a process ({@code bin/orch-mcp}); embedders call {@link #start} with their own
 * Orchestrator and streams, then {@link #awaitInputEnd} and {@link #close}.
 *
 * <p>Transport: Orch's own {@link StdioTransportProvider} (one reader, one writer thread; every bad input line is
 * answered and reading goes on; see its Javadoc for why the SDK's stdio transport is not used).
 *
 * <p>Lifecycle (SPEC §10): when the input ends (stdin EOF), the client stops reading stdout (a write fails) or the JVM
 * is asked to stop (SIGTERM), live runs are cancelled and their processes killed by {@link Orchestrator#close()}, and
 * the process exits within 1 s (at EOF, answers to requests that came before it get up to {@link #EOF_GRACE_MS} to
 * be written). Nothing but JSON-RPC is written to the protocol stream: {@link #main} takes {@link FileDescriptor#out}
 * for the transport and points {@link System#out} at stderr.
 */
public final class OrchMcpServer implements AutoCloseable {
  /**
   * Longest time {@link #close()} waits for the Orchestrator to stop, ms (SPEC §10: exit within 1 s): more than the
   * engine's own shutdown bounds (a 300 ms cancel, kills, the last commits), so live runs end with their cancelled
   * event on disk even when an agent ignores its interrupt.
   */
  public static final long CLOSE_BUDGET_MS = 900;
  /** Longest time to wait at stdin EOF for answers to requests that came before it, ms. */
  public static final long EOF_GRACE_MS = 300;
  /** Longest time to wait for queued output after closing, ms. */
  public static final long DRAIN_MS = 80;

  /**
   * The {@code initialize} answer's contents (MCP "Lifecycle"). The transport answers the client's first
   * {@code initialize} from it before the server is built (issue 8: start-up); the SDK server is configured with
   * the same values, and {@code EarlyInitializeTest} checks both answers are byte for byte the same.
   */
  static final Handshake HANDSHAKE = new Handshake("orch", version(),
      "Orch runs coding-agent sub-runs (Codex CLI, Claude Code CLI, remote A2A agents). Start one with spawn_run, "
          + "follow it with poll_events until it is terminal, answer waiting runs with continue_run.",
      // = ServerCapabilities.builder().tools(false).resources(true, false).logging() as the SDK serializes it
      "{\"logging\":{},\"resources\":{\"subscribe\":true,\"listChanged\":false},\"tools\":{\"listChanged\":false}}");

  private final Orchestrator orchestrator;
  private final McpAsyncServer server;
  private final ExecutorService toolExecutor;
  private final StdioTransportProvider transport;
  private final AtomicBoolean closed = new AtomicBoolean();

  private OrchMcpServer(Orchestrator orchestrator, McpAsyncServer server, ExecutorService toolExecutor,
      StdioTransportProvider transport) {
    this.orchestrator = orchestrator;
    this.server = server;
    this.toolExecutor = toolExecutor;
    this.transport = transport;
  }

  /**
   * Runs the server on stdin/stdout until stdin ends or SIGTERM, then exits the JVM (status 0; 1 when the
   * Orchestrator cannot be built). Logs go to stderr; env {@code ORCH_LOG_LEVEL} (trace, debug, info, warn, error)
   * sets the level, default info.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    long t0 = System.nanoTime();
    OutputStream protocolOut = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
    System.setOut(System.err);
    // read stdin and answer initialize first, then start the rest (issue 8: start-up)
    // a client that ends stdin during start-up with nothing left to answer is not kept waiting for the rest of it
    // (SPEC §10: exit within 1 s of EOF). No run was started by this process yet; a half-built engine ends as after a
    // kill, which the store and re-attachment tolerate (KillLoopIT)
    // (an anonymous class, not a lambda: the JVM's first lambda bootstraps java.lang.invoke, several ms that would
    // come before the initialize answer; InitializeLine avoids them for the same reason)
    EarlyInput input = EarlyInput.start(System.in, protocolOut, HANDSHAKE, new Runnable() {
      @Override
      public void run() {
        System.err.println("orch-mcp: stdin ended during start-up with nothing to answer; exiting");
        System.exit(0);
      }
    });
    String level = System.getenv("ORCH_LOG_LEVEL");
    if (level != null && !level.isBlank()) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level.trim().toLowerCase(java.util.Locale.ROOT));
    }
    Logger log = LoggerFactory.getLogger(OrchMcpServer.class);
    long tLog = System.nanoTime();
    Orchestrator orchestrator;
    try {
      orchestrator = Orchestrator.builder().build();
    } catch (RuntimeException e) {
      log.error("Cannot start Orch: {}", e.getMessage(), e);
      System.exit(1);
      return;
    }
    long tOrch = System.nanoTime();
    orchestrator.diagnostics().forEach(d -> log.warn("Backend unavailable: {}", d));
    OrchMcpServer server;
    try {
      server = start(orchestrator, input, maxConcurrentCalls(System.getenv()));
    } catch (IllegalArgumentException e) { // a bad setting, e.g. ORCH_CHECK_RESULTS
      log.error("Cannot start Orch: {}", e.getMessage());
      orchestrator.close();
      System.exit(1);
      return;
    }
    if (log.isDebugEnabled()) { // where start-up time goes (issue 8)
      long now = System.nanoTime();
      log.debug("start-up: JVM to main {} ms; in main: logging {} ms, Orchestrator {} ms, MCP server {} ms",
          java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() - (now - t0) / 1_000_000,
          (tLog - t0) / 1_000_000, (tOrch - tLog) / 1_000_000, (now - tOrch) / 1_000_000);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "orch-mcp-shutdown"));
    log.info("Orch MCP server ready on stdio with backends {}",
        orchestrator.backends().stream().map(BackendDescriptor::id).toList());
    server.awaitInputEnd();
    log.info("Shutting down: {}", server.transport.endReason());
    server.awaitAnswers(EOF_GRACE_MS);
    server.close();
    System.exit(0);
  }

  /**
   * Starts serving the tools and resources on the given streams.
   *
   * @param orchestrator the front door all tool calls go to; {@link #close()} closes it
   * @param in the protocol input (newline-delimited JSON-RPC), e.g. stdin
   * @param out the protocol output; nothing else may write to it
   * @param maxConcurrentCalls how many tool calls may run at once (≥ 1); more queue
   * @return the running server
   */
  public static OrchMcpServer start(Orchestrator orchestrator, InputStream in, OutputStream out,
      int maxConcurrentCalls) {
    Objects.requireNonNull(orchestrator, "orchestrator");
    ObjectMapper mapper = new ObjectMapper();
    return start(orchestrator, mapper,
        guard -> new StdioTransportProvider(mapper, in, out, guard, ToolExecutors::isToolThread),
        maxConcurrentCalls);
  }

  /**
   * Starts serving on an input read since the process started ({@link EarlyInput}: the client's initialize may
   * have been answered already from {@link #HANDSHAKE}).
   */
  static OrchMcpServer start(Orchestrator orchestrator, EarlyInput input, int maxConcurrentCalls) {
    Objects.requireNonNull(orchestrator, "orchestrator");
    ObjectMapper mapper = new ObjectMapper();
    return start(orchestrator, mapper,
        guard -> new StdioTransportProvider(mapper, input, guard, ToolExecutors::isToolThread),
        maxConcurrentCalls);
  }

  /** @return true when the transport saw the SDK answer initialize differently from the early answer */
  boolean earlyAnswerDiffered() {
    return transport.earlyAnswerDiffered();
  }

  private static OrchMcpServer start(Orchestrator orchestrator, ObjectMapper mapper,
      Function<RequestGuard, StdioTransportProvider> transports, int maxConcurrentCalls) {
    ResultRenderer renderer = new ResultRenderer(mapper);
    ExecutorService executor = ToolExecutors.create(maxConcurrentCalls);
    List<String> backendIds = orchestrator.backends().stream().map(BackendDescriptor::id).toList();
    List<ToolBinding> bindings = new ArrayList<>(new RunTools(orchestrator, renderer).bindings());
    bindings.addAll(new AgentTools(orchestrator).bindings());
    List<ToolDefinition> catalog = ToolCatalog.load(mapper, backendIds);
    bindings.addAll(new WorkflowTools(orchestrator, renderer, catalog).bindings());
    bindings.addAll(new ControlTools(orchestrator).bindings());
    ToolDispatcher dispatcher = new ToolDispatcher(mapper, renderer, executor);
    // SPEC §12.9: resources with subscriptions, logging notifications, opt-in elicitation
    ClientSession session = new ClientSession();
    dispatcher.onExchange(session::seen);
    RunResources resources = new RunResources(orchestrator, renderer, session, executor,
        DefaultCatalogs.workflowTemplateFiles(orchestrator), DefaultCatalogs.profilesInUse(orchestrator));
    RunNotifier notifier = new RunNotifier(session);
    List<AsyncToolSpecification> tools = dispatcher.specifications(catalog, bindings);
    StdioTransportProvider transport = transports.apply(
        new ToolCallGuard(tools.stream().map(t -> t.tool().name()).toList(), renderer));
    McpAsyncServer server = McpServer.async(transport)
        .serverInfo(HANDSHAKE.name(), HANDSHAKE.version())
        .instructions(HANDSHAKE.instructions())
        .capabilities(McpSchema.ServerCapabilities.builder().tools(false).resources(true, false).logging().build())
        .jsonMapper(new JacksonMcpJsonMapper(mapper))
        .validateToolInputs(false)
        .jsonSchemaValidator(LazySchemaValidator.forResults(System.getenv(), McpJsonDefaults::getSchemaValidator))
        .requestTimeout(Elicitor.timeout(System.getenv()))
        .tools(tools)
        .resources(resources.resources())
        .resourceTemplates(resources.templates())
        .build();
    notifier.bind(server);
    orchestrator.listen(notifier);
    if (Elicitor.enabled(System.getenv())) {
      orchestrator.listen(new Elicitor(orchestrator, session, executor));
    }
    return new OrchMcpServer(orchestrator, server, executor, transport);
  }

  /**
   * Waits until the requests received so far are answered (a client may send a request and close stdin at once).
   *
   * @param timeoutMs longest wait, ms
   * @return true when all were answered in time
   */
  public boolean awaitAnswers(long timeoutMs) {
    try {
      return transport.awaitAnswers(timeoutMs);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Blocks until the protocol input ends (EOF or read error) or the client stops reading (a write fails). */
  public void awaitInputEnd() {
    try {
      transport.awaitInputEnd();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * @param timeoutMs how long to wait, ms
   * @return true when the protocol input ended (or the output failed) within the time
   * @throws InterruptedException when interrupted while waiting
   */
  public boolean awaitInputEnd(long timeoutMs) throws InterruptedException {
    return transport.awaitInputEnd(timeoutMs);
  }

  /**
   * Stops serving and closes the Orchestrator (live runs cancelled, children killed), waiting at most
   * {@link #CLOSE_BUDGET_MS}, then writes what is still queued for the client (at most {@link #DRAIN_MS}).
   * Idempotent and safe from a shutdown hook.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    Thread closer = new Thread(orchestrator::close, "orch-close");
    closer.setDaemon(true);
    closer.start();
    try {
      closer.join(CLOSE_BUDGET_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (closer.isAlive()) {
      LoggerFactory.getLogger(OrchMcpServer.class).warn("Orchestrator did not close within {} ms", CLOSE_BUDGET_MS);
    }
    server.close();
    try {
      transport.closeGracefully().block(java.time.Duration.ofMillis(DRAIN_MS));
      transport.drain(DRAIN_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LoggerFactory.getLogger(OrchMcpServer.class).debug("Closing the transport: {}", e.toString());
    }
    toolExecutor.shutdownNow();
  }

  static int maxConcurrentCalls(Map<String, String> env) {
    String v = env.get("ORCH_MCP_MAX_CONCURRENT_CALLS");
    try {
      return v == null || v.isBlank() ? ToolExecutors.DEFAULT_MAX_THREADS : Math.max(1, Integer.parseInt(v.trim()));
    } catch (NumberFormatException e) {
      return ToolExecutors.DEFAULT_MAX_THREADS;
    }
  }

  private static String version() {
    String v = OrchMcpServer.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
