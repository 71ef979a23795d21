package dev.orch.core.internal;

import dev.orch.core.AgentMessage;
import dev.orch.core.MessagePart;
import dev.orch.core.OrchException;
import dev.orch.core.RunId;
import dev.orch.core.RunStatus;
import dev.orch.core.spi.RunRecord;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Workflow prompt placeholders (SPEC §12.6): {@code {{inputs.<key>}}}, filled when the workflow is submitted, and
 * {@code {{steps.<id>.final_response}}}, filled when the step starts from the result of that (completed) step's run.
 * Blanks inside the braces are allowed ({@code {{ inputs.key }}}). Only double braces followed by {@code inputs.}
 * or {@code steps.} start a placeholder: other double-brace text (Helm or Jinja templates in a prompt) is left alone. Filling is one
 * pass, so text that a value brings in is never filled again. A final response longer than {@value #EXCERPT_CHARS}
 * characters goes in as an excerpt followed by where to read the rest. Pure functions; thread-safe.
 */
final class StepPrompts {
  /** Most characters of a step's final response put into a prompt. */
  static final int EXCERPT_CHARS = 4000;
  /** The form of a step id (also what a placeholder can name). */
  static final Pattern STEP_ID = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,63}");
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*(inputs|steps)\\.([^{}]*?)\\s*}}");
  private static final Pattern INPUT_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,63}");
  private static final Pattern STEP_REF = Pattern.compile("(" + STEP_ID.pattern() + ")\\.final_response");

  /** The placeholders found in a text. */
  record Used(Set<String> inputs, Set<String> steps) {
  }

  private StepPrompts() {
  }

  /**
   * @param texts the prompt and the text parts of an input message
   * @return the input keys and step ids named
   * @throws OrchException INVALID_ARGUMENT naming a malformed placeholder, e.g. {@code {{steps.a.summary}}}
   */
  static Used scan(List<String> texts) {
    Set<String> inputs = new LinkedHashSet<>();
    Set<String> steps = new LinkedHashSet<>();
    for (String text : texts) {
      Matcher m = PLACEHOLDER.matcher(text);
      while (m.find()) {
        String what = m.group(2).strip();
        if (m.group(1).equals("inputs")) {
          if (!INPUT_KEY.matcher(what).matches()) {
            throw OrchException.invalid("unsupported placeholder " + m.group() + ": write {{inputs.<key>}}");
          }
          inputs.add(what);
        } else {
          Matcher s = STEP_REF.matcher(what);
          if (!s.matches()) {
            throw OrchException.invalid("unsupported placeholder " + m.group()
                + ": only {{steps.<id>.final_response}} is supported");
          }
          steps.add(s.group(1));
        }
      }
    }
    return new Used(inputs, steps);
  }

  /** @return the prompt and the text parts of the message (the texts placeholders are looked for in) */
  static List<String> texts(String prompt, AgentMessage message) {
    List<String> out = new ArrayList<>();
    if (prompt != null) {
      out.add(prompt);
    }
    if (message != null) {
      message.parts().forEach(p -> {
        if (p instanceof MessagePart.Text t) {
          out.add(t.text());
        }
      });
    }
    return out;
  }

  /**
   * Fills {@code {{inputs.<key>}}} (every key must be present; {@link #scan} checks that first) and leaves step
   * placeholders as they are.
   */
  static String fillInputs(String text, Map<String, String> inputs) {
    return replace(text, (kind, what) -> kind.equals("inputs") ? inputs.get(what) : null);
  }

  /** @return the message with {@link #fillInputs} applied to its text parts, or null for null */
  static AgentMessage fillInputs(AgentMessage m, Map<String, String> inputs) {
    return m == null ? null : mapText(m, t -> fillInputs(t, inputs));
  }

  /**
   * Fills {@code {{steps.<id>.final_response}}} for the steps in {@code steps} from their runs' results.
   *
   * @param steps step id → its run
   * @param records reads a run (live or stored)
   * @return the text filled (other placeholders and unknown step ids unchanged)
   */
  static String fillSteps(String text, Map<String, RunId> steps, Function<RunId, Optional<RunRecord>> records) {
    if (steps.isEmpty() || text == null) {
      return text;
    }
    return replace(text, (kind, what) -> {
      if (!kind.equals("steps")) {
        return null;
      }
      Matcher s = STEP_REF.matcher(what);
      RunId id = s.matches() ? steps.get(s.group(1)) : null;
      return id == null ? null : response(s.group(1), id, records.apply(id));
    });
  }

  /** @return the message with {@link #fillSteps} applied to its text parts, or null for null */
  static AgentMessage fillSteps(AgentMessage m, Map<String, RunId> steps,
      Function<RunId, Optional<RunRecord>> records) {
    return m == null || steps.isEmpty() ? m : mapText(m, t -> fillSteps(t, steps, records));
  }

  /**
   * @return the final response of a step's run as it goes into a prompt: whole up to {@value #EXCERPT_CHARS}
   *     characters, else an excerpt with where to read the rest
   */
  static String excerpt(String response, RunId runId) {
    if (response.length() <= EXCERPT_CHARS) {
      return response;
    }
    int cut = EXCERPT_CHARS;
    if (Character.isHighSurrogate(response.charAt(cut - 1))) {
      cut--;
    }
    return response.substring(0, cut) + "\n…[excerpt: the first " + cut + " of " + response.length()
        + " characters. The whole final response is the result of run " + runId + ": wait_runs {\"run_ids\": [\""
        + runId + "\"]} returns it as result.final_response; get_event_artifact reads it from that run's "
        + "run_completed event (field_path /final_response)]";
  }

  private static String response(String step, RunId id, Optional<RunRecord> run) {
    if (run.isEmpty()) {
      return "[step " + step + ": run " + id + " not found]";
    }
    RunRecord r = run.get();
    if (r.status() != RunStatus.COMPLETED) {
      return "[step " + step + " did not complete: its run " + id + " is " + r.status().wire() + "]";
    }
    String text = r.result() == null ? null : r.result().finalResponse();
    return text == null || text.isEmpty() ? "[step " + step + " gave no final response]" : excerpt(text, id);
  }

  private interface Values {
    /** @return the replacement, or null to leave the placeholder as it is */
    String of(String kind, String what);
  }

  private static String replace(String text, Values values) {
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String v = values.of(m.group(1), m.group(2).strip());
      m.appendReplacement(out, Matcher.quoteReplacement(v == null ? m.group() : v));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static AgentMessage mapText(AgentMessage m, java.util.function.UnaryOperator<String> f) {
    List<MessagePart> parts = new ArrayList<>();
    for (MessagePart p : m.parts()) {
      parts.add(p instanceof MessagePart.Text t ? new MessagePart.Text(f.apply(t.text())) : p);
    }
    return new AgentMessage(m.role(), parts, m.metadata());
  }
}
