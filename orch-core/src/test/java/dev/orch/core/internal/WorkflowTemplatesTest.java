package dev.orch.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orch.core.OrchException;
import dev.orch.core.WorkflowRequest;
import dev.orch.core.WorkflowTemplate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Workflow templates: the built-ins and a cwd's own (SPEC §12.6)")
class WorkflowTemplatesTest {
  @TempDir
  Path cwd;

  final WorkflowTemplates templates = new WorkflowTemplates(getClass().getClassLoader());

  @Test
  @DisplayName("the four built-ins are listed with descriptions, required inputs and step graphs on built-in role profiles")
  void builtins() {
    List<WorkflowTemplate> all = templates.list(null);
    assertThat(all).extracting(WorkflowTemplate::name)
        .containsExactly("code_review", "feature_development", "bug_fix", "refactoring");
    for (WorkflowTemplate t : all) {
      assertThat(t.source()).isEqualTo("builtin");
      assertThat(t.error()).isNull();
      assertThat(t.description()).hasSizeGreaterThan(60);
      assertThat(t.inputs()).anyMatch(WorkflowTemplate.Input::required);
      Set<String> ids = new HashSet<>();
      for (WorkflowTemplate.StepInfo s : t.steps()) {
        assertThat(s.profile()).as("profile of %s.%s", t.name(), s.id()).startsWith("builtin:");
        assertThat(BuiltinProfiles.shipped().text(s.profile().substring("builtin:".length()))).isPresent();
        assertThat(s.role()).isIn("planner", "worker", "reviewer");
        assertThat(s.backend()).as("templates leave the backend to the caller").isNull();
        assertThat(ids).containsAll(s.dependsOn());
        ids.add(s.id());
      }
      assertThat(t.steps()).as("%s has a real graph", t.name()).hasSizeGreaterThanOrEqualTo(3)
          .anyMatch(s -> !s.dependsOn().isEmpty());
      assertThat(t.stepDocuments()).allSatisfy(d -> assertThat(d.path("prompt").asText()).contains("{{inputs."));
    }
    assertThat(all.get(1).steps()).extracting(WorkflowTemplate.StepInfo::id)
        .containsExactly("plan", "implement", "test", "review", "document");
  }

  @Test
  @DisplayName("every built-in profile names its role and what it hands over")
  void builtinProfiles() {
    assertThat(BuiltinProfiles.shipped().known()).containsExactly("architect", "implementer", "tester", "reviewer",
        "devops", "documenter", "generalist");
    for (String name : BuiltinProfiles.ROLE_NAMES) {
      String text = BuiltinProfiles.shipped().text(name).orElseThrow();
      assertThat(text).startsWith("# Role: " + name).contains("## How you work").contains("hand over");
      assertThat(Profiles.fromEnvironment(java.util.Map.of()).systemPrompt("builtin:" + name, cwd)).startsWith("Profile source: builtin:" + name + "\n\n# Role");
    }
    assertThatThrownBy(() -> Profiles.fromEnvironment(java.util.Map.of()).systemPrompt("builtin:wizard", cwd)).isInstanceOf(OrchException.class)
        .hasMessageStartingWith("Unknown built-in profile: builtin:wizard. Known built-in profiles: builtin:architect, ");
  }

  @Test
  @DisplayName("a cwd's *.json files are listed after the built-ins; one named like a built-in replaces it; a broken one "
      + "is listed with its error and refused by name")
  void cwdTemplates() throws Exception {
    Path dir = Files.createDirectories(cwd.resolve(".nanobot-orchestrator/workflows"));
    Files.writeString(dir.resolve("deploy.json"), "{\"description\": \"Ship it\", \"inputs\": {\"env\": {\"description\":"
        + " \"where\", \"default\": \"staging\"}}, \"steps\": [{\"id\": \"ship\", \"role\": \"worker\", \"backend\": "
        + "\"codex\", \"prompt\": \"deploy to {{inputs.env}}\"}]}");
    Files.writeString(dir.resolve("bug_fix.json"), "{\"description\": \"Our bug fix\", \"steps\": [{\"id\": \"a\"}]}");
    Files.writeString(dir.resolve("broken.json"), "{\"steps\": [");
    Files.writeString(dir.resolve("renamed.json"), "{\"name\": \"other\", \"steps\": [{\"id\": \"a\"}]}");
    List<WorkflowTemplate> all = templates.list(cwd);
    assertThat(all).extracting(WorkflowTemplate::name).containsExactly("code_review", "feature_development", "bug_fix",
        "refactoring", "broken", "deploy", "renamed");
    WorkflowTemplate deploy = templates.get("deploy", cwd);
    assertThat(deploy.source()).isEqualTo(dir.resolve("deploy.json").toString());
    assertThat(deploy.inputs()).containsExactly(new WorkflowTemplate.Input("env", "where", false, "staging"));
    assertThat(deploy.steps().get(0).backend()).isEqualTo("codex");
    assertThat(templates.get("bug_fix", cwd).description()).isEqualTo("Our bug fix");
    assertThat(all.get(4).error()).startsWith("not valid JSON:");
    assertThatThrownBy(() -> templates.get("broken", cwd)).hasMessageStartingWith(
        "workflow template broken (" + dir.resolve("broken.json") + ") cannot be used: not valid JSON");
    assertThatThrownBy(() -> templates.get("renamed", cwd))
        .hasMessageContaining("its name \"other\" differs from its file name renamed");
    assertThatThrownBy(() -> templates.get("nope", cwd)).isInstanceOf(OrchException.class)
        .hasMessage("Unknown workflow template: nope. Known templates: code_review, feature_development, bug_fix, "
            + "refactoring, broken, deploy, renamed");
    assertThatThrownBy(() -> templates.list(Path.of("relative"))).hasMessage("cwd must be an absolute path: relative");
  }

  @Test
  @DisplayName("step order puts dependencies first; a cycle is refused naming it")
  void orderAndCycles() {
    var steps = new java.util.LinkedHashMap<String, WorkflowRequest.Step>();
    steps.put("c", step("c", "b"));
    steps.put("a", step("a"));
    steps.put("b", step("b", "a"));
    assertThat(Workflows.order(steps)).containsExactly("a", "b", "c");
    steps.put("a", step("a", "c"));
    assertThatThrownBy(() -> Workflows.order(steps)).hasMessage("workflow steps form a cycle: c -> b -> a -> c");
  }

  private static WorkflowRequest.Step step(String id, String... deps) {
    return new WorkflowRequest.Step(id, List.of(deps), dev.orch.core.SpawnRequest.builder("codex",
        dev.orch.core.Role.WORKER, "/w", dev.orch.core.SessionMode.NEW).prompt("p").build());
  }
}
