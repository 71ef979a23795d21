package dev.orch.agents;

import io.a2a.client.http.A2ACardResolver;
import io.a2a.client.http.JdkA2AHttpClient;
import io.a2a.client.transport.jsonrpc.JSONRPCTransport;
import io.a2a.spec.A2AClientException;
import io.a2a.spec.AgentCard;
import io.a2a.spec.EventKind;
import io.a2a.spec.Message;
import io.a2a.spec.MessageSendConfiguration;
import io.a2a.spec.MessageSendParams;
import io.a2a.spec.StreamingEventKind;
import io.a2a.spec.Task;
import io.a2a.spec.TaskIdParams;
import io.a2a.spec.TaskQueryParams;
import io.a2a.spec.TextPart;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A thin test client over the A2A Java SDK's own JSON-RPC transport ({@link JSONRPCTransport}, protocol 0.3.0):
 * resolves the card, sends blocking / non-blocking / streaming messages that carry
 * {@code metadata.nanobot_orchestrator.cwd}, gets and cancels tasks.
 */
final class A2aTestClient implements AutoCloseable {
  private final AgentCard card;
  private final JSONRPCTransport transport;

  A2aTestClient(String baseUrl) throws Exception {
    this.card = new A2ACardResolver(new JdkA2AHttpClient(), baseUrl).getAgentCard();
    this.transport = new JSONRPCTransport(card);
  }

  AgentCard card() {
    return card;
  }

  /** A user message; cwd goes to metadata.nanobot_orchestrator.cwd when not null. */
  static Message message(String text, String cwd, String contextId, String taskId) {
    Map<String, Object> meta = new HashMap<>();
    if (cwd != null) {
      meta.put("nanobot_orchestrator", Map.of("cwd", cwd));
    }
    return new Message.Builder().role(Message.Role.USER).parts(List.of(new TextPart(text)))
        .messageId(UUID.randomUUID().toString()).contextId(contextId).taskId(taskId).metadata(meta).build();
  }

  EventKind send(Message message, boolean blocking) throws A2AClientException {
    return transport.sendMessage(new MessageSendParams.Builder().message(message)
        .configuration(new MessageSendConfiguration.Builder().blocking(blocking).acceptedOutputModes(List.of("text"))
            .build()).build(), null);
  }

  Task sendBlocking(Message message) throws A2AClientException {
    return (Task) send(message, true);
  }

  /** Streams; the returned future completes when the stream ends (or fails). */
  CompletableFuture<Void> stream(Message message, List<StreamingEventKind> events) throws A2AClientException {
    CompletableFuture<Void> done = new CompletableFuture<>();
    transport.sendMessageStreaming(new MessageSendParams.Builder().message(message).build(), e -> {
      events.add(e);
    }, err -> {
      if (err == null) {
        done.complete(null);
      } else {
        done.completeExceptionally(err);
      }
    }, null);
    return done;
  }

  static List<StreamingEventKind> events() {
    return new CopyOnWriteArrayList<>();
  }

  Task getTask(String taskId) throws A2AClientException {
    return transport.getTask(new TaskQueryParams(taskId), null);
  }

  Task cancel(String taskId) throws A2AClientException {
    return transport.cancelTask(new TaskIdParams(taskId), null);
  }

  @Override
  public void close() {
    transport.close();
  }
}
