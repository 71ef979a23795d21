package dev.orch.cli.internal.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.cli.internal.Outcome;
import dev.orch.cli.internal.Wire;
import dev.orch.core.AgentMessage;
import dev.orch.core.EventPage;
import dev.orch.core.EventType;
import dev.orch.core.NormalizedEvent;
import dev.orch.core.OrchException;
import dev.orch.core.Orchestrator;
import dev.orch.core.RunRef;
import dev.orch.core.RunSummary;
import dev.orch.core.WireJson;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * The dashboard's JSON and SSE endpoints over one {@link Orchestrator} (paths relative to {@code /api}):
 * <ul>
 *   <li>{@code GET runs/<id>}: the run summary + {@code result}, {@code error} and {@code question} (the data of the
 *       latest input_required/auth_required event while the run waits, else null);</li>
 *   <li>{@code GET runs/<id>/events?after=N&limit=M}: one poll_events page (no wait);</li>
 *   <li>{@code GET runs/<id>/artifact?seq=&field_path=&offset=&limit=}: get_event_artifact (a byte range);</li>
 *   <li>{@code POST runs/<id>/cancel}: cancel_run; {@code POST runs/<id>/continue} with {@code {"text": "..."}}:
 *       continue_run (both reach the owning process through the control channel when another process owns
 *       the run);</li>
 *   <li>SSE streams: see {@link #streamRuns} and {@link #streamRun}.</li>
 * </ul>
 * Errors are {@code {"error": message, "code": ERROR_CODE}}.
 */
final class DashboardApi {
  private final Orchestrator orch;
  private final RunsFeed feed;

  DashboardApi(Orchestrator orch, RunsFeed feed) {
    this.orch = orch;
    this.feed = feed;
  }

  /** @return the run detail object */
  ObjectNode run(String id) {
    RunSummary r = orch.getRun(RunRef.ofRunId(id));
    ObjectNode n = Outcome.of(orch, r).toJson();
    n.set("question", r.status().isWaiting() ? question(r) : JsonNodeFactory.instance.nullNode());
    return n;
  }

  private JsonNode question(RunSummary r) {
    EventPage page = orch.poll(RunRef.of(r.runId()), Math.max(0, r.lastSeq() - 50), 50, Duration.ZERO);
    List<NormalizedEvent> events = page.events();
    for (int i = events.size() - 1; i >= 0; i--) {
      NormalizedEvent e = events.get(i);
      if (e.type() == EventType.INPUT_REQUIRED || e.type() == EventType.AUTH_REQUIRED) {
        ObjectNode q = e.data().deepCopy();
        q.put("seq", e.seq());
        q.put("type", e.type().wire());
        return q;
      }
    }
    return JsonNodeFactory.instance.nullNode();
  }

  /** @return {@code {run_id, status, events, next_after_seq}} */
  ObjectNode events(String id, long after, int limit) {
    EventPage page = orch.poll(RunRef.ofRunId(id), after, limit, Duration.ZERO);
    return page(page);
  }

  private static ObjectNode page(EventPage page) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("run_id", page.runId().value());
    n.put("status", page.status().wire());
    var arr = n.putArray("events");
    page.events().forEach(e -> arr.add(e.toJson()));
    n.put("next_after_seq", page.nextAfterSeq());
    return n;
  }

  ObjectNode artifact(String id, long seq, String fieldPath, long offset, int limit) {
    return WireJson.artifact(orch.readArtifact(RunRef.ofRunId(id), seq, fieldPath, offset, limit));
  }

  ObjectNode cancel(String id) {
    return WireJson.cancel(orch.cancel(RunRef.ofRunId(id)));
  }

  /**
   * @throws OrchException INVALID_ARGUMENT when the body has no non-blank {@code text}; CONFLICT when the run does
   *     not wait for input
   */
  ObjectNode continueRun(String id, String body) {
    JsonNode n;
    try {
      n = Wire.JSON.readTree(body);
    } catch (IOException e) {
      throw OrchException.invalid("the body must be JSON {\"text\": \"...\"}");
    }
    String text = n == null ? null : n.path("text").asText(null);
    if (text == null || text.isBlank()) {
      throw OrchException.invalid("text: the answer is empty");
    }
    // answers only: a resume would make this dashboard the owner of a new run (use orch runs continue for that)
    RunSummary r = orch.getRun(RunRef.ofRunId(id));
    if (!r.status().isWaiting()) {
      throw OrchException.conflict("run is not awaiting additional input: " + r.status().wire()
          + " (resume a finished run with: orch runs continue " + id + " <message>)");
    }
    return WireJson.continued(orch.continueRun(RunRef.ofRunId(id), AgentMessage.userText(text)));
  }

  /**
   * {@code GET /api/stream}: {@code event: runs} with {@code {version, runs: [...], total}} at once and on every
   * change of the runs table; a comment line every 15 s keeps the connection open. Returns when the client goes.
   */
  void streamRuns(OutputStream out) throws IOException, InterruptedException {
    ObjectNode rows = feed.snapshot();
    long seen = rows.path("version").asLong();
    send(out, "runs", null, rows);
    while (true) {
      ObjectNode next = feed.await(seen, 15_000);
      long v = next.path("version").asLong();
      if (v > seen) {
        seen = v;
        send(out, "runs", null, next);
      } else {
        comment(out);
      }
    }
  }

  /**
   * {@code GET /api/runs/<id>/stream?after=N}: {@code event: event} per event (SSE id = seq, so a reconnect resumes
   * after the last one), {@code event: run} with the run detail at once and whenever its status or seq moves, and
   * {@code event: end} once the run is terminal with nothing new (then the response ends).
   */
  void streamRun(String id, long after, OutputStream out) throws IOException {
    RunRef ref = RunRef.ofRunId(id);
    long seq = after;
    String shown = "";
    while (true) {
      EventPage page = orch.poll(ref, seq, 200, Duration.ofSeconds(10));
      for (NormalizedEvent e : page.events()) {
        send(out, "event", Long.toString(e.seq()), e.toJson());
      }
      seq = page.nextAfterSeq();
      ObjectNode detail = run(id);
      String key = detail.path("status").asText() + "/" + detail.path("last_seq").asLong();
      if (!key.equals(shown)) {
        shown = key;
        send(out, "run", null, detail);
      } else if (page.events().isEmpty()) {
        comment(out);
      }
      if (page.status().isTerminal() && page.events().isEmpty()) {
        send(out, "end", null, JsonNodeFactory.instance.objectNode().put("status", page.status().wire()));
        return;
      }
    }
  }

  private static void send(OutputStream out, String event, String id, JsonNode data) throws IOException {
    StringBuilder sb = new StringBuilder();
    if (id != null) {
      sb.append("id: ").append(id).append('\n');
    }
    sb.append("event: ").append(event).append('\n').append("data: ").append(Wire.line(data)).append("\n\n");
    out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static void comment(OutputStream out) throws IOException {
    out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
    out.flush();
  }
}
