package dev.orch.mcp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.backend.codex.testing.MockResponsesApi;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in code_review template end to end: MCP client → server process → the real codex CLI on each step →
 * the loopback mock model ({@link MockResponsesApi}, answers chosen by a keyword of each step's prompt).
 */
@DisplayName("End to end: run_workflow code_review on the real codex CLI and the mock model")
class WorkflowCodexEndToEndTest {
  static final String REVIEW = "Review verdict: approve with nits. nit - app.py:3 - name the constant.";
  static final String TESTS = "Tests verdict: passes (12 tests). Missing: a test for an empty input list.";
  static final String FINAL = "Final review: approve with nits; add the empty-input test.";

  @TempDir
  Path tmp;

  private MockResponsesApi model;
  private McpRuns orch;

  @BeforeEach
  void setUp() throws Exception {
    model = MockResponsesApi.start();
    model.script("Review this change:", REVIEW).script("Judge the tests of this change:", TESTS)
        .script("Write the final review of this change:", FINAL);
    Map<String, String> env = ServerProcesses.isolatedEnv(tmp);
    ServerProcesses.useCodexWithMock(env, model.baseUrl());
    orch = McpRuns.start(env);
  }

  @AfterEach
  void tearDown() {
    try {
      orch.close();
    } finally {
      model.close();
    }
  }

  @Test
  @DisplayName("review and tests run in parallel on their role profiles, then the summary step gets both final responses "
      + "in its prompt; wait_runs first_failure reports all completed")
  void codeReview() throws Exception {
    Path cwd = ServerProcesses.mkdirs(tmp.resolve("work")).toRealPath();
    ObjectNode args = McpRuns.object().put("cwd", cwd.toString()).put("template", "code_review");
    args.putObject("inputs").put("change", "the branch feature/empty-lists");
    args.putObject("defaults").put("backend", "codex");
    JsonNode wf = orch.call("run_workflow", args);
    assertThat(wf.path("runs")).extracting(r -> r.path("step").asText()).containsExactly("review", "tests", "summary");

    ObjectNode wait = McpRuns.object().put("mode", "first_failure").put("wait_ms", 30000);
    wf.path("runs").forEach(r -> wait.withArray("run_ids").add(r.path("run_id").asText()));
    JsonNode done = orch.call("wait_runs", wait);
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (!done.path("done").asBoolean() && System.nanoTime() < deadline) {
      done = orch.call("wait_runs", wait);
    }
    assertThat(done.path("done").asBoolean()).isTrue();
    List<String> finals = new java.util.ArrayList<>();
    done.path("runs").forEach(r -> {
      assertThat(r.path("status").asText()).as("%s", r).isEqualTo("completed");
      assertThat(r.path("metadata").path("workflow_id").asText()).isEqualTo(wf.path("workflow_id").asText());
      assertThat(r.path("metadata").path("workflow_template").asText()).isEqualTo("code_review");
      finals.add(r.path("result").path("final_response").asText());
    });
    assertThat(finals).containsExactly(REVIEW, TESTS, FINAL);

    JsonNode summaryRequest = model.requests().stream()
        .filter(r -> MockResponsesApi.latestUserText(r).contains("Write the final review of this change:"))
        .findFirst().orElseThrow();
    String prompt = MockResponsesApi.latestUserText(summaryRequest);
    assertThat(prompt).contains("Code review:\n" + REVIEW).contains("Test review:\n" + TESTS)
        .contains("the branch feature/empty-lists").contains("Profile source: builtin:reviewer")
        .doesNotContain("{{");
    String reviewPrompt = model.requests().stream().map(MockResponsesApi::latestUserText)
        .filter(t -> t.contains("Review this change:")).findFirst().orElseThrow();
    assertThat(reviewPrompt).contains("# Role: reviewer").contains("Focus on: correctness, security, tests and "
        + "maintainability.");
    assertThat(model.requests().stream().map(MockResponsesApi::latestUserText)
        .filter(t -> t.contains("Judge the tests of this change:")).findFirst().orElseThrow())
        .contains("# Role: tester");
  }
}
