package dev.orch.mcp.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.BackendInfo;
import dev.orch.core.EventPage;
import dev.orch.core.OrchException;
import dev.orch.core.Orchestrator;
import dev.orch.core.RunRef;
import dev.orch.core.RunSummary;
import dev.orch.core.WireJson;
import io.modelcontextprotocol.server.McpAsyncServerExchange;
import io.modelcontextprotocol.server.McpServerFeatures.AsyncResourceSpecification;
import io.modelcontextprotocol.server.McpServerFeatures.AsyncResourceTemplateSpecification;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The MCP resources of SPEC §12.9, each a JSON document ({@code application/json}):
 * <ul>
 *   <li>{@code orch://runs} — {@code {runs: [RunSummary], total, truncated}}, newest first (at most
 *       {@value #MAX_RUNS});</li>
 *   <li>{@code orch://runs/{run_id}} (template) — the run's summary, as get_run answers;</li>
 *   <li>{@code orch://runs/{run_id}/events} (template) — {@code {run_id, status, last_seq, events}} with the run's latest
 *       {@value #RECENT_EVENTS} events (poll_events pages through all of them);</li>
 *   <li>{@code orch://backends} — what list_backends answers (probes cached ~30 s);</li>
 *   <li>{@code orch://workflow-templates} and {@code orch://profiles} — from their {@link Catalog}s.</li>
 * </ul>
 * Subscribing to a run's URI brings {@code notifications/resources/updated} on every status change
 * ({@link RunNotifier}). An unknown run answers the JSON-RPC error {@code -32002} (resource not found). Reads run on the
 * tool executor, never on the transport's threads.
 */
public final class RunResources {
  /** URI of the run list. */
  public static final String RUNS = "orch://runs";
  /** URI of the backend list. */
  public static final String BACKENDS = "orch://backends";
  /** URI of the workflow templates. */
  public static final String WORKFLOW_TEMPLATES = "orch://workflow-templates";
  /** URI of the profiles. */
  public static final String PROFILES = "orch://profiles";
  /** Most runs in {@code orch://runs}. */
  static final int MAX_RUNS = 500;
  /** Events in {@code orch://runs/{run_id}/events}. */
  static final int RECENT_EVENTS = 200;
  private static final String JSON_MIME = "application/json";
  private static final Pattern RUN_URI = Pattern.compile("^orch://runs/([^/]+)(/events)?$");

  /**
   * A list behind a resource that another part of the server fills (e.g. the workflow templates of SPEC §12.6).
   * Implementations answer a JSON document and may throw {@link OrchException}.
   */
  @FunctionalInterface
  public interface Catalog {
    /** @return the document */
    ObjectNode list();
  }

  private final Orchestrator orch;
  private final ResultRenderer renderer;
  private final ClientSession session;
  private final Scheduler scheduler;
  private final Catalog workflowTemplates;
  private final Catalog profiles;

  /**
   * @param orch the front door
   * @param renderer pretty JSON
   * @param session remembers the client's session from its reads
   * @param executor runs the reads
   * @param workflowTemplates what {@code orch://workflow-templates} lists
   * @param profiles what {@code orch://profiles} lists
   */
  public RunResources(Orchestrator orch, ResultRenderer renderer, ClientSession session, ExecutorService executor,
      Catalog workflowTemplates, Catalog profiles) {
    this.orch = orch;
    this.renderer = renderer;
    this.session = session;
    this.scheduler = Schedulers.fromExecutorService(executor, "orch-resources");
    this.workflowTemplates = workflowTemplates;
    this.profiles = profiles;
  }

  /** @return the URI of one run */
  public static String runUri(String runId) {
    return RUNS + "/" + runId;
  }

  /** @return the URI of one run's events */
  public static String eventsUri(String runId) {
    return RUNS + "/" + runId + "/events";
  }

  /** @return the fixed resources */
  public List<AsyncResourceSpecification> resources() {
    return List.of(
        fixed(RUNS, "runs", "Runs", "Every run Orch knows (live and stored, all cwds), newest first: summaries with "
            + "status, usage and the last seq", uri -> runs()),
        fixed(BACKENDS, "backends", "Backends", "The backends with availability, version, capabilities and live "
            + "running/queued counts (as list_backends)", uri -> backends()),
        fixed(WORKFLOW_TEMPLATES, "workflow-templates", "Workflow templates", "Workflow templates that "
            + "run_workflow can start", uri -> workflowTemplates.list()),
        fixed(PROFILES, "profiles", "Profiles", "Profiles (system-prompt files) known to this server",
            uri -> profiles.list()));
  }

  /** @return the run templates */
  public List<AsyncResourceTemplateSpecification> templates() {
    return List.of(
        new AsyncResourceTemplateSpecification(McpSchema.ResourceTemplate.builder(RUNS + "/{run_id}", "run").title("Run")
            .description("One run's summary (as get_run). Subscribe to hear of every status change.")
            .mimeType(JSON_MIME).build(), this::read),
        new AsyncResourceTemplateSpecification(McpSchema.ResourceTemplate.builder(RUNS + "/{run_id}/events", "run-events").title("Run events")
            .description("A run's latest " + RECENT_EVENTS + " events (use poll_events to page through all). "
                + "Subscribe to hear of new events.")
            .mimeType(JSON_MIME).build(), this::read));
  }

  private AsyncResourceSpecification fixed(String uri, String name, String title, String description,
      Function<String, ObjectNode> body) {
    return new AsyncResourceSpecification(McpSchema.Resource.builder(uri, name).title(title)
        .description(description).mimeType(JSON_MIME).build(),
        (exchange, request) -> answer(exchange, request.uri(), body));
  }

  private Mono<McpSchema.ReadResourceResult> read(McpAsyncServerExchange exchange, McpSchema.ReadResourceRequest r) {
    return answer(exchange, r.uri(), this::runDocument);
  }

  private Mono<McpSchema.ReadResourceResult> answer(McpAsyncServerExchange exchange, String uri,
      Function<String, ObjectNode> body) {
    return Mono.fromCallable(() -> {
      session.seen(exchange);
      ObjectNode doc;
      try {
        doc = body.apply(uri);
      } catch (OrchException e) {
        if (e.code() == OrchException.ErrorCode.NOT_FOUND) {
          throw McpError.builder(McpSchema.ErrorCodes.RESOURCE_NOT_FOUND).message(e.getMessage())
              .data(java.util.Map.of("uri", uri)).build();
        }
        throw McpError.builder(McpSchema.ErrorCodes.INTERNAL_ERROR).message(e.getMessage()).build();
      }
      return McpSchema.ReadResourceResult.builder(List.of(McpSchema.TextResourceContents.builder(uri,
          renderer.prettyText(doc)).mimeType(JSON_MIME).build())).build();
    }).subscribeOn(scheduler);
  }

  private ObjectNode runDocument(String uri) {
    Matcher m = RUN_URI.matcher(uri);
    if (!m.matches()) {
      throw OrchException.notFound("Unknown resource: " + uri);
    }
    RunRef ref = RunRef.ofRunId(m.group(1));
    RunSummary run = orch.getRun(ref);
    if (m.group(2) == null) {
      return run.toJson();
    }
    long after = Math.max(0, run.lastSeq() - RECENT_EVENTS);
    EventPage page = orch.poll(ref, after, RECENT_EVENTS, Duration.ZERO);
    ObjectNode n = WireJson.poll(page, page.events().size());
    n.remove("next_after_seq");
    n.put("last_seq", run.lastSeq());
    return n;
  }

  private ObjectNode runs() {
    List<RunSummary> all = orch.listRuns(null, null, null);
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    ArrayNode arr = n.putArray("runs");
    all.stream().limit(MAX_RUNS).forEach(r -> arr.add(r.toJson()));
    n.put("total", all.size());
    n.put("truncated", all.size() > MAX_RUNS);
    return n;
  }

  private ObjectNode backends() {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    ArrayNode arr = n.putArray("backends");
    for (BackendInfo b : orch.listBackends(true)) {
      arr.add(b.toJson());
    }
    return n;
  }
}
