package dev.orch.mcp.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Agent names must be printable (issue 9 item 4): a {@code nickname}, {@code agent_name}, {@code to_agent_name} or
 * {@code from_agent_name} holding a control character (C0 {@code U+0000–U+001F} such as NUL or a line break, DEL, or
 * C1 {@code U+0080–U+009F}) is refused at validation, naming the field, instead of failing later when the name goes
 * into a child process's environment ({@code PEER_NAME}) or a file. Stateless, thread-safe.
 */
public final class NameRules {
  /** The argument names that hold agent names. */
  public static final List<String> NAME_FIELDS = List.of("nickname", "agent_name", "to_agent_name",
      "from_agent_name");

  private NameRules() {
  }

  /**
   * @param arguments a tool's arguments object (or one nested spawn_run argument object)
   * @param prefix the dotted path of {@code arguments} in the call, e.g. {@code runs.2}; empty for the top level
   * @return one violation per name field that holds a control character
   */
  public static List<Violation> check(JsonNode arguments, String prefix) {
    List<Violation> out = new ArrayList<>();
    for (String field : NAME_FIELDS) {
      JsonNode v = arguments.get(field);
      if (v == null || !v.isTextual()) {
        continue;
      }
      String s = v.asText();
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (Character.isISOControl(c)) {
          out.add(new Violation(prefix.isEmpty() ? field : prefix + "." + field,
              String.format("must not contain control characters (found U+%04X at index %d)", (int) c, i)));
          break;
        }
      }
    }
    return out;
  }
}
