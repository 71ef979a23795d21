package dev.orch.mcp.internal;

import dev.orch.core.NormalizedEvent;
import dev.orch.core.RunListener;
import dev.orch.core.RunStatus;
import dev.orch.core.RunSummary;
import io.modelcontextprotocol.server.McpAsyncServer;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the MCP client about run changes (SPEC §12.9): {@code notifications/resources/updated} for
 * {@code orch://runs/<id>} (and the lists {@code orch://runs} and {@code orch://backends}) on every status change and
 * for {@code orch://runs/<id>/events} on new events — the SDK sends them only to sessions that subscribed to the URI —
 * and one logging notification per status change (level by status: failed → error, rejected → warning, waiting and
 * cancelled → notice, completed → info, running and queued → debug). Best effort; never throws.
 */
public final class RunNotifier implements RunListener {
  private static final Logger LOG = LoggerFactory.getLogger(RunNotifier.class);

  private final ClientSession session;
  private volatile McpAsyncServer server;

  /** @param session the client session (for logging notifications) */
  public RunNotifier(ClientSession session) {
    this.session = session;
  }

  /** Starts sending resource updates through the server (called once it is built). @param s the server */
  public void bind(McpAsyncServer s) {
    this.server = s;
  }

  @Override
  public void eventsPublished(RunSummary run, List<NormalizedEvent> events) {
    updated(RunResources.eventsUri(run.runId().value()));
  }

  @Override
  public void statusChanged(RunSummary run, RunStatus previous) {
    updated(RunResources.runUri(run.runId().value()));
    updated(RunResources.RUNS);
    updated(RunResources.BACKENDS);
    session.log(level(run.status()), "run " + run.runId().value() + " (" + run.backend() + ", agent "
        + run.agentName() + ") is " + run.status().wire() + ": " + run.summary());
  }

  private void updated(String uri) {
    McpAsyncServer s = server;
    if (s == null) {
      return;
    }
    try {
      s.notifyResourcesUpdated(new McpSchema.ResourcesUpdatedNotification(uri)).subscribe(v -> {
      }, e -> LOG.debug("resource update for {} could not be sent: {}", uri, e.toString()));
    } catch (RuntimeException e) {
      LOG.debug("resource update for {} could not be sent: {}", uri, e.toString());
    }
  }

  /** @return the logging level of a status change */
  static McpSchema.LoggingLevel level(RunStatus s) {
    return switch (s) {
      case FAILED -> McpSchema.LoggingLevel.ERROR;
      case REJECTED -> McpSchema.LoggingLevel.WARNING;
      case INPUT_REQUIRED, AUTH_REQUIRED, CANCELLED -> McpSchema.LoggingLevel.NOTICE;
      case COMPLETED -> McpSchema.LoggingLevel.INFO;
      case RUNNING, QUEUED -> McpSchema.LoggingLevel.DEBUG;
    };
  }
}
