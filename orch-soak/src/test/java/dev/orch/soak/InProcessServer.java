package dev.orch.soak;

import dev.orch.core.Orchestrator;
import dev.orch.mcp.OrchMcpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The real server wired in this JVM ({@link OrchMcpServer#start} on an {@link Orchestrator} with the file store and
 * every backend, codex being the fake codex) behind two OS pipes: lines written to {@link #send} reach the server's
 * stdio transport, every line it writes is queued for {@link #nextLine}. Used to drive hundreds of thousands of tool
 * calls through the whole dispatch path (guard, SDK, validation, tools) without a process per call.
 */
final class InProcessServer implements AutoCloseable {
  private final Orchestrator orchestrator;
  private final OrchMcpServer server;
  private final OutputStream toServer;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

  InProcessServer(SoakEnv env) throws IOException {
    Map<String, String> environment = new HashMap<>(System.getenv());
    environment.putAll(env.serverEnv());
    orchestrator = Orchestrator.builder().environment(environment).build();
    Pipe in = Pipe.open();
    Pipe out = Pipe.open();
    toServer = Channels.newOutputStream(in.sink());
    server = OrchMcpServer.start(orchestrator, Channels.newInputStream(in.source()),
        Channels.newOutputStream(out.sink()), 64);
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(Channels.newInputStream(out.source()),
          StandardCharsets.UTF_8), 1 << 16)) {
        String line;
        while ((line = r.readLine()) != null) {
          lines.add(line);
        }
      } catch (IOException e) {
        // closed
      }
    }, "in-process-server-out");
    reader.setDaemon(true);
    reader.start();
  }

  /** Writes one line (a newline is added). */
  void send(String line) throws IOException {
    toServer.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    toServer.flush();
  }

  /** @return the next line the server wrote, or null when none came within the timeout */
  String nextLine(long timeoutMs) throws InterruptedException {
    return lines.poll(timeoutMs, TimeUnit.MILLISECONDS);
  }

  /** @return true when the server's input is still being read (no EOF, no failed write) */
  boolean serving() throws InterruptedException {
    return !server.awaitInputEnd(0);
  }

  @Override
  public void close() {
    try {
      toServer.close();
    } catch (IOException e) {
      // already closed
    }
    server.close();
  }
}
