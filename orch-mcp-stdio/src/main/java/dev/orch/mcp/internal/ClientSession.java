package dev.orch.mcp.internal;

import io.modelcontextprotocol.server.McpAsyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MCP session of the stdio client, as seen through the exchange of its latest request (tool call or resource
 * read). The SDK hands a session to request handlers only; Orch needs it outside requests too, for logging
 * notifications and elicitations about runs (SPEC §12.9). Over stdio there is one client, so the latest exchange is
 * its session. Before the client's first tool call or resource read there is none, and nothing is sent.
 *
 * <p>Logging notifications go through the SDK, which drops those below the level the client set with
 * {@code logging/setLevel} (default info). Thread-safe.
 */
public final class ClientSession {
  private static final Logger LOG = LoggerFactory.getLogger(ClientSession.class);
  /** The logger name of Orch's logging notifications. */
  public static final String LOGGER = "orch";

  private final AtomicReference<McpAsyncServerExchange> exchange = new AtomicReference<>();

  /** Remembers the session of a request. @param e the request's exchange */
  public void seen(McpAsyncServerExchange e) {
    if (e != null) {
      exchange.set(e);
    }
  }

  /** @return the client's session, if it made a request yet */
  public Optional<McpAsyncServerExchange> current() {
    return Optional.ofNullable(exchange.get());
  }

  /** @return true when the client declared the {@code elicitation} capability */
  public boolean canElicit() {
    McpAsyncServerExchange e = exchange.get();
    return e != null && e.getClientCapabilities() != null && e.getClientCapabilities().elicitation() != null;
  }

  /**
   * Sends a logging notification (asynchronously, best effort; the SDK applies the client's level).
   *
   * @param level the level
   * @param message one line
   */
  public void log(McpSchema.LoggingLevel level, String message) {
    McpAsyncServerExchange e = exchange.get();
    if (e == null) {
      return;
    }
    e.loggingNotification(McpSchema.LoggingMessageNotification.builder(level, message).logger(LOGGER).build()).subscribe(v -> {
        }, err -> LOG.debug("a logging notification could not be sent: {}", err.toString()));
  }
}
