package dev.orch.backend.codex.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.EventType;
import dev.orch.core.RunEvent;
import dev.orch.core.RunEvent.Activity;
import dev.orch.core.RunStatus;
import dev.orch.core.spi.UsageReport;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps the JSONL of {@code codex exec --json} to Orch events (SPEC §4 codex). One instance per run, fed one
 * stdout line at a time from one thread; not thread-safe. Pure: it never touches processes or sinks.
 *
 * <p>Terminal events come only from {@link #finish} (or {@link #timedOut}), once the process exit code is known:
 * {@code turn.failed} → one {@code run_failed {message}}; {@code turn.completed} and exit 0 →
 * {@code run_completed}; anything else → {@code run_failed} naming the exit code and the stderr tail. Top-level
 * {@code error} events are only remembered (codex emits non-fatal "Reconnecting..." errors). Malformed lines and
 * unknown event types are ignored; unknown item types become {@code reasoning}.
 */
public final class CodexEventParser {
  private static final Logger LOG = LoggerFactory.getLogger(CodexEventParser.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  /** Most characters of the stderr tail put into a failure message. */
  static final int MESSAGE_STDERR_CHARS = 2000;

  private final String storedThreadId;
  private final boolean structuredOutput;
  private final Set<String> startedTools = new HashSet<>();
  private String threadId;
  private String lastAgentText;
  private String lastError;
  private String turnFailure;
  private boolean turnCompleted;
  private JsonNode usage;
  private int turns;
  private boolean finished;

  /**
   * @param storedThreadId the thread being resumed, or null for a new thread
   * @param structuredOutput true when the run has an output schema (the last agent text is then parsed as JSON)
   */
  public CodexEventParser(String storedThreadId, boolean structuredOutput) {
    this.storedThreadId = storedThreadId;
    this.structuredOutput = structuredOutput;
  }

  /** @return {@code run_started {thread_id: stored thread id or null}}, emitted before the CLI starts */
  public RunEvent runStarted() {
    ObjectNode d = F.objectNode();
    if (storedThreadId == null) {
      d.putNull("thread_id");
    } else {
      d.put("thread_id", storedThreadId);
    }
    return new RunEvent.RunStarted(d);
  }

  /** @return the thread id announced by {@code thread.started}, or null before it */
  public String threadId() {
    return threadId;
  }

  /**
   * Maps one stdout line.
   *
   * @param line one line of {@code codex exec --json} output, may be malformed
   * @return the non-terminal events it produces, possibly none; never null
   */
  public List<RunEvent> onLine(String line) {
    if (finished || line == null || line.isBlank()) {
      return List.of();
    }
    JsonNode ev;
    try {
      ev = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      LOG.debug("ignoring a malformed codex line: {}", line);
      return List.of();
    }
    if (ev == null || !ev.isObject()) {
      return List.of();
    }
    String type = ev.path("type").asText("");
    switch (type) {
      case "thread.started" -> {
        String id = text(ev, "thread_id");
        if (id == null) {
          return List.of();
        }
        threadId = id;
        ObjectNode d = F.objectNode();
        d.put("thread_id", id);
        return List.of(new RunEvent.StatusChanged(RunStatus.RUNNING, d));
      }
      case "item.started", "item.updated", "item.completed" -> {
        JsonNode item = ev.get("item");
        if (item == null || !item.isObject()) {
          return List.of();
        }
        return item(type.substring("item.".length()), item);
      }
      case "turn.completed" -> {
        turnCompleted = true;
        turns++;
        usage = ev.get("usage");
        return List.of();
      }
      case "turn.failed" -> {
        if (turnFailure == null) {
          String m = text(ev.path("error"), "message");
          turnFailure = m != null && !m.isBlank() ? m : "codex turn failed";
        }
        return List.of();
      }
      case "error" -> {
        lastError = text(ev, "message");
        return List.of();
      }
      default -> {
        return List.of();
      }
    }
  }

  private List<RunEvent> item(String phase, JsonNode item) {
    String itemType = item.path("type").asText("");
    boolean completed = phase.equals("completed");
    switch (itemType) {
      case "agent_message" -> {
        if (!completed) {
          return List.of();
        }
        lastAgentText = item.path("text").asText("");
        return List.of(Activity.agentMessage(lastAgentText));
      }
      case "reasoning" -> {
        return completed ? List.of(Activity.reasoning(item.path("text").asText(""))) : List.of();
      }
      case "error" -> {
        return completed ? List.of(Activity.reasoning(item.path("message").asText(""))) : List.of();
      }
      case "command_execution" -> {
        ObjectNode d = F.objectNode();
        d.put("command", item.path("command").asText(""));
        d.put("output", item.path("aggregated_output").asText(""));
        d.set("status", item.path("status").isMissingNode() ? F.nullNode() : item.get("status"));
        d.set("exit_code", item.path("exit_code").isMissingNode() ? F.nullNode() : item.get("exit_code"));
        EventType t = switch (phase) {
          case "started" -> EventType.COMMAND_STARTED;
          case "updated" -> EventType.COMMAND_UPDATED;
          default -> EventType.COMMAND_FINISHED;
        };
        return List.of(new Activity(t, d));
      }
      case "file_change" -> {
        if (!completed) {
          return List.of();
        }
        ObjectNode d = F.objectNode();
        d.set("status", item.path("status").isMissingNode() ? F.nullNode() : item.get("status"));
        ArrayNode changes = d.putArray("changes");
        for (JsonNode c : item.path("changes")) {
          ObjectNode o = changes.addObject();
          o.put("path", c.path("path").asText(""));
          o.put("kind", c.path("kind").asText(""));
        }
        return List.of(new Activity(EventType.FILE_CHANGED, d));
      }
      case "todo_list" -> {
        ObjectNode d = F.objectNode();
        ArrayNode items = d.putArray("items");
        for (JsonNode i : item.path("items")) {
          ObjectNode o = items.addObject();
          o.put("text", i.path("text").asText(""));
          o.put("completed", i.path("completed").asBoolean(false));
        }
        return List.of(new Activity(EventType.TODO_UPDATED, d));
      }
      case "mcp_tool_call" -> {
        return tool(item, completed, item.path("server").asText(""), item.path("tool").asText(""),
            item.path("arguments").isMissingNode() ? F.nullNode() : item.get("arguments"));
      }
      case "web_search" -> {
        ObjectNode args = F.objectNode();
        args.set("query", item.path("query").isMissingNode() ? F.nullNode() : item.get("query"));
        if (item.has("action")) {
          args.set("action", item.get("action"));
        }
        return tool(item, completed, "codex", "web_search", args);
      }
      default -> {
        if (!completed) {
          return List.of();
        }
        String text = item.path("text").isTextual() ? item.get("text").asText() : item.toString();
        ObjectNode d = F.objectNode();
        d.put("text", text);
        d.put("item_type", itemType);
        return List.of(new Activity(EventType.REASONING, d));
      }
    }
  }

  private List<RunEvent> tool(JsonNode item, boolean completed, String server, String tool, JsonNode arguments) {
    String id = item.path("id").asText("");
    String status = item.path("status").asText(completed ? "completed" : "in_progress");
    ObjectNode d = F.objectNode();
    d.put("server", server);
    d.put("tool", tool);
    d.set("arguments", arguments);
    if (!completed && status.equals("in_progress")) {
      if (!startedTools.add(id)) {
        return List.of();
      }
      return List.of(new Activity(EventType.TOOL_STARTED, d));
    }
    if (!completed) {
      return List.of();
    }
    if (item.has("result")) {
      d.set("result", item.get("result"));
    }
    if (item.has("error")) {
      d.set("error", item.get("error"));
    }
    d.put("status", status);
    return List.of(new Activity(EventType.TOOL_FINISHED, d));
  }

  /**
   * The usage codex reported with its last {@code turn.completed} ({@code {input_tokens, cached_input_tokens,
   * output_tokens, reasoning_output_tokens}}), as codex counts it: for a resumed thread, the thread's running total.
   *
   * @return the usage object, or null when no turn completed with usage
   */
  public JsonNode threadUsage() {
    return usage == null || !usage.isObject() ? null : usage;
  }

  /**
   * The run's usage for the engine (SPEC §12.4): the last {@code turn.completed} usage minus what the thread had used
   * before this run (codex reports a resumed thread's running total), with {@code last = true} (codex reports usage
   * only with the end of its turn, right before the process exits).
   *
   * @param model the model the run used ({@code --model} or {@code -c model=}), or null when codex chose it
   * @param baseline the thread's usage before this run ({@link #threadUsage()} of the previous run), or null
   * @return the report, or null when codex reported no usage
   */
  public UsageReport usageReport(String model, JsonNode baseline) {
    JsonNode u = threadUsage();
    if (u == null) {
      return null;
    }
    long in = delta(u, baseline, "input_tokens");
    long cached = delta(u, baseline, "cached_input_tokens");
    long out = delta(u, baseline, "output_tokens");
    long reasoning = delta(u, baseline, "reasoning_output_tokens");
    long total = u.has("total_tokens") ? delta(u, baseline, "total_tokens") : 0;
    return new UsageReport(in, Math.min(cached, in), out, Math.min(reasoning, out), total, null, model, turns, true);
  }

  private static long delta(JsonNode now, JsonNode before, String key) {
    long v = Math.max(0, now.path(key).asLong(0));
    long b = before == null ? 0 : Math.max(0, before.path(key).asLong(0));
    return Math.max(0, v - b);
  }

  /**
   * The run's one terminal event, once the process has exited. Returns null when a terminal event was already
   * produced by this parser.
   *
   * @param exitCode the process exit code, or null when it is unknown (codex ended while no Orch process followed it
   *     and its wrapper was killed before recording the code): a completed turn still completes the run, anything
   *     else fails it with {@code reason:"host_lost"}
   * @param stderrTail the last part of stderr (may be empty, never null)
   * @return {@code run_completed} or {@code run_failed}, or null when already finished
   */
  public RunEvent finish(Integer exitCode, String stderrTail) {
    if (finished) {
      return null;
    }
    finished = true;
    if (turnFailure != null) {
      return failed(turnFailure, stderrTail);
    }
    if (exitCode == null && !turnCompleted) {
      RunEvent.RunFailed f = failed("codex ended while no Orch process was following it, before completing the turn,"
          + " and its exit code was not recorded" + (lastError != null ? ": " + lastError : ""), stderrTail);
      ObjectNode d = f.details().deepCopy();
      d.put("reason", "host_lost");
      return new RunEvent.RunFailed(f.message(), d);
    }
    if (exitCode != null && exitCode != 0) {
      String reason = cleanStderr(stderrTail);
      if (reason.isEmpty()) {
        reason = lastError != null ? lastError : "(no output on stderr)";
      }
      return failed("codex exited with code " + exitCode + ": " + reason, stderrTail);
    }
    if (!turnCompleted) {
      return failed("codex exited without completing the turn" + (lastError != null ? ": " + lastError : ""),
          stderrTail);
    }
    ObjectNode details = F.objectNode();
    JsonNode structured = null;
    if (structuredOutput) {
      if (lastAgentText == null) {
        details.putNull("structured_output");
        details.put("structured_output_error", "codex gave no agent message to parse");
      } else {
        try {
          structured = JSON.readTree(lastAgentText);
        } catch (JsonProcessingException e) {
          structured = null;
        }
        if (structured == null || structured.isMissingNode()) {
          structured = null;
          details.putNull("structured_output");
          details.put("structured_output_error", "the final agent message is not valid JSON");
        }
      }
    }
    return new RunEvent.RunCompleted(lastAgentText, structured, usage, details);
  }

  /**
   * The terminal event of a run the watchdog stopped.
   *
   * @param timeoutMs the configured timeout in ms
   * @param stderrTail the last part of stderr
   * @return {@code run_failed {message:"codex timed out after N ms"}}, or null when already finished
   */
  public RunEvent timedOut(long timeoutMs, String stderrTail) {
    if (finished) {
      return null;
    }
    finished = true;
    return failed("codex timed out after " + timeoutMs + " ms", stderrTail);
  }

  private RunEvent.RunFailed failed(String message, String stderrTail) {
    ObjectNode d = F.objectNode();
    if (lastError != null && !message.contains(lastError)) {
      d.put("last_error", lastError);
    }
    if (stderrTail != null && !stderrTail.isBlank()) {
      d.put("stderr", stderrTail);
    }
    return new RunEvent.RunFailed(message, d);
  }

  /**
   * Drops codex's start-up chatter ({@code Reading prompt from stdin...}, the PATH-alias warning) and the Rust
   * backtrace from a stderr tail, keeping at most {@value #MESSAGE_STDERR_CHARS} characters.
   *
   * @param tail stderr tail, may be null
   * @return the cleaned text, never null
   */
  static String cleanStderr(String tail) {
    if (tail == null) {
      return "";
    }
    String s = tail;
    int bt = s.indexOf("Stack backtrace:");
    if (bt >= 0) {
      s = s.substring(0, bt);
    }
    StringBuilder out = new StringBuilder();
    for (String l : s.split("\n")) {
      if (l.isBlank() || l.startsWith("Reading prompt from stdin") || l.startsWith("WARNING: proceeding, even though")) {
        continue;
      }
      out.append(l.strip()).append('\n');
    }
    String r = out.toString().strip();
    return r.length() > MESSAGE_STDERR_CHARS ? r.substring(r.length() - MESSAGE_STDERR_CHARS) : r;
  }

  private static String text(JsonNode n, String key) {
    JsonNode v = n.get(key);
    return v == null || v.isNull() ? null : v.asText();
  }
}
