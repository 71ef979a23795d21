package dev.orch.mcp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.testing.GitRepo;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input for every argument issue 11 adds, through the real server process: each gets a clear error naming the
 * field and the rule, and nothing is started (no agent, no run, no branch appears in the cwd used).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("Bad input for spawn_runs, wait_runs, run_workflow, list_workflow_templates, cancel_run scope and "
    + "spawn_run workspace: clear errors, nothing started")
class WorkflowBadInputTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path tmp;

  private McpRuns orch;
  private Path cwd;
  private GitRepo repo;

  @BeforeAll
  void start() {
    Map<String, String> env = ServerProcesses.isolatedEnv(tmp);
    FakeCodex.use(tmp.resolve("bin"), env);
    repo = GitRepo.init(tmp.resolve("repo"));
    repo.write("f.txt", "f\n");
    repo.commitAll("base");
    cwd = repo.dir();
    orch = McpRuns.start(env);
  }

  @AfterAll
  void stop() {
    try {
      assertThat(orch.call("list_agents", McpRuns.object().put("cwd", cwd.toString())).path("agents"))
          .as("agents created in the cwd of the refused calls").isEmpty();
      assertThat(repo.branches()).containsExactly("main");
    } finally {
      orch.close();
    }
  }

  ObjectNode spawnArgs(String prompt) {
    return McpRuns.object().put("backend", "codex").put("role", "worker").put("cwd", cwd.toString())
        .put("session_mode", "new").put("prompt", prompt);
  }

  String error(String tool, String argsJson) throws Exception {
    return orch.callError(tool, JSON.readTree(argsJson));
  }

  String error(String tool, JsonNode args) {
    return orch.callError(tool, args);
  }

  static String invalid(String tool, String rest) {
    return "Invalid arguments for tool " + tool + ": " + rest;
  }

  @Test
  @DisplayName("spawn_runs: runs missing, empty, too many or not objects; a bad item is answered on its own")
  void spawnRuns() throws Exception {
    assertThat(error("spawn_runs", "{}")).isEqualTo(invalid("spawn_runs", "runs: is required"));
    assertThat(error("spawn_runs", "{\"runs\": []}")).isEqualTo(invalid("spawn_runs", "runs: must have at least 1 item"));
    ObjectNode many = McpRuns.object();
    ArrayNode arr = many.putArray("runs");
    for (int i = 0; i < 51; i++) {
      arr.add(spawnArgs("ANSWER: x"));
    }
    assertThat(error("spawn_runs", many)).isEqualTo(invalid("spawn_runs", "runs: must have at most 50 items"));
    assertThat(error("spawn_runs", "{\"runs\": [\"spawn please\"]}"))
        .isEqualTo(invalid("spawn_runs", "runs.0: expected object, got string"));
    ObjectNode items = McpRuns.object();
    ObjectNode bad = spawnArgs("ANSWER: x");
    bad.putObject("workspace").put("mode", "copy");
    items.putArray("runs").add(bad).add(spawnArgs("ANSWER: y").put("session_mode", "resume"));
    JsonNode out = orch.call("spawn_runs", items);
    assertThat(out.path("runs").get(0).path("error").asText())
        .isEqualTo("Invalid arguments: workspace.mode: expected one of \"shared\"|\"worktree\"");
    assertThat(out.path("runs").get(1).path("error").asText())
        .isEqualTo("Invalid arguments: session_id: session_id is required when session_mode is resume");
    assertThat(out.path("runs")).allSatisfy(r -> assertThat(r.has("run_id")).isFalse());
  }

  @Test
  @DisplayName("wait_runs: run_ids missing, empty, too many, blank or repeated; bad mode or wait_ms; unknown ids named "
      + "without waiting")
  void waitRuns() throws Exception {
    assertThat(error("wait_runs", "{}")).isEqualTo(invalid("wait_runs", "run_ids: is required"));
    assertThat(error("wait_runs", "{\"run_ids\": []}"))
        .isEqualTo(invalid("wait_runs", "run_ids: must have at least 1 item"));
    ObjectNode many = McpRuns.object();
    ArrayNode ids = many.putArray("run_ids");
    for (int i = 0; i < 101; i++) {
      ids.add("run-" + i);
    }
    assertThat(error("wait_runs", many)).isEqualTo(invalid("wait_runs", "run_ids: must have at most 100 items"));
    assertThat(error("wait_runs", "{\"run_ids\": [\"\"]}"))
        .isEqualTo(invalid("wait_runs", "run_ids.0: must have at least 1 character"));
    assertThat(error("wait_runs", "{\"run_ids\": [\"a\", \"a\"]}"))
        .isEqualTo(invalid("wait_runs", "run_ids: must not name a run twice: a"));
    assertThat(error("wait_runs", "{\"run_ids\": [\"a\"], \"mode\": \"some\"}"))
        .isEqualTo(invalid("wait_runs", "mode: expected one of \"all\"|\"any\"|\"first_failure\""));
    assertThat(error("wait_runs", "{\"run_ids\": [\"a\"], \"wait_ms\": 30001}"))
        .isEqualTo(invalid("wait_runs", "wait_ms: must be <= 30000"));
    assertThat(error("wait_runs", "{\"run_ids\": [\"a\"], \"wait_ms\": -1}"))
        .isEqualTo(invalid("wait_runs", "wait_ms: must be >= 0"));
    long t0 = System.nanoTime();
    assertThat(error("wait_runs", "{\"run_ids\": [\"nope-1\", \"nope-2\"], \"wait_ms\": 30000}"))
        .isEqualTo("Error: Unknown run_ids: nope-1, nope-2 (nothing was waited for)");
    assertThat((System.nanoTime() - t0) / 1_000_000).as("ms until the unknown ids were refused").isLessThan(20_000);
  }

  @Test
  @DisplayName("run_workflow: template and workflow both or neither, bad cwd, unknown template, missing backend or input, "
      + "bad steps (ids, dependencies, cycles, placeholders, cwd, spawn_run fields)")
  void runWorkflow() throws Exception {
    String dir = JSON.writeValueAsString(cwd.toString());
    assertThat(error("run_workflow", "{}")).isEqualTo(invalid("run_workflow", "cwd: is required"));
    assertThat(error("run_workflow", "{\"cwd\": " + dir + "}")).isEqualTo(invalid("run_workflow", "template: give "
        + "either template (a name from list_workflow_templates) or workflow {steps: [...]}, not neither"));
    assertThat(error("run_workflow", "{\"cwd\": " + dir + ", \"template\": \"bug_fix\", \"workflow\": {\"steps\": "
        + "[{\"id\": \"a\"}]}}")).endsWith("not both");
    assertThat(error("run_workflow", "{\"cwd\": \"rel/dir\", \"template\": \"bug_fix\"}"))
        .isEqualTo(invalid("run_workflow", "cwd: must be an absolute path: rel/dir"));
    assertThat(error("run_workflow", "{\"cwd\": \"/no/such/dir\", \"template\": \"bug_fix\"}"))
        .isEqualTo("Error: cwd is not a directory: /no/such/dir");
    assertThat(error("run_workflow", "{\"cwd\": " + dir + ", \"template\": \"deploy\"}")).isEqualTo("Error: Unknown "
        + "workflow template: deploy. Known templates: code_review, feature_development, bug_fix, refactoring");
    assertThat(error("run_workflow", "{\"cwd\": " + dir + ", \"template\": \"bug_fix\", \"inputs\": {\"bug\": \"b\"}}"))
        .startsWith(invalid("run_workflow", "template.steps.0.backend: is required (set it in the step or in "
            + "run_workflow defaults, e.g. defaults: {\"backend\": \"codex\"}); template.steps.1.backend: is required"));
    assertThat(error("run_workflow", "{\"cwd\": " + dir + ", \"template\": \"bug_fix\", \"defaults\": {\"backend\": "
        + "\"codex\"}}")).isEqualTo("Error: missing workflow input: bug (used by step reproduce, fix, verify); give it "
        + "in inputs");
    assertThat(error("run_workflow", "{\"cwd\": " + dir + ", \"template\": \"bug_fix\", \"defaults\": {\"backend\": "
        + "\"codex\"}, \"inputs\": {\"bug\": \"b\", \"bgu\": \"typo\"}}")).isEqualTo("Error: unknown workflow input: "
        + "bgu (no step uses it; inputs used: bug, reproduction)");
    assertThat(error("run_workflow", "{\"cwd\": " + dir + ", \"template\": \"bug_fix\", \"inputs\": {\"bug\": 7}}"))
        .startsWith(invalid("run_workflow", "inputs.bug: expected string, got integer"));

    assertThat(workflowError("[]")).isEqualTo(invalid("run_workflow", "workflow.steps: must have at least 1 item"));
    assertThat(workflowError("[{\"prompt\": \"x\"}]"))
        .isEqualTo(invalid("run_workflow", "workflow.steps.0.id: is required"));
    assertThat(workflowError("[{\"id\": \"a\", \"prompt\": \"x\"}, {\"id\": \"a\", \"prompt\": \"y\"}]"))
        .isEqualTo("Error: step ids must be unique: a appears twice");
    assertThat(workflowError("[{\"id\": \"a\", \"prompt\": \"x\", \"depends_on\": [\"z\"]}]"))
        .isEqualTo("Error: step a depends on an unknown step: z (steps: a)");
    assertThat(workflowError("[{\"id\": \"a\", \"prompt\": \"x\", \"depends_on\": [\"b\"]}, {\"id\": \"b\", "
        + "\"prompt\": \"y\", \"depends_on\": [\"a\"]}]")).isEqualTo("Error: workflow steps form a cycle: a -> b -> a");
    assertThat(workflowError("[{\"id\": \"a\", \"prompt\": \"x\"}, {\"id\": \"b\", \"prompt\": "
        + "\"{{steps.a.final_response}}\"}]")).isEqualTo("Error: step b: {{steps.a.final_response}} needs step a "
        + "among its dependencies (add it to depends_on)");
    assertThat(workflowError("[{\"id\": \"a\", \"prompt\": \"{{steps.a.result}}\"}]")).isEqualTo("Error: step a: "
        + "unsupported placeholder {{steps.a.result}}: only {{steps.<id>.final_response}} is supported");
    assertThat(workflowError("[{\"id\": \"a\", \"prompt\": \"x\", \"cwd\": \"/tmp\"}]")).isEqualTo(
        invalid("run_workflow", "workflow.steps.0.cwd: steps run in the workflow's cwd; remove cwd from the step"));
    assertThat(workflowError("[{\"id\": \"a\", \"prompt\": \"x\", \"role\": \"boss\"}]")).isEqualTo(
        invalid("run_workflow", "workflow.steps.0.role: expected one of \"planner\"|\"worker\"|\"reviewer\""));
    assertThat(workflowError("[{\"id\": \"a\"}]")).isEqualTo(invalid("run_workflow",
        "workflow.steps.0.prompt: Either prompt or input_message is required"));
    assertThat(workflowError("[{\"id\": \"a\", \"prompt\": \"x\", \"workspace\": {\"mode\": \"worktree\", "
        + "\"branch\": \"main\"}}]")).isEqualTo("Error: step a: workspace.branch already exists: main");
    assertThat(workflowError("[{\"id\": \"a\", \"prompt\": \"x\", \"profile\": \"builtin:wizard\"}]"))
        .startsWith("Error: step a: Unknown built-in profile: builtin:wizard. Known built-in profiles: "
            + "builtin:architect, builtin:implementer");
  }

  private String workflowError(String steps) throws Exception {
    return error("run_workflow", "{\"cwd\": " + JSON.writeValueAsString(cwd.toString()) + ", \"defaults\": "
        + "{\"backend\": \"codex\", \"role\": \"worker\"}, \"workflow\": {\"steps\": " + steps + "}}");
  }

  @Test
  @DisplayName("list_workflow_templates: a relative or blank cwd")
  void listTemplates() throws Exception {
    assertThat(error("list_workflow_templates", "{\"cwd\": \"rel\"}"))
        .isEqualTo("Error: cwd must be an absolute path: rel");
    assertThat(error("list_workflow_templates", "{\"cwd\": \"\"}"))
        .isEqualTo(invalid("list_workflow_templates", "cwd: must have at least 1 character"));
  }

  @Test
  @DisplayName("cancel_run: an unknown scope; scope workflow on a run outside any workflow")
  void cancelScope() throws Exception {
    assertThat(error("cancel_run", "{\"run_id\": \"x\", \"scope\": \"everything\"}"))
        .isEqualTo(invalid("cancel_run", "scope: expected one of \"run\"|\"workflow\""));
    Path other = ServerProcesses.mkdirs(tmp.resolve("other")).toRealPath();
    String run = orch.spawn(spawnArgs("WAIT_FOR: " + tmp.resolve("never")).put("cwd", other.toString()))
        .path("run_id").asText();
    assertThat(error("cancel_run", McpRuns.object().put("run_id", run).put("scope", "workflow")))
        .isEqualTo("Error: run " + run + " is not part of a workflow (it has no metadata.workflow_id); cancel it "
            + "with scope run");
    assertThat(orch.call("cancel_run", McpRuns.object().put("run_id", run)).path("status").asText())
        .isEqualTo("cancelled");
  }

  @Test
  @DisplayName("spawn_run workspace: not an object, bad mode, cleanup, branch or base_ref, and a workspace on a resume")
  void workspace() throws Exception {
    assertThat(error("spawn_run", spawnArgs("x").put("workspace", "worktree")))
        .isEqualTo(invalid("spawn_run", "workspace: expected object, got string"));
    ObjectNode cleanup = spawnArgs("x");
    cleanup.putObject("workspace").put("mode", "worktree").put("cleanup", "never");
    assertThat(error("spawn_run", cleanup))
        .isEqualTo(invalid("spawn_run", "workspace.cleanup: expected one of \"keep\"|\"on_success\"|\"always\""));
    ObjectNode blank = spawnArgs("x");
    blank.putObject("workspace").put("mode", "worktree").put("branch", "");
    assertThat(error("spawn_run", blank))
        .isEqualTo(invalid("spawn_run", "workspace.branch: must have at least 1 character"));
    ObjectNode branch = spawnArgs("x");
    branch.putObject("workspace").put("mode", "worktree").put("branch", "a..b");
    assertThat(error("spawn_run", branch)).isEqualTo("Error: workspace.branch is not a valid branch name: a..b");
    ObjectNode ref = spawnArgs("x");
    ref.putObject("workspace").put("mode", "worktree").put("base_ref", "v9.9");
    assertThat(error("spawn_run", ref))
        .isEqualTo("Error: workspace.base_ref does not name a commit in the repository: v9.9");

    Path other = ServerProcesses.mkdirs(tmp.resolve("resumes")).toRealPath();
    JsonNode first = orch.spawn(spawnArgs("ANSWER: done").put("cwd", other.toString()));
    orch.awaitTerminal(first.path("run_id").asText(), java.time.Duration.ofSeconds(20));
    ObjectNode resume = spawnArgs("x").put("cwd", other.toString()).put("session_mode", "resume")
        .put("session_id", first.path("session_id").asText());
    resume.putObject("workspace").put("mode", "worktree");
    assertThat(error("spawn_run", resume)).startsWith("Error: workspace is chosen when a session starts "
        + "(session_mode new); a resume runs in its session's workspace");
  }
}
