package dev.orch.cli.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orch.core.NormalizedEvent;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** One human line per event for {@code --output text}: {@code #seq  time  type  what happened}. */
public final class EventText {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

  private EventText() {
  }

  /** @return {@code #12  14:03:22  command_finished  ls -la (exit 0)} */
  public static String line(NormalizedEvent e, Terminal t) {
    String type = e.type().wire();
    String what = describe(type, e.data());
    return t.dim(String.format("#%-4d %s", e.seq(), TIME.format(e.ts()))) + "  " + t.bold(type)
        + (what.isEmpty() ? "" : "  " + what);
  }

  /** @return the interesting part of an event's data, on one line */
  public static String describe(String type, JsonNode d) {
    String s = switch (type) {
      case "agent_message", "reasoning" -> d.path("text").asText("");
      case "message_added" -> d.path("text").asText(d.path("role").asText(""));
      case "command_started", "command_updated" -> d.path("command").asText("");
      case "command_finished" -> d.path("command").asText("")
          + (d.hasNonNull("exit_code") ? " (exit " + d.path("exit_code").asText() + ")" : "");
      case "file_changed" -> {
        StringBuilder sb = new StringBuilder();
        for (JsonNode c : d.path("changes")) {
          sb.append(sb.length() == 0 ? "" : ", ").append(c.path("kind").asText("")).append(' ')
              .append(c.path("path").asText(""));
        }
        yield sb.toString();
      }
      case "tool_started", "tool_finished" -> (d.hasNonNull("server") ? d.path("server").asText() + "." : "")
          + d.path("tool").asText("");
      case "todo_updated" -> d.path("items").size() + " item(s)";
      case "input_required", "auth_required", "rejected" -> d.path("text").asText(d.path("message").asText(""));
      case "status_changed" -> d.path("status").asText("")
          + (d.hasNonNull("reason") ? " (" + d.path("reason").asText() + ")" : "");
      case "run_completed" -> d.path("final_response").asText("");
      case "run_failed" -> d.path("message").asText("");
      case "run_started" -> d.hasNonNull("agent_url") ? d.path("agent_url").asText() : "";
      case "artifact_added" -> d.path("name").asText(d.path("artifact_id").asText(""));
      default -> "";
    };
    return oneLine(s, 200);
  }

  /** @return the text with whitespace runs collapsed to one space, cut at max chars with an ellipsis */
  public static String oneLine(String s, int max) {
    String t = s == null ? "" : s.replaceAll("\\s+", " ").strip();
    return t.length() > max ? t.substring(0, max - 1) + "…" : t;
  }
}
