package dev.orch.agents.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.a2a.common.A2AHeaders;
import io.a2a.server.ServerCallContext;
import io.a2a.server.auth.UnauthenticatedUser;
import io.a2a.server.extensions.A2AExtensions;
import io.a2a.spec.AuthenticatedExtendedCardNotConfiguredError;
import io.a2a.spec.CancelTaskRequest;
import io.a2a.spec.DeleteTaskPushNotificationConfigRequest;
import io.a2a.spec.GetAuthenticatedExtendedCardRequest;
import io.a2a.spec.GetTaskPushNotificationConfigRequest;
import io.a2a.spec.GetTaskRequest;
import io.a2a.spec.IdJsonMappingException;
import io.a2a.spec.InternalError;
import io.a2a.spec.InvalidParamsError;
import io.a2a.spec.InvalidParamsJsonMappingException;
import io.a2a.spec.InvalidRequestError;
import io.a2a.spec.JSONParseError;
import io.a2a.spec.JSONRPCError;
import io.a2a.spec.JSONRPCErrorResponse;
import io.a2a.spec.JSONRPCResponse;
import io.a2a.spec.ListTaskPushNotificationConfigRequest;
import io.a2a.spec.MethodNotFoundError;
import io.a2a.spec.MethodNotFoundJsonMappingException;
import io.a2a.spec.NonStreamingJSONRPCRequest;
import io.a2a.spec.PushNotificationNotSupportedError;
import io.a2a.spec.SendMessageRequest;
import io.a2a.spec.SendStreamingMessageRequest;
import io.a2a.spec.SendStreamingMessageResponse;
import io.a2a.spec.SetTaskPushNotificationConfigRequest;
import io.a2a.spec.StreamingJSONRPCRequest;
import io.a2a.spec.TaskResubscriptionRequest;
import io.a2a.spec.UnsupportedOperationError;
import io.a2a.transport.jsonrpc.handler.JSONRPCHandler;
import io.a2a.util.Utils;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves A2A JSON-RPC 2.0 (protocol 0.3.0) over the JDK's HTTP server (REAL-PEERS "A2A peers": no Quarkus):
 * {@code POST} a JSON-RPC request; {@code message/stream} and {@code tasks/resubscribe} answer as
 * {@code text/event-stream} ({@code data: <JSON-RPC response>} per event), every other method as one JSON object.
 * Malformed JSON → -32700, a request that is not JSON-RPC → -32600, an unknown method → -32601, bad params → -32602;
 * the methods A2A 0.3 defines that a test agent does not offer answer with their own A2A codes: the four
 * {@code tasks/pushNotificationConfig/*} methods → -32003 (PushNotificationNotSupportedError; the card says
 * {@code pushNotifications: false}), {@code agent/getAuthenticatedExtendedCard} → -32007
 * (AuthenticatedExtendedCardNotConfiguredError). All with HTTP 200, as JSON-RPC over HTTP does. Stateless apart
 * from the wrapped {@link JSONRPCHandler}.
 */
public final class JsonRpcHttpHandler implements HttpHandler {
  private static final Logger LOG = LoggerFactory.getLogger(JsonRpcHttpHandler.class);
  private static final Set<String> PUSH_METHODS = Set.of(SetTaskPushNotificationConfigRequest.METHOD,
      GetTaskPushNotificationConfigRequest.METHOD, ListTaskPushNotificationConfigRequest.METHOD,
      DeleteTaskPushNotificationConfigRequest.METHOD);

  private final JSONRPCHandler handler;

  /** @param handler the SDK's JSON-RPC dispatcher */
  public JsonRpcHttpHandler(JSONRPCHandler handler) {
    this.handler = handler;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!"POST".equals(exchange.getRequestMethod())) {
        exchange.getResponseHeaders().add("Allow", "POST");
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      serve(exchange, body);
    } catch (IOException e) {
      LOG.debug("client went away: {}", e.toString());
    }
  }

  private void serve(HttpExchange exchange, byte[] body) throws IOException {
    JsonNode node;
    try {
      node = Utils.OBJECT_MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      writeJson(exchange, new JSONRPCErrorResponse(null, new JSONParseError(e.getOriginalMessage())));
      return;
    }
    if (node == null || !node.isObject()) {
      writeJson(exchange, new JSONRPCErrorResponse(null, new InvalidRequestError("expected a JSON-RPC request object")));
      return;
    }
    String method = node.path("method").isTextual() ? node.get("method").asText() : null;
    JSONRPCError unsupported = unsupported(method);
    if (unsupported != null && node.path("jsonrpc").asText().equals("2.0")) {
      // answered by method name, whatever the params: the feature is absent, not the request malformed
      writeJson(exchange, new JSONRPCErrorResponse(idOf(node), unsupported));
      return;
    }
    ServerCallContext context = callContext(exchange);
    boolean streaming = SendStreamingMessageRequest.METHOD.equals(method) || TaskResubscriptionRequest.METHOD.equals(method);
    try {
      if (streaming) {
        StreamingJSONRPCRequest<?> request = Utils.OBJECT_MAPPER.treeToValue(node, StreamingJSONRPCRequest.class);
        Flow.Publisher<SendStreamingMessageResponse> events = request instanceof SendStreamingMessageRequest r
            ? handler.onMessageSendStream(r, context)
            : handler.onResubscribeToTask((TaskResubscriptionRequest) request, context);
        writeEvents(exchange, events);
      } else {
        NonStreamingJSONRPCRequest<?> request = Utils.OBJECT_MAPPER.treeToValue(node, NonStreamingJSONRPCRequest.class);
        writeJson(exchange, dispatch(request, context));
      }
    } catch (JsonProcessingException e) {
      writeJson(exchange, mappingError(e, node));
    } catch (RuntimeException | Error e) {
      LOG.warn("JSON-RPC {} failed", method, e);
      writeJson(exchange, new JSONRPCErrorResponse(idOf(node), new InternalError(String.valueOf(e.getMessage()))));
    }
  }

  private JSONRPCResponse<?> dispatch(NonStreamingJSONRPCRequest<?> request, ServerCallContext context) {
    if (request instanceof SendMessageRequest r) {
      return handler.onMessageSend(r, context);
    } else if (request instanceof GetTaskRequest r) {
      return handler.onGetTask(r, context);
    } else if (request instanceof CancelTaskRequest r) {
      return handler.onCancelTask(r, context);
    }
    return new JSONRPCErrorResponse(request.getId(), new UnsupportedOperationError());
  }

  /** @return the A2A error of a method A2A 0.3 defines but the test agents do not offer, else null */
  private static JSONRPCError unsupported(String method) {
    if (method == null) {
      return null;
    }
    if (PUSH_METHODS.contains(method)) {
      return new PushNotificationNotSupportedError();
    }
    if (GetAuthenticatedExtendedCardRequest.METHOD.equals(method)) {
      return new AuthenticatedExtendedCardNotConfiguredError();
    }
    return null;
  }

  private static JSONRPCErrorResponse mappingError(JsonProcessingException e, JsonNode node) {
    JSONRPCError error;
    Object id = idOf(node);
    if (e instanceof MethodNotFoundJsonMappingException m) {
      id = m.getId();
      error = new MethodNotFoundError();
    } else if (e instanceof InvalidParamsJsonMappingException m) {
      id = m.getId();
      error = new InvalidParamsError(e.getOriginalMessage());
    } else if (e instanceof IdJsonMappingException m) {
      id = m.getId();
      error = new InvalidRequestError(e.getOriginalMessage());
    } else {
      error = new InvalidRequestError(e.getOriginalMessage());
    }
    return new JSONRPCErrorResponse(id, error);
  }

  private static Object idOf(JsonNode node) {
    JsonNode id = node.get("id");
    if (id == null || id.isNull()) {
      return null;
    }
    // the SDK's responses accept only null, String or Integer ids
    return id.isIntegralNumber() && id.canConvertToInt() ? (Object) id.asInt() : id.asText();
  }

  private static ServerCallContext callContext(HttpExchange exchange) {
    Map<String, String> headers = new HashMap<>();
    exchange.getRequestHeaders().forEach((k, v) -> headers.put(k, v.isEmpty() ? "" : v.get(0)));
    Map<String, Object> state = new HashMap<>();
    state.put("headers", headers);
    List<String> ext = exchange.getRequestHeaders().getOrDefault(A2AHeaders.X_A2A_EXTENSIONS, List.of());
    return new ServerCallContext(UnauthenticatedUser.INSTANCE, state, A2AExtensions.getRequestedExtensions(ext));
  }

  private static void writeJson(HttpExchange exchange, Object response) throws IOException {
    byte[] bytes = Utils.toJsonString(response).getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Writes each response as one SSE event, flushing as it goes; returns when the stream ends or the client left. */
  private static void writeEvents(HttpExchange exchange, Flow.Publisher<SendStreamingMessageResponse> events)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
    exchange.getResponseHeaders().set("Cache-Control", "no-cache");
    exchange.sendResponseHeaders(200, 0);
    OutputStream out = exchange.getResponseBody();
    CountDownLatch done = new CountDownLatch(1);
    events.subscribe(new Flow.Subscriber<>() {
      private Flow.Subscription subscription;
      private long id;

      @Override
      public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        s.request(1);
      }

      @Override
      public void onNext(SendStreamingMessageResponse item) {
        try {
          String event = "data: " + Utils.toJsonString(item) + "\nid: " + id++ + "\n\n";
          out.write(event.getBytes(StandardCharsets.UTF_8));
          out.flush();
          subscription.request(1);
        } catch (IOException e) {
          LOG.debug("stream client went away: {}", e.toString());
          subscription.cancel();
          done.countDown();
        }
      }

      @Override
      public void onError(Throwable throwable) {
        LOG.warn("event stream failed", throwable);
        done.countDown();
      }

      @Override
      public void onComplete() {
        done.countDown();
      }
    });
    try {
      done.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    out.close();
  }
}
