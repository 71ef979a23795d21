package dev.orch.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orch.core.AgentMessage;
import dev.orch.core.MessagePart;
import dev.orch.core.MessageRole;
import dev.orch.core.OrchException;
import dev.orch.core.RunId;
import dev.orch.core.RunStatus;
import dev.orch.core.SessionId;
import dev.orch.core.spi.RunRecord;
import dev.orch.core.spi.RunResult;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Workflow prompt placeholders (SPEC §12.6)")
class StepPromptsTest {
  static RunRecord run(RunId id, RunStatus status, String finalResponse) {
    Instant now = Instant.parse("2026-12-01T10:00:00Z");
    return new RunRecord(id, "codex", null, SessionId.random(), "agent1", status, Path.of("/w"), "p", null, null,
        null, now, now, null, 3, "", finalResponse == null ? null : new RunResult(finalResponse, null, null, null),
        null, null, null, null, null, null);
  }

  @Test
  @DisplayName("scan finds input keys and step ids, with blanks inside the braces, in the prompt and text parts")
  void scanFindsPlaceholders() {
    AgentMessage m = new AgentMessage(MessageRole.USER, List.of(new MessagePart.Text("see {{ steps.plan.final_response }}"),
        new MessagePart.Text("and {{inputs.extra}}")), null);
    StepPrompts.Used u = StepPrompts.scan(StepPrompts.texts("Fix {{inputs.bug}} in {{ inputs.area }}", m));
    assertThat(u.inputs()).containsExactly("bug", "area", "extra");
    assertThat(u.steps()).containsExactly("plan");
  }

  @Test
  @DisplayName("other double-brace text (Helm, Jinja) is left alone; a malformed steps placeholder is refused by name")
  void otherBracesAndMalformed() {
    assertThat(StepPrompts.scan(List.of("values: {{ .Values.image }} and {{ item }}")).inputs()).isEmpty();
    assertThatThrownBy(() -> StepPrompts.scan(List.of("{{steps.plan.summary}}")))
        .isInstanceOf(OrchException.class)
        .hasMessage("unsupported placeholder {{steps.plan.summary}}: only {{steps.<id>.final_response}} is supported");
    assertThatThrownBy(() -> StepPrompts.scan(List.of("{{inputs.}}")))
        .hasMessageStartingWith("unsupported placeholder {{inputs.}}");
  }

  @Test
  @DisplayName("inputs are filled in one pass: a value that looks like a placeholder is not filled again")
  void inputsOnePass() {
    String out = StepPrompts.fillInputs("a={{inputs.a}} b={{inputs.b}} s={{steps.x.final_response}}",
        Map.of("a", "{{inputs.b}}", "b", "B"));
    assertThat(out).isEqualTo("a={{inputs.b}} b=B s={{steps.x.final_response}}");
  }

  @Test
  @DisplayName("a step's final response is filled whole up to 4000 characters, else as an excerpt saying where the rest is")
  void stepResultsAndExcerpt() {
    RunId shortRun = RunId.random();
    RunId longRun = RunId.random();
    String big = "x".repeat(5000);
    Map<RunId, RunRecord> runs = Map.of(shortRun, run(shortRun, RunStatus.COMPLETED, "the plan"),
        longRun, run(longRun, RunStatus.COMPLETED, big));
    String out = StepPrompts.fillSteps("P: {{steps.plan.final_response}}\nL: {{steps.log.final_response}}",
        Map.of("plan", shortRun, "log", longRun), id -> Optional.ofNullable(runs.get(id)));
    assertThat(out).startsWith("P: the plan\nL: " + "x".repeat(4000) + "\n…[excerpt: the first 4000 of 5000 characters.");
    assertThat(out).contains("result of run " + longRun).contains("wait_runs").contains("get_event_artifact")
        .contains("/final_response");
    assertThat(out).doesNotContain("x".repeat(4001));
  }

  @Test
  @DisplayName("an excerpt never cuts a surrogate pair in half")
  void excerptKeepsSurrogates() {
    String text = "a".repeat(3999) + "\uD83D\uDE00" + "b".repeat(10);
    String out = StepPrompts.excerpt(text, RunId.random());
    assertThat(out).startsWith("a".repeat(3999) + "\n…[excerpt: the first 3999 of");
  }

  @Test
  @DisplayName("a step that did not complete or gave no text is said so in the prompt; unknown steps stay as written")
  void missingResults() {
    RunId failed = RunId.random();
    RunId empty = RunId.random();
    Map<RunId, RunRecord> runs = Map.of(failed, run(failed, RunStatus.FAILED, null),
        empty, run(empty, RunStatus.COMPLETED, ""));
    String out = StepPrompts.fillSteps("{{steps.a.final_response}}|{{steps.b.final_response}}|"
        + "{{steps.c.final_response}}", Map.of("a", failed, "b", empty), id -> Optional.ofNullable(runs.get(id)));
    assertThat(out).isEqualTo("[step a did not complete: its run " + failed + " is failed]|"
        + "[step b gave no final response]|{{steps.c.final_response}}");
  }
}
