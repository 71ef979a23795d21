package dev.orch.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orch.core.Orchestrator;
import dev.orch.core.spi.BackendDescriptor;
import dev.orch.mcp.internal.AgentTools;
import dev.orch.mcp.internal.LazySchemaValidator;
import dev.orch.mcp.internal.PendingRequests;
import dev.orch.mcp.internal.ProtocolInputFilter;
import dev.orch.mcp.internal.ResultRenderer;
import dev.orch.mcp.internal.RunTools;
import dev.orch.mcp.internal.ToolBinding;
import dev.orch.mcp.internal.ToolCatalog;
import dev.orch.mcp.internal.ToolDispatcher;
import dev.orch.mcp.internal.ToolExecutors;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpAsyncServer;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Orch MCP server over stdio (SPEC §2, §10): the ten tools on the official MCP Java SDK, backed by one
 * {@link Orchestrator}.
 *
 * <p>Use {@link #main} to run it as a process ({@code bin/orch-mcp}); embedders call {@link #start} with their own
 * Orchestrator and streams, then {@link #awaitInputEnd} and {@link #close}.
 *
 * <p>Lifecycle (SPEC §10): when the input ends (stdin EOF) or the JVM is asked to stop (SIGTERM), live runs are
 * cancelled and their processes killed by {@link Orchestrator#close()}, and the process exits within about 1 s
 * (at EOF, answers to requests that came before it get up to {@link #EOF_GRACE_MS} to be written).
 * Nothing but JSON-RPC is written to the protocol stream: {@link #main} takes {@link FileDescriptor#out} for the
 * transport and points {@link System#out} at stderr.
 */
public final class OrchMcpServer implements AutoCloseable {
  /** Longest time {@link #close()} waits for the Orchestrator to stop, ms (SPEC §10: exit within 1 s). */
  public static final long CLOSE_BUDGET_MS = 600;
  /** Longest time to wait at stdin EOF for answers to requests that came before it, ms. */
  public static final long EOF_GRACE_MS = 300;

  private final Orchestrator orchestrator;
  private final McpAsyncServer server;
  private final ExecutorService toolExecutor;
  private final CountDownLatch inputEnded;
  private final ProtocolInputFilter input;
  private final PendingRequests pending;
  private final AtomicBoolean closed = new AtomicBoolean();

  private OrchMcpServer(Orchestrator orchestrator, McpAsyncServer server, ExecutorService toolExecutor,
      CountDownLatch inputEnded, ProtocolInputFilter input, PendingRequests pending) {
    this.orchestrator = orchestrator;
    this.server = server;
    this.toolExecutor = toolExecutor;
    this.inputEnded = inputEnded;
    this.input = input;
    this.pending = pending;
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
    OrchMcpServer server = start(orchestrator, System.in, protocolOut, maxConcurrentCalls(System.getenv()));
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
    log.info("stdin closed: shutting down");
    server.awaitAnswers(EOF_GRACE_MS);
    server.close();
    System.exit(0);
  }

  /**
   * Starts serving the ten tools on the given streams.
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
    ResultRenderer renderer = new ResultRenderer(mapper);
    ExecutorService executor = ToolExecutors.create(maxConcurrentCalls);
    List<String> backendIds = orchestrator.backends().stream().map(BackendDescriptor::id).toList();
    List<ToolBinding> bindings = new ArrayList<>(new RunTools(orchestrator, renderer).bindings());
    bindings.addAll(new AgentTools(orchestrator).bindings());
    ToolDispatcher dispatcher = new ToolDispatcher(mapper, renderer, executor);
    CountDownLatch inputEnded = new CountDownLatch(1);
    PendingRequests pending = new PendingRequests();
    OutputStream trackedOut = pending.track(out);
    ProtocolInputFilter input = new ProtocolInputFilter(in, trackedOut, mapper, pending, inputEnded::countDown);
    StdioServerTransportProvider transport = new StdioServerTransportProvider(new JacksonMcpJsonMapper(mapper),
        input, trackedOut);
    McpAsyncServer server = McpServer.async(transport)
        .serverInfo("orch", version())
        .instructions("Orch runs coding-agent sub-runs (Codex CLI, Claude Code CLI, remote A2A agents). Start one "
            + "with spawn_run, follow it with poll_events until it is terminal, answer waiting runs with "
            + "continue_run.")
        .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
        .jsonMapper(new JacksonMcpJsonMapper(mapper))
        .validateToolInputs(false)
        .jsonSchemaValidator(new LazySchemaValidator(McpJsonDefaults::getSchemaValidator)) // start fast (issue 8)
        .tools(dispatcher.specifications(ToolCatalog.load(mapper, backendIds), bindings))
        .build();
    return new OrchMcpServer(orchestrator, server, executor, inputEnded, input, pending);
  }

  /**
   * Waits until the requests received so far are answered (a client may send a request and close stdin at once).
   *
   * @param timeoutMs longest wait, ms
   * @return true when all were answered in time
   */
  public boolean awaitAnswers(long timeoutMs) {
    try {
      return pending.awaitNone(timeoutMs);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Blocks until the protocol input ends (EOF or read error). */
  public void awaitInputEnd() {
    try {
      inputEnded.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * @param timeoutMs how long to wait, ms
   * @return true when the protocol input ended within the time
   */
  public boolean awaitInputEnd(long timeoutMs) throws InterruptedException {
    return inputEnded.await(timeoutMs, TimeUnit.MILLISECONDS);
  }

  /**
   * Stops serving and closes the Orchestrator (live runs cancelled, children killed), waiting at most
   * {@link #CLOSE_BUDGET_MS}. Idempotent and safe from a shutdown hook.
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
    input.release();
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
