package dev.orch.mcp.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps what answers echo back short and free of server internals (issue 9 item 4): a value a client sent (a run_id,
 * a name, a path) is cut to {@link #MAX_VALUE_CHARS} characters, a whole message to {@link #MAX_MESSAGE_CHARS}, so a
 * 15 MB run_id never comes back in an error; qualified Java class names ({@code java.nio.file.NoSuchFileException: })
 * are removed, and {@link #withoutServerPaths} shortens absolute paths to their last segment.
 *
 * <p>Stateless and thread-safe.
 */
public final class Echo {
  /** Longest echoed value, characters; longer values are cut and marked. */
  public static final int MAX_VALUE_CHARS = 200;
  /** Longest message, characters. */
  public static final int MAX_MESSAGE_CHARS = 2000;

  /** A qualified class name of an exception or error, with its {@code ": "} separator. */
  private static final Pattern CLASS_NAME = Pattern.compile(
      "\\b(?:[a-z][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*(?:Exception|Error)\\b(?::\\s*)?");
  /** An absolute path (not part of a URL or a relative path); group 1 = its last segment. */
  private static final Pattern ABSOLUTE_PATH = Pattern.compile(
      "(?<![\\w:/.~-])/(?:[^\\s\"'()<>:,;/]+/)*([^\\s\"'()<>:,;/]+)/?");

  private Echo() {
  }

  /**
   * @param value a value to echo; null gives {@code "null"}
   * @return the value, or its first {@link #MAX_VALUE_CHARS} characters + {@code "…(<n> characters)"} when longer
   */
  public static String value(String value) {
    if (value == null) {
      return "null";
    }
    if (value.length() <= MAX_VALUE_CHARS) {
      return value;
    }
    return head(value, 0, MAX_VALUE_CHARS) + "…(" + value.length() + " characters)";
  }

  /**
   * Shortens a message for an answer: every run of non-blank characters longer than {@link #MAX_VALUE_CHARS} is cut
   * like {@link #value}, qualified exception class names are removed, and the result is at most about
   * {@link #MAX_MESSAGE_CHARS} characters. Reads the message once (cheap for a 15 MB text).
   *
   * @param message the message; null gives an empty text
   * @return the shortened message
   */
  public static String message(String message) {
    if (message == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder(Math.min(message.length(), MAX_MESSAGE_CHARS) + 64);
    int i = 0;
    int n = message.length();
    while (i < n && sb.length() < MAX_MESSAGE_CHARS) {
      if (Character.isWhitespace(message.charAt(i))) {
        sb.append(message.charAt(i++));
        continue;
      }
      int end = i;
      while (end < n && !Character.isWhitespace(message.charAt(end))) {
        end++;
      }
      int length = end - i;
      if (length > MAX_VALUE_CHARS) {
        sb.append(head(message, i, MAX_VALUE_CHARS)).append("…(").append(length).append(" characters)");
      } else {
        sb.append(message, i, end);
      }
      i = end;
    }
    String out = CLASS_NAME.matcher(sb).replaceAll("");
    if (i < n || out.length() > MAX_MESSAGE_CHARS) {
      out = head(out, 0, Math.min(out.length(), MAX_MESSAGE_CHARS)) + "…(message cut, " + n + " characters)";
    }
    return out;
  }

  /**
   * @param message a server-made message (e.g. an I/O error)
   * @return the message with every absolute path replaced by {@code …/<last segment>}; URLs are left alone
   */
  public static String withoutServerPaths(String message) {
    if (message == null) {
      return "";
    }
    return ABSOLUTE_PATH.matcher(message).replaceAll(m -> Matcher.quoteReplacement("…/" + m.group(1)));
  }

  /** @return {@code count} characters from {@code from}, one fewer when that would split a surrogate pair */
  private static String head(String s, int from, int count) {
    int end = from + count;
    if (end < s.length() && Character.isHighSurrogate(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(from, end);
  }
}
