package dev.orch.backend.claude.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.EventType;
import dev.orch.core.RunEvent;
import dev.orch.core.RunStatus;
import dev.orch.core.spi.UsageReport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the stdout lines of {@code claude --output-format stream-json --verbose} into Orch events and control
 * messages (SPEC §4 claude_code mapping; transcripts in {@code fixtures/claude-cli}). Pure: no I/O, no clock;
 * stateful per run (the first {@code system/init}, tool uses awaiting their results, the last agent text).
 *
 * <p>Mapping: {@code system/init} → {@code status_changed {status:"running", backend_session_id, model, tools,
 * cwd, permission_mode}} (first one only) plus {@link Output.SessionBound}; assistant text → {@code agent_message};
 * thinking → {@code reasoning}; tool use {@code Bash} → {@code command_started}, other tools → {@code tool_started};
 * tool results → {@code command_finished} / {@code tool_finished}; {@code system/api_retry} → {@code reasoning};
 * {@code result} → {@link Output.Result} holding {@code run_completed} when {@code subtype} is {@code success} and
 * {@code is_error} is false, else {@code run_failed} ({@code is_error} is always checked). Stream events, status
 * and session-state lines are ignored; unknown line types are ignored, never fatal.
 *
 * <p>Not thread-safe: feed it from one thread (or under a lock).
 */
