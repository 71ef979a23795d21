package dev.orch.mcp.internal;

import io.modelcontextprotocol.server.McpAsyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ProgressReporter} that sends {@code notifications/progress} with the request's token through the MCP
 * session of the call. Each report waits at most {@link #SEND_BOUND} for the transport to take it; a failure is
 * logged at debug level and otherwise ignored (SPEC §12.9: a failed notification never fails the call).
 */
final class McpProgress implements ProgressReporter {
  private static final Logger LOG = LoggerFactory.getLogger(McpProgress.class);
  /** Longest wait for one notification to be handed to the transport. */
  static final Duration SEND_BOUND = Duration.ofSeconds(2);

  private final McpAsyncServerExchange exchange;
  private final Object token;

  /**
   * @param exchange the call's session
   * @param token the request's {@code _meta.progressToken} (string or number)
   */
  McpProgress(McpAsyncServerExchange exchange, Object token) {
    this.exchange = Objects.requireNonNull(exchange, "exchange");
    this.token = Objects.requireNonNull(token, "token");
  }

  /** @return a reporter for the request, {@link ProgressReporter#NONE} when it has no token */
  static ProgressReporter of(McpAsyncServerExchange exchange, Object token) {
    return exchange == null || token == null ? ProgressReporter.NONE : new McpProgress(exchange, token);
  }

  @Override
  public boolean active() {
    return true;
  }

  @Override
  public void report(long progress, String message) {
    try {
      exchange.progressNotification(McpSchema.ProgressNotification.builder(token, progress).message(message).build())
          .block(SEND_BOUND);
    } catch (RuntimeException e) {
      LOG.debug("a progress notification could not be sent: {}", e.toString());
    }
  }
}
