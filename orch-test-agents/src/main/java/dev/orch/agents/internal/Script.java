package dev.orch.agents.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The script of the scripted test agent (docs/test-agents.md "Script file"). One rule per line:
 * {@code <trigger> <step> [argument…]}; blank lines and lines starting with {@code #} are ignored. The first rule
 * whose trigger occurs in the text of a task's first message (case-insensitive) wins; trigger {@code *} matches
 * every message. Steps: {@code echo [prefix]}, {@code ask-for-input <question>}, {@code fail <message>},
 * {@code slow <millis> [prefix]}. A message no rule matches is echoed. Immutable.
 *
 * @param rules the rules in file order
 */
public record Script(List<Rule> rules) {
  /** The built-in script (classpath {@code default-script.txt}), used when no file is given. */
  public static final String DEFAULT_RESOURCE = "default-script.txt";
  /** The prefix of an echo when the rule gives none; the answer is {@code <prefix> <text>}. */
  public static final String DEFAULT_ECHO_PREFIX = "Echo:";

  /** Copies the rules. */
  public Script {
    rules = List.copyOf(rules);
  }

  /** What a rule makes the agent do. */
  public enum Step {
    /** Answer {@code <prefix><text>} at once. */
    ECHO("echo"),
    /** Go to input-required with the argument as question; the follow-up message is echoed. */
    ASK_FOR_INPUT("ask-for-input"),
    /** Fail the task with the argument as message. */
    FAIL("fail"),
    /** Work for the given number of milliseconds (cancellable), then echo. */
    SLOW("slow");

    private final String word;

    Step(String word) {
      this.word = word;
    }

    /** @return the step's word in a script file */
    public String word() {
      return word;
    }
  }

  /**
   * One line of a script.
   *
   * @param trigger lower-case text to look for, or {@code *}
   * @param step the step
   * @param argument the rest of the line (trimmed, may be empty)
   * @param millis for {@link Step#SLOW}: how long to work, ms; else 0
   */
  public record Rule(String trigger, Step step, String argument, long millis) {
    /** @throws NullPointerException on null fields */
    public Rule {
      Objects.requireNonNull(trigger, "trigger");
      Objects.requireNonNull(step, "step");
      Objects.requireNonNull(argument, "argument");
    }

    boolean matches(String text) {
      return "*".equals(trigger) || text.toLowerCase(Locale.ROOT).contains(trigger);
    }
  }

  /**
   * @param text the text of a task's first message
   * @return the first matching rule, else an echo rule
   */
  public Rule match(String text) {
    for (Rule r : rules) {
      if (r.matches(text)) {
        return r;
      }
    }
    return new Rule("*", Step.ECHO, "", 0);
  }

  /**
   * Reads a script file (UTF-8).
   *
   * @param file the file
   * @return the script
   * @throws IllegalArgumentException naming the file, line number and problem for a bad line
   * @throws UncheckedIOException when the file cannot be read
   */
  public static Script read(Path file) {
    try {
      return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read script " + file + ": " + e.getMessage(), e);
    }
  }

  /** @return the built-in script */
  public static Script defaults() {
    try (InputStream in = Script.class.getResourceAsStream(DEFAULT_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(DEFAULT_RESOURCE + " is missing from the class path");
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), DEFAULT_RESOURCE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Parses script text.
   *
   * @param text the script
   * @param source a name for error messages
   * @return the script
   * @throws IllegalArgumentException naming the source, line number and problem for a bad line
   */
  public static Script parse(String text, String source) {
    List<Rule> rules = new ArrayList<>();
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] words = line.split("\\s+", 3);
      String where = source + ":" + (i + 1) + ": ";
      if (words.length < 2) {
        throw new IllegalArgumentException(where + "expected '<trigger> <step> [argument]'");
      }
      Step step = stepOf(words[1], where);
      String argument = words.length > 2 ? words[2].strip() : "";
      long millis = 0;
      if (step == Step.SLOW) {
        String[] arg = argument.split("\\s+", 2);
        try {
          millis = Long.parseLong(arg[0]);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(where + "slow needs a duration in milliseconds, got '" + arg[0] + "'");
        }
        if (millis < 0) {
          throw new IllegalArgumentException(where + "slow needs a duration >= 0 ms");
        }
        argument = arg.length > 1 ? arg[1] : "";
      } else if ((step == Step.ASK_FOR_INPUT || step == Step.FAIL) && argument.isEmpty()) {
        throw new IllegalArgumentException(where + step.word() + " needs a text argument");
      }
      rules.add(new Rule(words[0].toLowerCase(Locale.ROOT), step, argument, millis));
    }
    return new Script(rules);
  }

  private static Step stepOf(String word, String where) {
    for (Step s : Step.values()) {
      if (s.word().equalsIgnoreCase(word)) {
        return s;
      }
    }
    throw new IllegalArgumentException(where + "unknown step '" + word + "' (expected echo, ask-for-input, fail or slow)");
  }
}
