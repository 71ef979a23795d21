package dev.orch.mcp.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits between stdin and the SDK's stdio transport. It passes through only lines that are JSON-RPC 2.0 messages,
 * answers the others itself, and reports the end of the input.
 *
 * <ul>
 *   <li>The SDK transport stops reading for good at the first line it cannot deserialize, which would leave a
 *       deaf process behind. Here a line that is not JSON gets {@code -32700 Parse error}, a JSON value that is not a
 *       JSON-RPC message gets {@code -32600 Invalid Request} (JSON-RPC 2.0 §5.1), written to the protocol output
 *       under the same lock the SDK uses; blank lines are skipped; the server keeps serving.</li>
 *   <li>At EOF or on a read error {@code onEnd} runs once: the SDK does not end the process on stdin EOF while
 *       other non-daemon threads live (REAL-PEERS "MCP peers"); SPEC §10 wants an exit. The transport itself sees
 *       the EOF only after {@link #release()}, so answers to earlier requests still get written.</li>
 * </ul>
 *
 * <p>Read by one thread (the transport's reader).
 */
public final class ProtocolInputFilter extends InputStream {
  /** Longest accepted line, bytes (the SDK's own inbound limit). */
  public static final int MAX_LINE_BYTES = 16 * 1024 * 1024;

  private static final Logger LOG = LoggerFactory.getLogger(ProtocolInputFilter.class);
  /** The id of answers to requests whose id cannot be read. */
  private static final JsonNode NULL_ID = NullNode.getInstance();

  private final InputStream in;
  private final OutputStream out;
  private final ObjectMapper mapper;
  private final Runnable onEnd;
  private final PendingRequests pending;
  private final CountDownLatch released = new CountDownLatch(1);
  private final AtomicBoolean ended = new AtomicBoolean();
  private final ByteArrayOutputStream lineBuffer = new ByteArrayOutputStream(8192);
  private byte[] current = new byte[0];
  private int pos;

  /**
   * @param in the raw protocol input (stdin)
   * @param out the protocol output shared with the SDK transport (error answers are written under its monitor)
   * @param mapper JSON mapper
   * @param pending records the ids of requests passed on
   * @param onEnd called once at EOF or on the first read error, on the reading thread
   */
  public ProtocolInputFilter(InputStream in, OutputStream out, ObjectMapper mapper, PendingRequests pending,
      Runnable onEnd) {
    this.in = new BufferedInputStream(in, 1 << 16);
    this.out = out;
    this.mapper = mapper;
    this.pending = pending;
    this.onEnd = onEnd;
  }

  /**
   * Lets the transport see the end of the input. Until then a reader that reached EOF waits here, so the SDK keeps
   * writing the answers to requests that came before the EOF (it drops answers once it has seen EOF).
   */
  public void release() {
    released.countDown();
  }

  @Override
  public int read() throws IOException {
    if (!fill()) {
      return -1;
    }
    return current[pos++] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (!fill()) {
      return -1;
    }
    int n = Math.min(len, current.length - pos);
    System.arraycopy(current, pos, b, off, n);
    pos += n;
    return n;
  }

  @Override
  public int available() {
    return current.length - pos;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  /** @return true when bytes of an accepted line are ready; false at the end of the input */
  private boolean fill() throws IOException {
    while (pos >= current.length) {
      byte[] line;
      try {
        line = nextLine();
      } catch (IOException e) {
        end();
        released.countDown();
        throw e;
      }
      if (line == null) {
        end();
        try {
          released.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return false;
      }
      if (accept(line)) {
        current = new byte[line.length + 1];
        System.arraycopy(line, 0, current, 0, line.length);
        current[line.length] = '\n';
        pos = 0;
      }
    }
    return true;
  }

  /** @return the next line without its terminator, or null at EOF with nothing pending */
  private byte[] nextLine() throws IOException {
    lineBuffer.reset();
    boolean tooLong = false;
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      if (lineBuffer.size() < MAX_LINE_BYTES) {
        lineBuffer.write(b);
      } else {
        tooLong = true;
      }
    }
    if (b < 0 && lineBuffer.size() == 0) {
      return null;
    }
    if (tooLong) {
      LOG.warn("Dropping an input line longer than {} bytes", MAX_LINE_BYTES);
      reply(NULL_ID, -32600, "Invalid Request: message longer than " + MAX_LINE_BYTES + " bytes");
      return new byte[0];
    }
    byte[] line = lineBuffer.toByteArray();
    int len = line.length;
    if (len > 0 && line[len - 1] == '\r') {
      byte[] trimmed = new byte[len - 1];
      System.arraycopy(line, 0, trimmed, 0, len - 1);
      return trimmed;
    }
    return line;
  }

  private boolean accept(byte[] line) throws IOException {
    if (new String(line, StandardCharsets.UTF_8).isBlank()) {
      return false;
    }
    JsonNode n;
    try {
      n = mapper.readTree(line);
    } catch (IOException e) {
      LOG.warn("Input line is not JSON: {}", e.getMessage());
      reply(NULL_ID, -32700, "Parse error");
      return false;
    }
    boolean message = n != null && n.isObject() && "2.0".equals(n.path("jsonrpc").asText(null))
        && (n.path("method").isTextual() || (n.has("id") && (n.has("result") || n.has("error"))));
    if (!message) {
      LOG.warn("Input line is not a JSON-RPC 2.0 message");
      JsonNode id = n != null && n.isObject() ? n.get("id") : null;
      reply(id != null && (id.isTextual() || id.isIntegralNumber()) ? id : NULL_ID, -32600,
          "Invalid Request");
      return false;
    }
    JsonNode id = n.get("id");
    if (n.has("method") && id != null && !id.isNull()) {
      pending.requested(id.toString());
    }
    return true;
  }

  private void reply(JsonNode id, int code, String message) throws IOException {
    ObjectNode r = mapper.createObjectNode();
    r.put("jsonrpc", "2.0");
    r.set("id", id);
    r.putObject("error").put("code", code).put("message", message);
    byte[] bytes = mapper.writeValueAsBytes(r);
    synchronized (out) {
      out.write(bytes);
      out.write('\n');
      out.flush();
    }
  }

  private void end() {
    if (ended.compareAndSet(false, true)) {
      onEnd.run();
    }
  }

}
