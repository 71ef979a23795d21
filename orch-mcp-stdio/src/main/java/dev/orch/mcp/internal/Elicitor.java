package dev.orch.mcp.internal;

import dev.orch.core.AgentMessage;
import dev.orch.core.EventType;
import dev.orch.core.NormalizedEvent;
import dev.orch.core.Orchestrator;
import dev.orch.core.OrchException;
import dev.orch.core.RunListener;
import dev.orch.core.RunRef;
import dev.orch.core.RunSummary;
import io.modelcontextprotocol.server.McpAsyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opt-in elicitation for waiting runs (SPEC §12.9, {@code ORCH_ELICIT=1}): when a run of this process reports
 * {@code input_required} and the client declared the {@code elicitation} capability, Orch asks the client with
 * {@code elicitation/create} (a form with one required string {@code answer}, the run's question as message). An
 * accepted answer is delivered with continue_run as a user text message; a decline or cancel leaves the run waiting
 * (the caller can still answer with continue_run). When the run was answered another way meanwhile, the late answer
 * is dropped (logged). Answers are handled on the given executor, never on the transport's threads.
 */
public final class Elicitor implements RunListener {
  private static final Logger LOG = LoggerFactory.getLogger(Elicitor.class);
  /** The environment variable that switches elicitation on ({@code 1} or {@code true}). */
  public static final String ENV = "ORCH_ELICIT";

  private final Orchestrator orch;
  private final ClientSession session;
  private final Executor executor;

  /**
   * @param orch where answers go
   * @param session the client session
   * @param executor runs continue_run for accepted answers
   */
  public Elicitor(Orchestrator orch, ClientSession session, Executor executor) {
    this.orch = orch;
    this.session = session;
    this.executor = executor;
  }

  /** The environment variable bounding how long the client may take to answer, ms (default 10 minutes). */
  public static final String TIMEOUT_ENV = "ORCH_ELICIT_TIMEOUT_MS";
  /** Default of {@value #TIMEOUT_ENV}. */
  static final long DEFAULT_TIMEOUT_MS = 600_000;

  /**
   * @return how long a request to the client (an elicitation) may take: {@value #TIMEOUT_ENV}, default 10 minutes
   *     (an unparseable or non-positive value falls back to the default)
   */
  public static java.time.Duration timeout(Map<String, String> env) {
    String v = env.get(TIMEOUT_ENV);
    try {
      long ms = v == null || v.isBlank() ? DEFAULT_TIMEOUT_MS : Long.parseLong(v.trim());
      return java.time.Duration.ofMillis(ms > 0 ? ms : DEFAULT_TIMEOUT_MS);
    } catch (NumberFormatException e) {
      return java.time.Duration.ofMillis(DEFAULT_TIMEOUT_MS);
    }
  }

  /** @return true when {@value #ENV} is {@code 1} or {@code true} */
  public static boolean enabled(Map<String, String> env) {
    String v = env.get(ENV);
    return v != null && (v.trim().equals("1") || v.trim().equalsIgnoreCase("true"));
  }

  @Override
  public void eventsPublished(RunSummary run, List<NormalizedEvent> events) {
    for (NormalizedEvent e : events) {
      if (e.type() == EventType.INPUT_REQUIRED) {
        ask(run, e);
      }
    }
  }

  private void ask(RunSummary run, NormalizedEvent event) {
    Optional<McpAsyncServerExchange> ex = session.current();
    if (ex.isEmpty() || !session.canElicit()) {
      LOG.debug("run {} waits for input; the client cannot be asked (no elicitation capability)", run.runId());
      return;
    }
    String question = event.data().path("text").asText("The run needs more input");
    String runId = run.runId().value();
    McpSchema.ElicitRequest request = McpSchema.ElicitFormRequest.builder("Run " + runId + " (agent "
        + run.agentName() + ", " + run.backend() + ") asks: " + question, schema()).build();
    LOG.info("run {} waits for input: asking the client", runId);
    ex.get().createElicitation(request).subscribe(
        result -> handOff(() -> answered(runId, event.seq(), result)),
        error -> LOG.info("run {}: the elicitation failed ({}); the run keeps waiting for continue_run", runId,
            error.toString()));
  }

  private void handOff(Runnable r) {
    try {
      executor.execute(r);
    } catch (RejectedExecutionException e) {
      LOG.debug("server closing: elicitation answer dropped");
    }
  }

  private void answered(String runId, long seq, McpSchema.ElicitResult result) {
    Object answer = result.content() == null ? null : result.content().get("answer");
    if (result.action() != McpSchema.ElicitResult.Action.ACCEPT || answer == null || answer.toString().isBlank()) {
      LOG.info("run {}: the client answered the elicitation with {}; the run keeps waiting", runId, result.action());
      session.log(McpSchema.LoggingLevel.NOTICE, "run " + runId + " keeps waiting for input (elicitation "
          + result.action().name().toLowerCase(java.util.Locale.ROOT) + "); answer it with continue_run");
      return;
    }
    try {
      orch.continueRun(RunRef.ofRunId(runId), AgentMessage.userText(answer.toString()));
      LOG.info("run {}: elicitation answer for the question at seq {} delivered", runId, seq);
    } catch (OrchException e) {
      LOG.info("run {}: the elicitation answer came too late: {}", runId, e.getMessage());
    }
  }

  /** @return {@code {type:object, properties:{answer:{type:string,...}}, required:[answer]}} */
  static Map<String, Object> schema() {
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("type", "string");
    answer.put("title", "Answer");
    answer.put("description", "Your answer; it is sent to the run as its next input (continue_run)");
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("type", "object");
    s.put("properties", Map.of("answer", answer));
    s.put("required", List.of("answer"));
    return s;
  }
}
