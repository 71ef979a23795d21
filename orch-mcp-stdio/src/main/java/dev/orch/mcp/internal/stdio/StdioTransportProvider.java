package dev.orch.mcp.internal.stdio;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.mcp.internal.BufferPool;
import dev.orch.mcp.internal.Echo;
import dev.orch.mcp.internal.Incidents;
import dev.orch.mcp.internal.ReusableBytes;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema.ErrorCodes;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCMessage;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCNotification;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCRequest;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCResponse;
import io.modelcontextprotocol.spec.McpServerSession;
import io.modelcontextprotocol.spec.McpServerTransport;
import io.modelcontextprotocol.spec.McpServerTransportProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Orch's MCP stdio transport: newline-delimited JSON-RPC 2.0 on the process's stdin/stdout for one
 * {@link McpServerSession} of the official MCP Java SDK (which stays in charge of the protocol: initialize, tools,
 * and whatever later features are added to the {@code McpAsyncServer}).
 *
 * <p>Why not the SDK's {@code StdioServerTransportProvider} (MCP Java SDK 2.1.0) — two defects seen in issue 9:
 * <ol>
 *   <li>Its reader stops for good at the first line {@code McpSchema.deserializeJsonRpcMessage} cannot turn into a
 *       message (an id that is {@code true}, {@code 1.5}, {@code 1e400}, an object or null; a response whose error is
 *       a string or has a string code; a method that is not a string): the process then answers nothing and,
 *       since it no longer reads, never sees stdin EOF either.</li>
 *   <li>Its {@code sendMessage} emits into a Reactor unicast sink with a 100 ms busy-loop on contention
 *       (modelcontextprotocol/java-sdk issues #304 and #686; still in 2.1.0). With many answers produced at once on a
 *       busy machine a sender gives up with "Failed to enqueue message", the error reaches a subscriber without an
 *       error handler, and the session's input shuts down: the server goes deaf under load.</li>
 * </ol>
 *
 * <p>How this one works:
 * <ul>
 *   <li><b>Reader</b> (thread {@code orch-mcp-stdin}): reads lines of at most {@link #MAX_LINE_BYTES} bytes, skips
 *       blank ones and decodes each with {@link InboundDecoder}; every undecodable line gets its JSON-RPC error
 *       ({@code -32700}, {@code -32600}, {@code -32602}) and reading goes on; malformed responses from the client are
 *       logged and dropped. It hands messages to the dispatcher and never runs handler code itself, so it always sees
 *       EOF: at EOF (or a read error) {@link #awaitInputEnd} returns.</li>
 *   <li><b>Dispatcher</b> (thread {@code orch-mcp-dispatch}): passes messages to the session in input order, after the
 *       {@link RequestGuard}; every Reactor subscription made here has an error handler. Handlers must not block it
 *       (the SDK's async server runs tool work on its own schedulers).</li>
 *   <li><b>Writer</b> ({@link LineWriter}, thread {@code orch-mcp-stdout}): the only writer of stdout. Answers,
 *       notifications and server-to-client requests may be sent from any thread at any rate; each is serialized by
 *       the sender, queued, and written whole on its own line in submission order; a tool call's thread writes its
 *       own answer when nothing is queued (one thread hand-off fewer, see {@link LineWriter}).
 *       {@link McpServerTransport#sendMessage} completes once the message is queued (as the SDK's transport did) and fails only after the output is gone.
 *       A write failure (the client closed its end) ends the session like EOF does instead of spinning.</li>
 *   <li>Error answers are checked by {@link ProtocolErrors} before they are written: no exception texts or class
 *       names reach the client.</li>
 * </ul>
 * The requests received and not yet answered are counted, so a caller can wait briefly at EOF for their answers
 * ({@link #awaitAnswers}) before closing (SPEC §10).
 *
 * <p>All threads are daemons. Thread-safe.
 */
public final class StdioTransportProvider implements McpServerTransportProvider {
  /** Longest accepted input line, bytes (the SDK transport's own inbound limit). */
  public static final int MAX_LINE_BYTES = 16 * 1024 * 1024;

  private static final Logger LOG = LoggerFactory.getLogger(StdioTransportProvider.class);
  /** Line buffers kept between answers (see {@link BufferPool}). */
  private static final BufferPool<ReusableBytes> LINE_BUFFERS = ReusableBytes.pool(2);

  private final ObjectWriter compact;
  private final McpJsonMapper jsonMapper;
  private final LineSource source;
  /** The id of the initialize request answered by {@link EarlyInput}, until the session's answer to it came. */
  private final AtomicReference<Object> earlyId = new AtomicReference<>();
  private final byte[] earlyAnswer;
  private volatile boolean earlyAnswerDiffered;
  private final InboundDecoder decoder;
  private final RequestGuard guard;
  private final LineWriter writer;
  private final PendingRequests pending = new PendingRequests();
  private final ExecutorService dispatch;
  private final CountDownLatch ended = new CountDownLatch(1);
  private final AtomicReference<String> endReason = new AtomicReference<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile McpServerSession session;

  /**
   * Starts the writer; the reader starts when the MCP server sets the session factory.
   *
   * @param mapper the protocol JSON mapper (also given to the MCP server builder)
   * @param in the protocol input, e.g. stdin
   * @param out the protocol output, e.g. stdout; nothing else may write to it
   * @param guard checks requests before the session handles them ({@link RequestGuard#NONE} for none)
   */
  public StdioTransportProvider(ObjectMapper mapper, InputStream in, OutputStream out, RequestGuard guard) {
    this(mapper, in, out, guard, t -> false);
  }

  /**
   * As {@link #StdioTransportProvider(ObjectMapper, InputStream, OutputStream, RequestGuard)}, with the threads that
   * write their own messages when the output is idle ({@link LineWriter}: tool-call threads, never the reader or the
   * dispatcher).
   *
   * @param mayWaitForOutput true for a thread that may block while the client does not read
   */
  public StdioTransportProvider(ObjectMapper mapper, InputStream in, OutputStream out, RequestGuard guard,
      Predicate<Thread> mayWaitForOutput) {
    this(mapper, new LineReader(Objects.requireNonNull(in, "in"), MAX_LINE_BYTES), out, null, guard,
        mayWaitForOutput);
  }

  /**
   * Takes over an input that has been read since the process started ({@link EarlyInput}, issue 8: start-up):
   * ends its early answering, and when it answered the client's {@code initialize}, the session's own answer to
   * that request is not written again (it is compared with the early one; a difference is logged as an error and
   * reported by {@link #earlyAnswerDiffered}).
   *
   * @param mapper the protocol JSON mapper (also given to the MCP server builder)
   * @param input the input, whose output this transport then writes to; nothing else may write to it
   * @param guard checks requests before the session handles them ({@link RequestGuard#NONE} for none)
   * @param mayWaitForOutput true for a thread that may write its own messages and block while the client does not
   *     read ({@link LineWriter})
   */
  public StdioTransportProvider(ObjectMapper mapper, EarlyInput input, RequestGuard guard,
      Predicate<Thread> mayWaitForOutput) {
    this(mapper, input, input.output(), input.handOver(), guard, mayWaitForOutput);
  }

  private StdioTransportProvider(ObjectMapper mapper, LineSource source, OutputStream out,
      EarlyInput.Answered answered, RequestGuard guard, Predicate<Thread> mayWaitForOutput) {
    Objects.requireNonNull(mapper, "mapper");
    this.compact = mapper.writer().without(SerializationFeature.INDENT_OUTPUT);
    this.jsonMapper = new JacksonMcpJsonMapper(mapper);
    this.source = source;
    this.decoder = new InboundDecoder(mapper);
    this.guard = Objects.requireNonNull(guard, "guard");
    this.earlyId.set(answered == null ? null : answered.id());
    this.earlyAnswer = answered == null ? null : answered.answer();
    this.writer = new LineWriter(out, daemon("orch-mcp-stdout"), mayWaitForOutput, this::outputFailed);
    this.dispatch = Executors.newSingleThreadExecutor(daemon("orch-mcp-dispatch"));
  }

  /** The MCP protocol versions this transport's sessions negotiate ({@link Handshake#PROTOCOL_VERSIONS}). */
  @Override
  public List<String> protocolVersions() {
    return Handshake.PROTOCOL_VERSIONS;
  }

  /**
   * @return true when the session answered the {@code initialize} that {@link EarlyInput} had answered differently
   *     (the server's {@link Handshake} and its SDK configuration disagree)
   */
  public boolean earlyAnswerDiffered() {
    return earlyAnswerDiffered;
  }

  /**
   * Creates the one session of this stdio connection and starts reading.
   *
   * @throws IllegalStateException when called a second time
   */
  @Override
  public void setSessionFactory(McpServerSession.Factory sessionFactory) {
    synchronized (this) {
      if (session != null) {
        throw new IllegalStateException("a stdio transport carries exactly one session");
      }
      session = sessionFactory.create(new SessionTransport());
    }
    daemon("orch-mcp-stdin").newThread(this::readLoop).start();
  }

  @Override
  public Mono<Void> notifyClients(String method, Object params) {
    return Mono.defer(() -> {
      McpServerSession s = session;
      return s == null ? Mono.error(new IllegalStateException("no client session yet"))
          : s.sendNotification(method, params);
    });
  }

  @Override
  public Mono<Void> notifyClient(String sessionId, String method, Object params) {
    return Mono.defer(() -> {
      McpServerSession s = session;
      if (s == null || !s.getId().equals(sessionId)) {
        return Mono.error(new IllegalStateException("no client session " + sessionId));
      }
      return s.sendNotification(method, params);
    });
  }

  @Override
  public Mono<Void> closeGracefully() {
    return Mono.defer(() -> {
      McpServerSession s = session;
      Mono<Void> sessionClosed = s == null ? Mono.empty() : s.closeGracefully().onErrorComplete();
      return sessionClosed.then(Mono.fromRunnable(this::shutdown));
    });
  }

  /** Blocks until the input ends (stdin EOF, a read error) or the output fails (the client is gone). */
  public void awaitInputEnd() throws InterruptedException {
    ended.await();
  }

  /**
   * @param timeoutMs longest wait, ms
   * @return true when the input ended (or the output failed) within the time
   * @throws InterruptedException when interrupted while waiting
   */
  public boolean awaitInputEnd(long timeoutMs) throws InterruptedException {
    return ended.await(timeoutMs, TimeUnit.MILLISECONDS);
  }

  /** @return why the session ended (e.g. {@code stdin EOF}), or null while it runs */
  public String endReason() {
    return endReason.get();
  }

  /**
   * Waits until every request received so far has its answer written (at once when the output is gone).
   *
   * @param timeoutMs longest wait, ms
   * @return true when none is left unanswered
   * @throws InterruptedException when interrupted while waiting
   */
  public boolean awaitAnswers(long timeoutMs) throws InterruptedException {
    return pending.awaitNone(timeoutMs);
  }

  /** @return how many received requests have no written answer yet */
  public int unansweredRequests() {
    return pending.size();
  }

  /**
   * Waits until every message queued so far is written (or dropped because the output failed).
   *
   * @param timeoutMs longest wait, ms
   * @return true when nothing is left to write
   * @throws InterruptedException when interrupted while waiting
   */
  public boolean drain(long timeoutMs) throws InterruptedException {
    return writer.drain(timeoutMs);
  }

  /** Stops dispatching and accepting output (what is queued is still written). Idempotent. */
  private void shutdown() {
    if (closed.compareAndSet(false, true)) {
      writer.close();
      dispatch.shutdown();
    }
  }

  // ---- input ---------------------------------------------------------------------------------------------------

  private void readLoop() {
    try {
      while (true) {
        LineReader.Line line = source.next();
        if (line == null) {
          end("stdin EOF");
          return;
        }
        accept(line);
      }
    } catch (IOException e) {
      end("stdin read failed: " + e.getMessage());
    } catch (RuntimeException | Error e) {
      Incidents.record(LOG, "the stdin reader failed", e);
      end("stdin reader failed");
      if (e instanceof VirtualMachineError vme) {
        throw vme;
      }
    }
  }

  /** Handles one line; never throws for any input. */
  private void accept(LineReader.Line line) {
    InboundDecoder.Decoded decoded;
    try {
      decoded = line.tooLong() ? decoder.tooLong(MAX_LINE_BYTES) : decoder.decode(line.bytes());
    } catch (RuntimeException e) {
      String incident = Incidents.record(LOG, "cannot decode an input line", e);
      decoded = new InboundDecoder.Answer(errorNode(null, ErrorCodes.INTERNAL_ERROR,
          "Internal error (incident " + incident + "; details in the server log)"), "decoder failure");
    }
    if (decoded instanceof InboundDecoder.Answer a) {
      LOG.warn("Answering an invalid input line with {}: {}", a.response().at("/error/code").asInt(),
          Echo.message(a.reason()));
      writeQuietly(a.response(), null);
    } else if (decoded instanceof InboundDecoder.Dropped d) {
      LOG.warn("Dropping an input message without answer: {}", Echo.message(d.reason()));
    } else if (decoded instanceof InboundDecoder.Message m) {
      if (m.message() instanceof JSONRPCRequest request) {
        pending.received(request.id());
      }
      try {
        dispatch.execute(() -> handle(m.message()));
      } catch (RejectedExecutionException e) {
        LOG.debug("Transport closed: not handling {}", describe(m.message()));
      }
    }
  }

  /** Runs on the dispatch thread. */
  private void handle(JSONRPCMessage message) {
    try {
      if (message instanceof JSONRPCRequest request) {
        Optional<JSONRPCResponse> answer = guard.check(request);
        if (answer.isPresent()) {
          send(answer.get());
          return;
        }
      }
      session.handle(message).subscribe(v -> {
      }, e -> LOG.debug("Handling {} ended with {}", describe(message), e.toString()));
    } catch (RuntimeException e) {
      String incident = Incidents.record(LOG, "cannot handle " + describe(message), e);
      if (message instanceof JSONRPCRequest request) {
        writeQuietly(errorNode(request.id(), ErrorCodes.INTERNAL_ERROR,
            "Internal error (incident " + incident + "; details in the server log)"), request.id());
      }
    }
  }

  private void end(String reason) {
    if (endReason.compareAndSet(null, reason)) {
      LOG.info("MCP session input ended: {}", reason);
      ended.countDown();
    }
  }

  // ---- output --------------------------------------------------------------------------------------------------

  /**
   * Serializes and queues one message; for an answer, marks its request answered once written.
   *
   * @throws IllegalStateException when the output is closed or has failed
   */
  private void send(JSONRPCMessage message) {
    JSONRPCMessage out = message instanceof JSONRPCResponse r ? ProtocolErrors.sanitize(r) : message;
    Object early = earlyId.get();
    if (early != null && out instanceof JSONRPCResponse r && early.equals(r.id())
        && earlyId.compareAndSet(early, null)) {
      checkEarlyAnswer(r);
      return;
    }
    byte[] bytes;
    ReusableBytes line = LINE_BUFFERS.take();
    try {
      compact.writeValue(line, out);
      bytes = line.toByteArray();
    } catch (IOException | RuntimeException e) {
      if (!(out instanceof JSONRPCResponse r)) {
        throw new IllegalArgumentException("cannot serialize " + describe(out), e);
      }
      String incident = Incidents.record(LOG, "cannot serialize the answer to request " + r.id(), e);
      bytes = bytes(errorNode(r.id(), ErrorCodes.INTERNAL_ERROR,
          "Internal error (incident " + incident + "; details in the server log)"));
    } finally {
      line.reset();
      LINE_BUFFERS.give(line);
    }
    Object answered = out instanceof JSONRPCResponse r ? r.id() : null;
    if (!writer.submit(bytes, answered == null ? null : () -> pending.answered(answered))) {
      throw new IllegalStateException("the MCP output is closed (" + Objects.requireNonNullElse(endReason.get(),
          "transport closed") + ")");
    }
  }

  /** The session's answer to the initialize answered early: not written again, but it must be the same. */
  private void checkEarlyAnswer(JSONRPCResponse response) {
    pending.answered(response.id());
    byte[] sessionAnswer;
    try {
      sessionAnswer = compact.writeValueAsBytes(response);
    } catch (JsonProcessingException | RuntimeException e) {
      sessionAnswer = new byte[0];
    }
    if (!Arrays.equals(sessionAnswer, earlyAnswer)) {
      earlyAnswerDiffered = true;
      LOG.error("The initialize answer written at start-up differs from the MCP server's: {} / {}",
          Echo.message(new String(earlyAnswer, StandardCharsets.UTF_8)),
          Echo.message(new String(sessionAnswer, StandardCharsets.UTF_8)));
    }
  }

  private void writeQuietly(Object node, Object answeredId) {
    byte[] bytes = bytes(node);
    if (!writer.submit(bytes, answeredId == null ? null : () -> pending.answered(answeredId))) {
      LOG.debug("Output closed: an error answer was not written");
    }
  }

  private byte[] bytes(Object node) {
    try {
      return compact.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      // a tree of strings and numbers built here always serializes
      throw new IllegalStateException(e);
    }
  }

  private static ObjectNode errorNode(Object id, int code, String message) {
    ObjectNode r = JsonNodeFactory.instance.objectNode();
    r.put("jsonrpc", "2.0");
    if (id instanceof Number n) {
      r.put("id", n.longValue());
    } else if (id != null) {
      r.put("id", id.toString());
    } else {
      r.putNull("id");
    }
    r.putObject("error").put("code", code).put("message", message);
    return r;
  }

  private void outputFailed(IOException e) {
    LOG.warn("Cannot write to the MCP client (it is gone?): {}", e.getMessage());
    pending.abandon();
    end("stdout write failed");
  }

  private static String describe(JSONRPCMessage m) {
    if (m instanceof JSONRPCRequest r) {
      return "request " + Echo.value(String.valueOf(r.id())) + " " + Echo.value(r.method());
    }
    if (m instanceof JSONRPCNotification n) {
      return "notification " + Echo.value(n.method());
    }
    if (m instanceof JSONRPCResponse r) {
      return "response " + Echo.value(String.valueOf(r.id()));
    }
    return "message";
  }

  private static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** The session's view of this transport. */
  private final class SessionTransport implements McpServerTransport {
    @Override
    public Mono<Void> sendMessage(JSONRPCMessage message) {
      return Mono.fromRunnable(() -> send(message));
    }

    @Override
    public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
      return jsonMapper.convertValue(data, typeRef);
    }

    @Override
    public Mono<Void> closeGracefully() {
      return Mono.fromRunnable(StdioTransportProvider.this::shutdown);
    }

    @Override
    public void close() {
      shutdown();
    }
  }
}
