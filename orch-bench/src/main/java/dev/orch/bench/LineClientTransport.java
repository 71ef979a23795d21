package dev.orch.bench;

import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCMessage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * An MCP stdio client transport for the SDK's {@code McpSyncClient} that reads the server's stdout in 64 KiB blocks.
 * Hand-written because the SDK's own {@code StdioClientTransport} (MCP Java SDK 2.1.0) reads its input one
 * {@code char} at a time through {@code BufferedReader.read()} into a {@code StringBuilder}: about 15 ms of client CPU
 * for one 256 KiB get_event_artifact answer (a 535 KB line), more than the server spends on it, so a benchmark
 * through it measures that loop. This transport does the rest as the SDK's does: every line is decoded as UTF-8 and
 * turned into a JSON-RPC message by the SDK ({@link McpSchema#deserializeJsonRpcMessage}), every byte of it.
 *
 * <p>Newline-delimited JSON-RPC 2.0 over the child's stdin/stdout (MCP stdio transport); stderr lines go to a
 * handler. Threads: one reader of stdout and one of stderr (daemons); {@link #sendMessage} may be called from any
 * thread (writes are serialized). The SDK's handler runs on the stdout reader, one message after the other, as the
 * SDK's transport runs it on its single inbound thread: a client feature that blocks on a later message would stall
 * it (the benchmark's servers send answers and notifications only).
 */
final class LineClientTransport implements McpClientTransport {
  private static final int BLOCK = 64 * 1024;

  private final List<String> command;
  private final Map<String, String> env;
  private final McpJsonMapper mapper;
  private final Consumer<String> stderr;
  private final Object writeLock = new Object();
  private volatile Process process;
  private volatile boolean closing;
  private volatile Consumer<Throwable> exceptionHandler = t -> {
  };

  /**
   * @param command the server's command line
   * @param env variables added to this JVM's environment for the server
   * @param mapper the SDK's JSON mapper (as given to {@code StdioClientTransport})
   * @param stderr receives each line the server writes on stderr
   */
  LineClientTransport(List<String> command, Map<String, String> env, McpJsonMapper mapper, Consumer<String> stderr) {
    this.command = List.copyOf(command);
    this.env = Map.copyOf(env);
    this.mapper = Objects.requireNonNull(mapper, "mapper");
    this.stderr = Objects.requireNonNull(stderr, "stderr");
  }

  @Override
  public Mono<Void> connect(Function<Mono<JSONRPCMessage>, Mono<JSONRPCMessage>> handler) {
    return Mono.fromRunnable(() -> {
      ProcessBuilder pb = new ProcessBuilder(command);
      pb.environment().putAll(env);
      try {
        process = pb.start();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start " + command, e);
      }
      daemon("bench-mcp-stdout", () -> readMessages(process.getInputStream(), handler));
      daemon("bench-mcp-stderr", () -> readErrors(process.getErrorStream()));
    });
  }

  @Override
  public void setExceptionHandler(Consumer<Throwable> handler) {
    this.exceptionHandler = Objects.requireNonNull(handler, "handler");
  }

  private void readMessages(InputStream in, Function<Mono<JSONRPCMessage>, Mono<JSONRPCMessage>> handler) {
    byte[] line = new byte[BLOCK];
    int used = 0;
    byte[] block = new byte[BLOCK];
    try {
      int n;
      while ((n = in.read(block)) > 0) {
        int from = 0;
        for (int i = 0; i < n; i++) {
          if (block[i] == '\n') {
            int len = i - from;
            line = ensure(line, used, len);
            System.arraycopy(block, from, line, used, len);
            used += len;
            deliver(new String(line, 0, used, StandardCharsets.UTF_8), handler);
            used = 0;
            from = i + 1;
          }
        }
        line = ensure(line, used, n - from);
        System.arraycopy(block, from, line, used, n - from);
        used += n - from;
      }
    } catch (IOException e) {
      if (!closing) {
        exceptionHandler.accept(e);
      }
    }
  }

  private static byte[] ensure(byte[] buf, int used, int more) {
    return used + more <= buf.length ? buf : Arrays.copyOf(buf, Math.max(buf.length * 2, used + more));
  }

  private void deliver(String text, Function<Mono<JSONRPCMessage>, Mono<JSONRPCMessage>> handler) {
    if (text.isBlank()) {
      return;
    }
    JSONRPCMessage message;
    try {
      message = McpSchema.deserializeJsonRpcMessage(mapper, text);
    } catch (IOException | RuntimeException e) {
      exceptionHandler.accept(e);
      return;
    }
    handler.apply(Mono.just(message)).subscribe(m -> {
    }, exceptionHandler::accept);
  }

  private void readErrors(InputStream err) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(err, StandardCharsets.UTF_8))) {
      String l;
      while ((l = r.readLine()) != null) {
        stderr.accept(l);
      }
    } catch (IOException e) {
      // the server is gone; its exit is seen by the caller
    }
  }

  @Override
  public Mono<Void> sendMessage(JSONRPCMessage message) {
    return Mono.fromRunnable(() -> {
      byte[] bytes;
      try {
        bytes = (mapper.writeValueAsString(message) + "\n").getBytes(StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      synchronized (writeLock) {
        try {
          OutputStream out = process.getOutputStream();
          out.write(bytes);
          out.flush();
        } catch (IOException e) {
          throw new UncheckedIOException("cannot write to the server", e);
        }
      }
    });
  }

  @Override
  public Mono<Void> closeGracefully() {
    return Mono.fromRunnable(() -> {
      closing = true;
      Process p = process;
      if (p == null) {
        return;
      }
      try {
        p.getOutputStream().close();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (IOException e) {
        p.destroyForcibly();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    });
  }

  @Override
  public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
    return mapper.convertValue(data, typeRef);
  }

  private static void daemon(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
  }
}
