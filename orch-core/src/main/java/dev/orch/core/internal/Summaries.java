package dev.orch.core.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.EventType;

/**
 * The one-line run {@code summary} derived from the latest event (SPEC §3), e.g. {@code Run started},
 * {@code command_finished: <cmd>}, {@code Updated 2 file(s)}, agent text collapsed to one line and cut at 120
 * characters, {@code Run failed: <message>}.
 */
public final class Summaries {
  /** Longest summary text in characters before the ellipsis. */
  public static final int MAX_CHARS = 120;

  private Summaries() {
  }

  /**
   * @param type the event type
   * @param data the event's data (sanitized or not)
   * @return the summary, never null
   */
  public static String of(EventType type, ObjectNode data) {
    switch (type) {
      case RUN_STARTED:
        return "Run started";
      case STATUS_CHANGED:
        return statusText(data.path("status").asText(""));
      case AGENT_MESSAGE:
      case MESSAGE_ADDED:
      case REASONING:
        return oneLine(data.path("text").asText(type.wire()));
      case COMMAND_STARTED:
      case COMMAND_UPDATED:
      case COMMAND_FINISHED:
        return oneLine(type.wire() + ": " + data.path("command").asText(""));
      case FILE_CHANGED: {
        JsonNode changes = data.path("changes");
        return "Updated " + (changes.isArray() ? changes.size() : 0) + " file(s)";
      }
      case TOOL_STARTED:
      case TOOL_FINISHED: {
        String server = data.path("server").asText("");
        String tool = data.path("tool").asText("");
        return oneLine(type.wire() + ": " + (server.isEmpty() ? tool : server + "." + tool));
      }
      case ARTIFACT_ADDED:
        return oneLine("Artifact added: " + data.path("name").asText(data.path("artifact_id").asText("")));
      case TODO_UPDATED: {
        JsonNode items = data.path("items");
        return "Updated todo list (" + (items.isArray() ? items.size() : 0) + " item(s))";
      }
      case INPUT_REQUIRED:
        return oneLine("Input required: " + data.path("text").asText(""));
      case AUTH_REQUIRED:
        return oneLine("Auth required: " + data.path("text").asText(""));
      case REJECTED:
        return oneLine("Run rejected: " + data.path("message").asText(""));
      case RUN_COMPLETED:
        return "Run completed";
      case RUN_FAILED:
        return oneLine("Run failed: " + data.path("message").asText(""));
      default:
        return type.wire();
    }
  }

  private static String statusText(String status) {
    switch (status) {
      case "running":
        return "Run running";
      case "cancelled":
        return "Run cancelled";
      case "completed":
        return "Run completed";
      case "failed":
        return "Run failed";
      default:
        return "Status changed: " + status;
    }
  }

  /** @return the text with whitespace runs collapsed to one space, trimmed, cut at 120 chars with "..." */
  public static String oneLine(String text) {
    String s = collapseWhitespace(text).trim();
    if (s.length() <= MAX_CHARS) {
      return s;
    }
    int end = MAX_CHARS;
    if (Character.isHighSurrogate(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(0, end) + "...";
  }

  /**
   * {@code text.replaceAll("\\s+", " ")} without a regex (this runs for every event): each run of space, tab, LF,
   * VT, FF and CR becomes one space.
   */
  private static String collapseWhitespace(String text) {
    StringBuilder b = null;
    int n = text.length();
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      boolean single = c == ' ' && (i + 1 == n || !isRegexSpace(text.charAt(i + 1)));
      if (!isRegexSpace(c) || single) {
        if (b != null) {
          b.append(c);
        }
        continue;
      }
      if (b == null) {
        b = new StringBuilder(n).append(text, 0, i);
      }
      b.append(' ');
      while (i + 1 < n && isRegexSpace(text.charAt(i + 1))) {
        i++;
      }
    }
    return b == null ? text : b.toString();
  }

  private static boolean isRegexSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
  }
}