public final class ClaudeStreamParser {
  private static final Logger LOG = LoggerFactory.getLogger(ClaudeStreamParser.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NF = JsonNodeFactory.instance;
  private static final Pattern EXIT_CODE = Pattern.compile("^Exit code (\\d+)");

  /** What one stdout line means to the run. */
  public sealed interface Output {
    /** An event to report as is. @param event the event */
    record Event(RunEvent event) implements Output {
    }

    /** The CLI announced its session id (first {@code system/init}). @param sessionId the Claude session id */
    record SessionBound(String sessionId) implements Output {
    }

    /**
     * A {@code can_use_tool} permission prompt.
     *
     * @param requestId control request id to answer
     * @param tool tool name
     * @param input the tool input (object)
     * @param toolUseId tool use id, may be null
     * @param description the CLI's description of the call, may be null
     */
    record PermissionRequest(String requestId, String tool, JsonNode input, String toolUseId, String description)
        implements Output {
    }

    /** The CLI withdrew a control request (e.g. a prompt after an interrupt). @param requestId its id */
    record ControlCancelled(String requestId) implements Output {
    }

    /**
     * The CLI answered one of Orch's control requests (initialize, interrupt).
     *
     * @param requestId the id Orch sent
     * @param error the error text when it failed, null on success
     */
    record ControlResponse(String requestId, String error) implements Output {
    }

    /**
     * A control request Orch does not handle (hooks, MCP messages); it must be answered with an error.
     *
     * @param requestId its id
     * @param subtype its subtype
     */
    record UnsupportedRequest(String requestId, String subtype) implements Output {
    }

    /**
     * The turn's {@code result}.
     *
     * @param terminal {@code run_completed} or {@code run_failed}
     * @param usage the usage object {@code {usage, model_usage, total_cost_usd, duration_ms, duration_api_ms,
     *     num_turns, stop_reason}}
     * @param sessionId the Claude session id of the result, may be null
     */
    record Result(RunEvent terminal, ObjectNode usage, String sessionId) implements Output {
    }

    /**
     * The run's usage so far (SPEC §12.4). During the turn it is the sum of the assistant messages' usage (one entry
     * per API message; {@code last = false}); with the {@code result} it is the result's usage with
     * {@code total_cost_usd} as the reported cost — the process's running total, which the run turns into its own
     * share — and {@code num_turns} ({@code last = true}: the terminal event follows).
     *
     * @param report the usage
     */
    record UsageUpdate(UsageReport report) implements Output {
    }
  }

  private record ToolUse(String name, String command) {
  }

  private final boolean structuredOutputRequested;
  private final Map<String, ToolUse> toolUses = new HashMap<>();
  private boolean initSeen;
  private String sessionId;
  private String lastText;
  private String model;
  /** Usage of each assistant API message of the turn, by message id (a message is streamed as several lines). */
  private final Map<String, JsonNode> messageUsage = new LinkedHashMap<>();

  /** @param structuredOutputRequested true when the run passed an output schema ({@code --json-schema}) */
  public ClaudeStreamParser(boolean structuredOutputRequested) {
    this.structuredOutputRequested = structuredOutputRequested;
  }

  /** @return the Claude session id seen so far (init or result), or null */
  public String sessionId() {
    return sessionId;
  }

  /**
   * Parses one stdout line.
   *
   * @param line the line without its newline, never null
   * @return what it means, in order; empty for blank, non-JSON or ignored lines
   */
  public List<Output> accept(String line) {
    List<Output> out = new ArrayList<>();
    if (line.isBlank()) {
      return out;
    }
    JsonNode n;
    try {
      n = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      LOG.debug("ignoring a non-JSON stdout line of claude: {}", line);
      return out;
    }
    if (n == null || !n.isObject()) {
      return out;
    }
    switch (n.path("type").asText()) {
      case "system" -> system(n, out);
      case "assistant" -> assistant(n, out);
      case "user" -> user(n, out);
      case "result" -> result(n, out);
      case "control_request" -> controlRequest(n, out);
      case "control_response" -> {
        JsonNode r = n.path("response");
        String err = "error".equals(r.path("subtype").asText()) ? r.path("error").asText("control request failed")
            : null;
        out.add(new Output.ControlResponse(r.path("request_id").asText(null), err));
      }
      case "control_cancel_request" -> out.add(new Output.ControlCancelled(n.path("request_id").asText(null)));
      default -> LOG.trace("ignoring claude line type {}", n.path("type").asText());
    }
    return out;
  }

  private void system(JsonNode n, List<Output> out) {
    String subtype = n.path("subtype").asText();
    if ("init".equals(subtype)) {
      if (initSeen) {
        return;
      }
      initSeen = true;
      sessionId = text(n, "session_id");
      ObjectNode d = NF.objectNode();
      d.put("backend_session_id", sessionId);
      d.put("model", text(n, "model"));
      if (model == null) {
        model = text(n, "model");
      }
      d.set("tools", n.path("tools").isArray() ? n.get("tools").deepCopy() : NF.arrayNode());
      d.put("cwd", text(n, "cwd"));
      d.put("permission_mode", text(n, "permissionMode"));
      out.add(new Output.Event(new RunEvent.StatusChanged(RunStatus.RUNNING, d)));
      if (sessionId != null) {
        out.add(new Output.SessionBound(sessionId));
      }
    } else if ("api_retry".equals(subtype)) {
      ObjectNode d = NF.objectNode();
      d.put("text", "Claude API retry " + n.path("attempt").asInt() + "/" + n.path("max_retries").asInt()
          + " after error " + n.path("error_status").asText("?") + " (" + n.path("error").asText("unknown") + ")");
      d.put("error_status", n.path("error_status").asInt());
      out.add(new Output.Event(new RunEvent.Activity(EventType.REASONING, d)));
    }
  }

  private void assistant(JsonNode n, List<Output> out) {
    String parent = text(n, "parent_tool_use_id");
    JsonNode message = n.path("message");
    if (message.path("model").isTextual() && !message.get("model").asText().isBlank()) {
      model = message.get("model").asText();
    }
    for (JsonNode block : n.path("message").path("content")) {
      String type = block.path("type").asText();
      ObjectNode d = NF.objectNode();
      EventType eventType;
      if ("text".equals(type)) {
        String t = block.path("text").asText("");
        if (t.isEmpty()) {
          continue;
        }
        if (parent == null) {
          lastText = t;
        }
        d.put("text", t);
        eventType = EventType.AGENT_MESSAGE;
      } else if ("thinking".equals(type)) {
        String t = block.path("thinking").asText("");
        if (t.isEmpty()) {
          continue;
        }
        d.put("text", t);
        eventType = EventType.REASONING;
      } else if ("tool_use".equals(type)) {
        String name = block.path("name").asText();
        String id = text(block, "id");
        JsonNode input = block.path("input");
        if ("Bash".equals(name)) {
          String command = input.path("command").asText("");
          toolUses.put(id, new ToolUse(name, command));
          d.put("command", command);
          d.put("tool", name);
          d.put("tool_use_id", id);
          d.put("description", text(input, "description"));
          eventType = EventType.COMMAND_STARTED;
        } else {
          toolUses.put(id, new ToolUse(name, null));
          d.put("tool", name);
          d.put("tool_use_id", id);
          d.set("input", input.isMissingNode() ? NF.objectNode() : input.deepCopy());
          eventType = EventType.TOOL_STARTED;
        }
      } else {
        continue;
      }
      if (parent != null) {
        d.put("parent_tool_use_id", parent);
      }
      out.add(new Output.Event(new RunEvent.Activity(eventType, d)));
    }
    String id = text(message, "id");
    if (id != null && message.path("usage").isObject()) {
      JsonNode previous = messageUsage.put(id, message.get("usage"));
      if (!message.get("usage").equals(previous)) {
        out.add(new Output.UsageUpdate(runningUsage()));
      }
    }
  }

  /** @return the sum of the assistant messages' usage so far ({@code last = false}, no reported cost) */
  private UsageReport runningUsage() {
    long in = 0;
    long cached = 0;
    long outTokens = 0;
    for (JsonNode u : messageUsage.values()) {
      in += inputTokens(u);
      cached += Math.max(0, u.path("cache_read_input_tokens").asLong(0));
      outTokens += Math.max(0, u.path("output_tokens").asLong(0));
    }
    return new UsageReport(in, cached, outTokens, 0, 0, null, model, messageUsage.size(), false);
  }

  /** Anthropic's input_tokens exclude cache reads and writes; Orch's input counts every prompt token. */
  private static long inputTokens(JsonNode u) {
    return Math.max(0, u.path("input_tokens").asLong(0)) + Math.max(0, u.path("cache_creation_input_tokens").asLong(0))
        + Math.max(0, u.path("cache_read_input_tokens").asLong(0));
  }

  /** @return the usage of a {@code result} line (its total_cost_usd is the process's running total) */
  private UsageReport resultUsage(JsonNode n) {
    JsonNode u = n.path("usage");
    String m = model;
    if (m == null && n.path("modelUsage").isObject() && n.get("modelUsage").size() == 1) {
      m = n.get("modelUsage").fieldNames().next();
    }
    Double cost = n.path("total_cost_usd").isNumber() ? n.get("total_cost_usd").asDouble() : null;
    int turns = n.path("num_turns").isNumber() ? Math.max(0, n.get("num_turns").asInt()) : messageUsage.size();
    if (!u.isObject()) {
      UsageReport r = runningUsage();
      return new UsageReport(r.inputTokens(), r.cachedInputTokens(), r.outputTokens(), 0, 0, cost, m, turns, true);
    }
    long outTokens = Math.max(0, u.path("output_tokens").asLong(0));
    long thinking = Math.max(0, u.path("output_tokens_details").path("thinking_tokens").asLong(0));
    return new UsageReport(inputTokens(u), Math.max(0, u.path("cache_read_input_tokens").asLong(0)), outTokens,
        Math.min(thinking, outTokens), 0, cost, m, turns, true);
  }

  private void user(JsonNode n, List<Output> out) {
    JsonNode content = n.path("message").path("content");
    JsonNode toolUseResult = n.path("tool_use_result");
    for (JsonNode block : content) {
      if (!"tool_result".equals(block.path("type").asText())) {
        continue;
      }
      String id = text(block, "tool_use_id");
      ToolUse use = id == null ? null : toolUses.remove(id);
      boolean isError = block.path("is_error").asBoolean(false);
      String output = contentText(block.path("content"));
      ObjectNode d = NF.objectNode();
      if (use != null && use.command() != null) {
        d.put("command", use.command());
        d.put("tool_use_id", id);
        d.put("output", output);
        boolean structured = toolUseResult.isObject();
        d.put("stdout", structured ? toolUseResult.path("stdout").asText("") : isError ? "" : output);
        d.put("stderr", structured ? toolUseResult.path("stderr").asText("") : isError ? output : "");
        Matcher m = EXIT_CODE.matcher(output);
        if (!isError) {
          d.put("exit_code", 0);
        } else if (m.find()) {
          d.put("exit_code", Integer.parseInt(m.group(1)));
        } else {
          d.putNull("exit_code");
        }
        d.put("is_error", isError);
        if (structured && toolUseResult.has("interrupted")) {
          d.put("interrupted", toolUseResult.path("interrupted").asBoolean());
        }
        out.add(new Output.Event(new RunEvent.Activity(EventType.COMMAND_FINISHED, d)));
      } else {
        d.put("tool", use == null ? null : use.name());
        d.put("tool_use_id", id);
        d.put("output", output);
        d.put("is_error", isError);
        out.add(new Output.Event(new RunEvent.Activity(EventType.TOOL_FINISHED, d)));
      }
    }
  }

  private void result(JsonNode n, List<Output> out) {
    String sid = text(n, "session_id");
    if (sid != null) {
      sessionId = sid;
    }
    ObjectNode usage = NF.objectNode();
    usage.set("usage", n.path("usage").isObject() ? n.get("usage").deepCopy() : NF.nullNode());
    usage.set("model_usage", n.path("modelUsage").isObject() ? n.get("modelUsage").deepCopy() : NF.nullNode());
    usage.set("total_cost_usd", n.path("total_cost_usd").isNumber() ? n.get("total_cost_usd") : NF.nullNode());
    usage.set("duration_ms", n.path("duration_ms").isNumber() ? n.get("duration_ms") : NF.nullNode());
    usage.set("duration_api_ms", n.path("duration_api_ms").isNumber() ? n.get("duration_api_ms") : NF.nullNode());
    usage.set("num_turns", n.path("num_turns").isNumber() ? n.get("num_turns") : NF.nullNode());
    usage.put("stop_reason", text(n, "stop_reason"));
    String subtype = n.path("subtype").asText("");
    // is_error is checked even on subtype "success": auth and API errors report success + is_error:true
    boolean failed = !"success".equals(subtype) || n.path("is_error").asBoolean(true);
    RunEvent terminal;
    if (!failed) {
      String finalResponse = n.path("result").isTextual() ? n.get("result").asText() : lastText;
      JsonNode structured = n.get("structured_output");
      if ((structured == null || structured.isNull()) && structuredOutputRequested && finalResponse != null) {
        structured = parseJsonObject(finalResponse);
      }
      ObjectNode details = NF.objectNode();
      details.put("backend_session_id", sessionId);
      if (n.path("permission_denials").isArray() && !n.get("permission_denials").isEmpty()) {
        details.set("permission_denials", n.get("permission_denials").deepCopy());
      }
      terminal = new RunEvent.RunCompleted(finalResponse, structured, usage, details);
    } else {
      ObjectNode details = NF.objectNode();
      details.set("usage", usage);
      details.put("subtype", subtype);
      details.put("backend_session_id", sessionId);
      if (n.path("api_error_status").isNumber()) {
        details.put("api_error_status", n.get("api_error_status").asInt());
      }
      if (n.path("errors").isArray()) {
        details.set("errors", n.get("errors").deepCopy());
      }
      terminal = new RunEvent.RunFailed(failureMessage(n, subtype), details);
    }
    out.add(new Output.UsageUpdate(resultUsage(n)));
    out.add(new Output.Result(terminal, usage, sessionId));
  }

  private static String failureMessage(JsonNode n, String subtype) {
    if (n.path("result").isTextual() && !n.get("result").asText().isBlank()) {
      return n.get("result").asText();
    }
    List<String> errors = new ArrayList<>();
    n.path("errors").forEach(e -> errors.add(e.asText()));
    if (!errors.isEmpty()) {
      return String.join("; ", errors);
    }
    return "Claude Code run failed (" + (subtype.isEmpty() ? "no subtype" : subtype) + ")";
  }

  private static void controlRequest(JsonNode n, List<Output> out) {
    String id = n.path("request_id").asText(null);
    JsonNode r = n.path("request");
    String subtype = r.path("subtype").asText();
    if ("can_use_tool".equals(subtype)) {
      JsonNode input = r.path("input").isObject() ? r.get("input").deepCopy() : NF.objectNode();
      out.add(new Output.PermissionRequest(id, r.path("tool_name").asText(), input, text(r, "tool_use_id"),
          text(r, "description")));
    } else {
      out.add(new Output.UnsupportedRequest(id, subtype));
    }
  }

  private static JsonNode parseJsonObject(String text) {
    try {
      JsonNode v = JSON.readTree(text.trim());
      return v != null && v.isObject() ? v : null;
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  /** @return the text of a tool result's content: a string as is, text blocks joined by newlines */
  private static String contentText(JsonNode content) {
    if (content.isTextual()) {
      return content.asText();
    }
    if (!content.isArray()) {
      return content.isMissingNode() || content.isNull() ? "" : content.toString();
    }
    List<String> parts = new ArrayList<>();
    for (JsonNode b : content) {
      if (b.path("text").isTextual()) {
        parts.add(b.get("text").asText());
      }
    }
    return String.join("\n", parts);
  }

  private static String text(JsonNode n, String key) {
    JsonNode v = n.get(key);
    return v == null || v.isNull() || v.isMissingNode() ? null : v.asText();
  }
}
