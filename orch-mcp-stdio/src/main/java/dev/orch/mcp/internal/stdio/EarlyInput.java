package dev.orch.mcp.internal.stdio;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The protocol input read from the first instant of the process, before the MCP server exists (issue 8: start-up).
 * A reader thread ({@code orch-mcp-stdin}) splits stdin into lines and queues them (at most {@link #QUEUE_LINES}
 * ahead of the transport; then it waits, as a blocked pipe would). When the first non-blank line is an
 * {@code initialize} request that the session is certain to accept ({@link InitializeLine}), it answers it at once
 * from the {@link Handshake}: a client gets its {@code initialize} answer while the engine, the backends and the
 * SDK server are still loading, and its next requests wait in the queue until the server reads them.
 *
 * <p>The early answer is written straight to the protocol output under a lock. {@link #handOver} takes that lock,
 * ends early answering for good and tells the transport which request was answered, so that the session's own
 * answer to it is not written a second time ({@link StdioTransportProvider}); the transport creates its writer only
 * after the hand-over, so the output never interleaves. Uses no logging, no Jackson and no lambdas (each costs
 * start-up time, see {@link InitializeLine}); no class of the MCP SDK is loaded here.
 *
 * <p>Thread-safe; {@link #next} is for one consumer.
 */
public final class EarlyInput implements LineSource {
  /** Lines read ahead of the transport, at most. */
  public static final int QUEUE_LINES = 256;

  private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(QUEUE_LINES);
  private final InputStream in;
  private final OutputStream out;
  private final Handshake handshake;
  private final Object lock = new Object();
  private boolean handedOver;
  private boolean firstSeen;
  private Answered answered;
  private boolean ended;
  /** True once a line was read that may need an answer (anything but the early-answered one and notifications). */
  private boolean owed;
  private final Runnable endedBeforeHandOver;

  /** The end of the input: EOF ({@code failure} null) or a read failure. */
  private record End(IOException failure) {
  }

  /**
   * What was answered early.
   *
   * @param id the request id (String, Integer or Long, as {@link InboundDecoder} decodes it)
   * @param answer the answer line written, without its line end
   */
  public record Answered(Object id, byte[] answer) {
  }

  private EarlyInput(InputStream in, OutputStream out, Handshake handshake, Runnable endedBeforeHandOver) {
    this.in = Objects.requireNonNull(in, "in");
    this.out = Objects.requireNonNull(out, "out");
    this.handshake = Objects.requireNonNull(handshake, "handshake");
    this.endedBeforeHandOver = Objects.requireNonNull(endedBeforeHandOver, "endedBeforeHandOver");
  }

  /**
   * Starts reading {@code in} now.
   *
   * @param in the protocol input, e.g. stdin
   * @param out the protocol output the early answer goes to; the transport given this input writes to it later
   * @param handshake the server's initialize answer (it must equal what the MCP server built later answers)
   * @return the input, to give to {@link StdioTransportProvider}
   */
  public static EarlyInput start(InputStream in, OutputStream out, Handshake handshake) {
    return start(in, out, handshake, () -> { });
  }

  /**
   * Starts reading {@code in} now; when the input ends before the transport took it over, after an early-answered
   * {@code initialize}, and nothing read needs an answer (only notifications and blank lines came after it), runs
   * {@code endedBeforeHandOver} on the reader thread — e.g. to exit at once instead of finishing a start-up nobody
   * waits for (SPEC §10: exit within 1 s of stdin EOF). An input that ends with no line at all does not count (a
   * start with stdin from {@code /dev/null} still builds everything, so a bad setting is still reported).
   *
   * @param in the protocol input, e.g. stdin
   * @param out the protocol output the early answer goes to
   * @param handshake the server's initialize answer
   * @param endedBeforeHandOver what to do then (it may exit the process)
   * @return the input, to give to {@link StdioTransportProvider}
   */
  public static EarlyInput start(InputStream in, OutputStream out, Handshake handshake,
      Runnable endedBeforeHandOver) {
    EarlyInput input = new EarlyInput(in, out, handshake, endedBeforeHandOver);
    LineReader lines = new LineReader(in, StdioTransportProvider.MAX_LINE_BYTES);
    try {
      // A client usually writes initialize right after starting the process: when its bytes are there already,
      // answer it on this thread, before the rest of start-up competes with it for the CPU.
      if (in.available() > 0 && !input.step(lines)) {
        return input;
      }
    } catch (IOException e) {
      // available() failed (e.g. stdin is closed): the reader thread meets the same failure and reports it
    }
    // an anonymous class, not a lambda: when this thread answers initialize, the JVM's first lambda (which
    // bootstraps java.lang.invoke, several ms) would otherwise be on the way to that answer
    Thread t = new Thread(new Runnable() {
      @Override
      public void run() {
        input.readLoop(lines);
      }
    }, "orch-mcp-stdin");
    t.setDaemon(true);
    t.start();
    return input;
  }

  /**
   * Ends early answering (no line read after this call is answered here) and returns what was answered.
   *
   * @return the early-answered request and its answer, or null when none was
   */
  public Answered handOver() {
    synchronized (lock) {
      handedOver = true;
      return answered;
    }
  }

  /** @return the protocol output given to {@link #start} */
  OutputStream output() {
    return out;
  }

  @Override
  public LineReader.Line next() throws IOException {
    if (ended) {
      return null;
    }
    Object item;
    try {
      item = queue.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for input");
    }
    if (item instanceof End end) {
      ended = true;
      if (end.failure() != null) {
        throw end.failure();
      }
      return null;
    }
    return (LineReader.Line) item;
  }

  private void readLoop(LineReader lines) {
    while (step(lines)) {
      // reads until the input ends
    }
  }

  /** Reads, maybe answers and queues one line; at the end of the input queues the end and returns false. */
  private boolean step(LineReader lines) {
    Object item;
    try {
      LineReader.Line line = lines.next();
      if (line != null) {
        maybeAnswer(line);
      }
      item = line == null ? new End(null) : line;
    } catch (IOException e) {
      item = new End(e);
    }
    if (item instanceof End) {
      boolean nothingOwed;
      synchronized (lock) {
        nothingOwed = !handedOver && !owed && answered != null;
      }
      if (nothingOwed) {
        endedBeforeHandOver.run();
      }
    }
    try {
      queue.put(item);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    return !(item instanceof End);
  }

  private void maybeAnswer(LineReader.Line line) {
    if (line.tooLong()) {
      markOwed();
      return;
    }
    if (LineReader.blank(line.bytes())) {
      return;
    }
    if (firstSeen) {
      if (!InitializeLine.isNotification(line.bytes())) {
        markOwed();
      }
      return;
    }
    firstSeen = true;
    synchronized (lock) {
      if (handedOver) {
        return;
      }
      InitializeLine.Request request = InitializeLine.parse(line.bytes());
      if (request == null) {
        owed = true;
        return;
      }
      byte[] answer = InitializeLine.answer(request, handshake, Handshake.PROTOCOL_VERSIONS);
      try {
        out.write(answer);
        out.write('\n');
        out.flush();
        answered = new Answered(request.id(), answer);
      } catch (IOException e) {
        // the client is gone: the transport's own first write fails the same way and ends the session
        owed = true;
      }
    }
  }

  private void markOwed() {
    synchronized (lock) {
      owed = true;
    }
  }

}
