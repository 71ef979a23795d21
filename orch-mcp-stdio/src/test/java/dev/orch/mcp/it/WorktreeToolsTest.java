package dev.orch.mcp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.testing.GitRepo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * spawn_run {@code workspace} through the real server process (SPEC §12.7), on a real git repository in a temp
 * directory; the agent is the scripted fake codex CLI, which runs shell commands in its directory ({@code RUN:}) and
 * answers with that directory ({@code ANSWER_CWD}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("Runs in git worktrees through the server (SPEC §12.7)")
class WorktreeToolsTest {
  @TempDir
  static Path tmp;

  private McpRuns orch;
  private GitRepo repo;
  private String base;
  private Path cwd;

  @BeforeAll
  void start() {
    Map<String, String> env = ServerProcesses.isolatedEnv(tmp);
    FakeCodex.use(tmp.resolve("bin"), env);
    repo = GitRepo.init(tmp.resolve("repo"));
    repo.write("app/a.txt", "1\n2\n").write("app/b.txt", "b1\nb2\nb3\n").write("app/c.txt", "keep\nthis\n")
        .write("app/d.txt", "d1\n").write("README.md", "readme\n")
        .write(".gitignore", "**/.nanobot-orchestrator/runs/\n**/.nanobot-orchestrator/sessions/\n");
    base = repo.commitAll("base");
    cwd = repo.dir().resolve("app");
    orch = McpRuns.start(env);
  }

  @AfterAll
  void stop() {
    orch.close();
  }

  ObjectNode spawnArgs(Path dir, String prompt) {
    return McpRuns.object().put("backend", "codex").put("role", "worker").put("cwd", dir.toString())
        .put("session_mode", "new").put("prompt", prompt);
  }

  JsonNode finished(String runId) {
    ObjectNode args = McpRuns.object().put("wait_ms", 30000);
    args.putArray("run_ids").add(runId);
    JsonNode w = orch.call("wait_runs", args);
    assertThat(w.path("done").asBoolean()).isTrue();
    return w.path("runs").get(0);
  }

  @Test
  @DisplayName("the agent works in <repo>/.nanobot-orchestrator/worktrees/<run_id>/app on orch/<run_id>; committed, "
      + "uncommitted and untracked changes are listed with line counts; the main checkout is untouched; a resume "
      + "works in the same worktree")
  void worktreeRun() {
    ObjectNode args = spawnArgs(cwd, String.join("\n",
        "RUN: printf '3\\n4\\n5\\n' >> a.txt",
        "RUN: rm b.txt",
        "RUN: mv c.txt c-moved.txt",
        "RUN: printf 'n1\\nn2\\n' > new.txt",
        "RUN: printf 'd2\\n' >> d.txt && git add d.txt && git -c user.name=Agent -c user.email=a@a commit -qm agent",
        "ANSWER_CWD"));
    args.putObject("workspace").put("mode", "worktree");
    String runId = orch.spawn(args).path("run_id").asText();
    JsonNode done = finished(runId);
    Path top = repo.dir().resolve(".nanobot-orchestrator/worktrees").resolve(runId);
    assertThat(done.path("status").asText()).isEqualTo("completed");
    assertThat(done.path("result").path("final_response").asText()).isEqualTo(top.resolve("app").toString());
    assertThat(done.path("cwd").asText()).isEqualTo(cwd.toString());
    JsonNode ws = done.path("workspace");
    assertThat(ws.path("path").asText()).isEqualTo(top.toString());
    assertThat(ws.path("branch").asText()).isEqualTo("orch/" + runId);
    assertThat(ws.path("base_commit").asText()).isEqualTo(base);
    assertThat(ws.path("head_commit").asText()).isEqualTo(GitRepo.git(top, "rev-parse", "HEAD")).isNotEqualTo(base);
    Map<String, String> changes = new HashMap<>();
    ws.path("changed_files").forEach(f -> changes.put(f.path("path").asText(), f.path("change").asText() + " +"
        + f.path("additions").asInt() + " -" + f.path("deletions").asInt()));
    assertThat(changes).containsExactlyInAnyOrderEntriesOf(Map.of(
        "app/a.txt", "modified +3 -0",
        "app/b.txt", "deleted +0 -3",
        "app/c-moved.txt", "renamed +0 -0",
        "app/d.txt", "modified +1 -0",
        "app/new.txt", "added +2 -0"));
    JsonNode completed = orch.awaitEvent(runId, "run_completed", Duration.ofSeconds(10));
    assertThat(completed.path("data").path("workspace").path("changed_files")).hasSize(5);

    assertThat(repo.status()).as("main checkout").isEmpty();
    assertThat(repo.head()).isEqualTo(base);
    assertThat(GitRepo.git(repo.dir(), "rev-parse", "--abbrev-ref", "HEAD")).isEqualTo("main");
    assertThat(repo.read("app/a.txt")).isEqualTo("1\n2\n");
    assertThat(repo.dir().resolve("app/b.txt")).exists();

    JsonNode resumed = orch.call("continue_run", McpRuns.object().put("run_id", runId)
        .set("input_message", McpRuns.userText("ANSWER_CWD")));
    assertThat(resumed.path("mode").asText()).isEqualTo("resume");
    JsonNode again = finished(resumed.path("run_id").asText());
    assertThat(again.path("result").path("final_response").asText()).isEqualTo(top.resolve("app").toString());
    assertThat(again.path("workspace").path("path").asText()).isEqualTo(top.toString());
    assertThat(again.path("workspace").path("branch").asText()).isEqualTo("orch/" + runId);
    assertThat(again.path("workspace").path("changed_files")).hasSize(5);
  }

  @Test
  @DisplayName("a cwd outside any git repository and a branch that exists are refused with clear errors; nothing starts")
  void refused() throws Exception {
    Path plain = ServerProcesses.mkdirs(tmp.resolve("plain")).toRealPath();
    int agentsBefore = orch.call("list_agents", McpRuns.object().put("cwd", cwd.toString())).path("agents").size();
    List<String> branchesBefore = repo.branches();
    ObjectNode outside = spawnArgs(plain, "ANSWER: never");
    outside.putObject("workspace").put("mode", "worktree");
    assertThat(orch.callError("spawn_run", outside))
        .isEqualTo("Error: workspace.mode worktree needs a git repository: " + plain);
    repo.git("branch", "existing");
    branchesBefore = repo.branches();
    ObjectNode taken = spawnArgs(cwd, "ANSWER: never");
    taken.putObject("workspace").put("mode", "worktree").put("branch", "existing");
    assertThat(orch.callError("spawn_run", taken)).isEqualTo("Error: workspace.branch already exists: existing");
    ObjectNode badMode = spawnArgs(cwd, "ANSWER: never");
    badMode.putObject("workspace").put("mode", "copy");
    assertThat(orch.callError("spawn_run", badMode))
        .isEqualTo("Invalid arguments for tool spawn_run: workspace.mode: expected one of \"shared\"|\"worktree\"");
    assertThat(orch.call("list_runs", McpRuns.object().put("cwd", plain.toString())).path("runs")).isEmpty();
    assertThat(orch.call("list_agents", McpRuns.object().put("cwd", plain.toString())).path("agents")).isEmpty();
    assertThat(orch.call("list_agents", McpRuns.object().put("cwd", cwd.toString())).path("agents"))
        .hasSize(agentsBefore);
    assertThat(repo.branches()).containsExactlyInAnyOrderElementsOf(branchesBefore);
  }
}
