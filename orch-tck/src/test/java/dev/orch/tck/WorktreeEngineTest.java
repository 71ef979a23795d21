package dev.orch.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.AgentMessage;
import dev.orch.core.ContinueResult;
import dev.orch.core.EventType;
import dev.orch.core.NormalizedEvent;
import dev.orch.core.OrchException;
import dev.orch.core.Orchestrator;
import dev.orch.core.Role;
import dev.orch.core.RunRef;
import dev.orch.core.RunStatus;
import dev.orch.core.RunSummary;
import dev.orch.core.SessionMode;
import dev.orch.core.SpawnRequest;
import dev.orch.core.SpawnResult;
import dev.orch.core.WaitMode;
import dev.orch.core.testing.GitRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Runs in git worktrees (SPEC §12.7)")
class WorktreeEngineTest {
  @TempDir
  Path tmp;
  final List<Orchestrator> opened = new ArrayList<>();
  GitRepo repo;
  String base;
  Path cwd;

  @BeforeEach
  void repository() throws Exception {
    repo = GitRepo.init(tmp.resolve("repo"));
    repo.write("pkg/a.txt", "1\n2\n").write("pkg/b.txt", "b1\nb2\nb3\n").write("pkg/c.txt", "same\ncontent\n")
        .write(".gitignore", "**/.nanobot-orchestrator/runs/\n**/.nanobot-orchestrator/sessions/\n");
    base = repo.commitAll("base");
    cwd = repo.dir().resolve("pkg");
  }

  Orchestrator open(ScriptedBackend backend, String... settings) {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("NANOBOT_ORCHESTRATOR_HOME", tmp.resolve("home").toString());
    for (int i = 0; i + 1 < settings.length; i += 2) {
      env.put(settings[i], settings[i + 1]);
    }
    Orchestrator o = Orchestrator.builder().discovery(true).backend(backend).environment(env).build();
    opened.add(o);
    return o;
  }

  @AfterEach
  void close() {
    opened.forEach(Orchestrator::close);
  }

  static ObjectNode ws(String... kv) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    for (int i = 0; i + 1 < kv.length; i += 2) {
      n.put(kv[i], kv[i + 1]);
    }
    return n;
  }

  SpawnRequest.Builder req(String prompt, ObjectNode workspace) {
    return SpawnRequest.builder("scripted", Role.WORKER, cwd.toString(), SessionMode.NEW).prompt(prompt)
        .workspace(workspace);
  }

  static RunSummary terminal(Orchestrator o, SpawnResult r) {
    var w = o.awaitRuns(List.of(RunRef.of(r.runId())), WaitMode.ALL, Duration.ofSeconds(20));
    assertThat(w.done()).isTrue();
    return w.runs().get(0).summary();
  }

  static Map<String, JsonNode> files(RunSummary s) {
    Map<String, JsonNode> m = new HashMap<>();
    s.workspace().path("changed_files").forEach(f -> m.put(f.path("path").asText(), f));
    return m;
  }

  @Test
  @DisplayName("the agent runs in <repo>/.nanobot-orchestrator/worktrees/<run_id>/<same subdir> on branch orch/<run_id>; "
      + "the result lists added, modified, deleted and renamed files with line counts; the main checkout is untouched; "
      + "a resume reuses the worktree")
  void worktreeRun() throws Exception {
    ScriptedBackend b = new ScriptedBackend();
    Orchestrator o = open(b);
    SpawnResult r = o.spawn(req("hold:edit", ws("mode", "worktree")).build());
    SchedulingTest.await(o, r, s -> s.status() == RunStatus.RUNNING && s.workspace() != null);
    Path top = repo.dir().resolve(".nanobot-orchestrator/worktrees").resolve(r.runId().value());
    Path agentCwd = b.started.get(0).cwd();
    assertThat(agentCwd).isEqualTo(top.resolve("pkg"));
    RunSummary running = o.getRun(RunRef.of(r.runId()));
    assertThat(running.cwd()).isEqualTo(cwd);
    assertThat(running.workspace().path("path").asText()).isEqualTo(top.toString());
    assertThat(running.workspace().path("branch").asText()).isEqualTo("orch/" + r.runId());
    assertThat(running.workspace().path("base_commit").asText()).isEqualTo(base);
    assertThat(running.workspace().path("changed_files")).isEmpty();

    Files.writeString(agentCwd.resolve("a.txt"), "1\n2\n3\n4\n");
    Files.delete(agentCwd.resolve("b.txt"));
    Files.move(agentCwd.resolve("c.txt"), agentCwd.resolve("c2.txt"));
    Files.writeString(agentCwd.resolve("new.txt"), "x\ny\nz\n");
    b.release("edit");
    RunSummary done = terminal(o, r);
    assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
    Map<String, JsonNode> f = files(done);
    assertThat(f.keySet()).containsExactlyInAnyOrder("pkg/a.txt", "pkg/b.txt", "pkg/c2.txt", "pkg/new.txt");
    assertThat(f.get("pkg/a.txt").toString()).isEqualTo(
        "{\"path\":\"pkg/a.txt\",\"change\":\"modified\",\"additions\":2,\"deletions\":0}");
    assertThat(f.get("pkg/b.txt").path("change").asText()).isEqualTo("deleted");
    assertThat(f.get("pkg/b.txt").path("deletions").asInt()).isEqualTo(3);
    assertThat(f.get("pkg/c2.txt").path("change").asText()).isEqualTo("renamed");
    assertThat(f.get("pkg/c2.txt").path("old_path").asText()).isEqualTo("pkg/c.txt");
    assertThat(f.get("pkg/new.txt").path("additions").asInt()).isEqualTo(3);
    assertThat(done.workspace().path("head_commit").asText()).isEqualTo(base);
    assertThat(done.workspace().path("removed").asBoolean()).isFalse();
    NormalizedEvent end = o.poll(RunRef.of(r.runId()), 0, 100, Duration.ZERO).events().stream()
        .filter(e -> e.type() == EventType.RUN_COMPLETED).findFirst().orElseThrow();
    assertThat(end.data().path("workspace").path("changed_files")).hasSize(4);

    assertThat(repo.status()).as("main checkout").isEmpty();
    assertThat(repo.head()).isEqualTo(base);
    assertThat(repo.read("pkg/a.txt")).isEqualTo("1\n2\n");

    ContinueResult again = o.continueRun(RunRef.of(r.runId()), AgentMessage.userText("complete more"));
    SpawnResult resumed = new SpawnResult(again.runId(), "scripted", Role.WORKER, null, null, RunStatus.QUEUED);
    RunSummary second = terminal(o, resumed);
    assertThat(b.started.get(1).cwd()).isEqualTo(agentCwd);
    assertThat(second.workspace().path("path").asText()).isEqualTo(top.toString());
    assertThat(second.workspace().path("branch").asText()).isEqualTo("orch/" + r.runId());
    assertThat(files(second)).hasSize(4);
  }

  @Test
  @DisplayName("cleanup on_success: uncommitted work is committed to the branch, the worktree is removed, the branch kept; "
      + "a run that changed nothing leaves no branch; cleanup keep (default) leaves the worktree")
  void cleanup() throws Exception {
    ScriptedBackend b = new ScriptedBackend();
    Orchestrator o = open(b);
    SpawnResult r = o.spawn(req("hold:work", ws("mode", "worktree", "cleanup", "on_success", "branch", "feat/x"))
        .build());
    SchedulingTest.await(o, r, s -> s.status() == RunStatus.RUNNING && s.workspace() != null);
    Path agentCwd = b.started.get(0).cwd();
    Files.writeString(agentCwd.resolve("made.txt"), "made\n");
    b.release("work");
    RunSummary done = terminal(o, r);
    assertThat(done.workspace().path("removed").asBoolean()).isTrue();
    assertThat(done.workspace().path("branch").asText()).isEqualTo("feat/x");
    assertThat(done.workspace().path("head_commit").asText()).isNotEqualTo(base);
    assertThat(files(done)).containsOnlyKeys("pkg/made.txt");
    awaitGone(agentCwd);
    assertThat(repo.branches()).contains("feat/x");
    assertThat(repo.git("show", "feat/x:pkg/made.txt")).isEqualTo("made");
    assertThat(repo.git("log", "-1", "--format=%an", "feat/x")).isEqualTo("Orch");

    SpawnResult idle = o.spawn(req("complete", ws("mode", "worktree", "cleanup", "always")).build());
    RunSummary idleDone = terminal(o, idle);
    assertThat(idleDone.workspace().path("removed").asBoolean()).isTrue();
    awaitGone(Path.of(idleDone.workspace().path("path").asText()));
    awaitNoBranch("orch/" + idle.runId());

    SpawnResult kept = o.spawn(req("complete", ws("mode", "worktree")).build());
    RunSummary keptDone = terminal(o, kept);
    assertThat(keptDone.workspace().path("cleanup").asText()).isEqualTo("keep");
    assertThat(Path.of(keptDone.workspace().path("path").asText())).isDirectory();
    assertThat(repo.status()).isEmpty();
  }

  @Test
  @DisplayName("a cancelled run reports what it changed; cleanup always then commits that work to the branch and removes "
      + "the worktree")
  void cancelledRun() throws Exception {
    ScriptedBackend b = new ScriptedBackend();
    Orchestrator o = open(b);
    SpawnResult r = o.spawn(req("slow", ws("mode", "worktree", "cleanup", "always")).build());
    SchedulingTest.await(o, r, s -> s.status() == RunStatus.RUNNING && s.workspace() != null);
    Path agentCwd = b.started.get(0).cwd();
    Files.writeString(agentCwd.resolve("half.txt"), "half done\n");
    assertThat(o.cancel(RunRef.of(r.runId())).status()).isEqualTo(RunStatus.CANCELLED);
    RunSummary done = terminal(o, r);
    assertThat(done.status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(files(done)).containsOnlyKeys("pkg/half.txt");
    assertThat(done.workspace().path("removed").asBoolean()).isTrue();
    awaitGone(agentCwd);
    assertThat(repo.git("show", "orch/" + r.runId() + ":pkg/half.txt")).isEqualTo("half done");
    NormalizedEvent end = o.poll(RunRef.of(r.runId()), 0, 100, Duration.ZERO).events().stream()
        .filter(e -> e.type() == EventType.STATUS_CHANGED && e.data().path("status").asText().equals("cancelled"))
        .findFirst().orElseThrow();
    assertThat(end.data().path("reason").asText()).isEqualTo("user");
    assertThat(end.data().path("workspace").path("changed_files")).hasSize(1);
  }

  @Test
  @DisplayName("refused before anything is persisted: not a git repository, a branch that exists or is taken by a queued "
      + "run, an invalid branch name, an unknown base_ref, a bad mode or cleanup, a workspace on a resume")
  void refused() throws Exception {
    ScriptedBackend b = new ScriptedBackend();
    Orchestrator o = open(b, "ORCH_MAX_RUNNING", "1");
    Path plain = Files.createDirectories(tmp.resolve("plain"));
    assertThatThrownBy(() -> o.spawn(SpawnRequest.builder("scripted", Role.WORKER, plain.toString(),
        SessionMode.NEW).prompt("complete").workspace(ws("mode", "worktree")).build()))
        .isInstanceOf(OrchException.class)
        .hasMessage("workspace.mode worktree needs a git repository: " + plain);
    repo.git("branch", "taken");
    assertRefused(o, ws("mode", "worktree", "branch", "taken"), "workspace.branch already exists: taken");
    assertRefused(o, ws("mode", "worktree", "branch", "a..b"), "workspace.branch is not a valid branch name: a..b");
    assertRefused(o, ws("mode", "worktree", "base_ref", "nope"),
        "workspace.base_ref does not name a commit in the repository: nope");
    assertRefused(o, ws("mode", "worktree", "base_ref", "--all"),
        "workspace.base_ref must be a revision such as HEAD, a branch, a tag or a commit id, not: --all");
    assertRefused(o, ws("mode", "sandbox"), "workspace.mode must be \"shared\" or \"worktree\", not: sandbox");
    assertRefused(o, ws("mode", "worktree", "cleanup", "never"),
        "workspace.cleanup must be one of keep, on_success, always, not: never");
    assertThat(o.listRuns(null, null, null)).isEmpty();
    assertThat(b.started).isEmpty();

    SpawnResult busy = o.spawn(req("hold:busy", null).build());
    SchedulingTest.await(o, busy, s -> s.status() == RunStatus.RUNNING);
    SpawnResult queued = o.spawn(req("complete", ws("mode", "worktree", "branch", "wanted")).build());
    assertRefused(o, ws("mode", "worktree", "branch", "wanted"),
        "workspace.branch is already taken by the queued run " + queued.runId() + ": wanted");
    SpawnResult shared = o.spawn(req("complete", ws("mode", "shared")).build());
    assertThatThrownBy(() -> o.spawn(SpawnRequest.builder("scripted", Role.WORKER, cwd.toString(), SessionMode.RESUME)
        .sessionId(busy.sessionId().value()).prompt("complete").workspace(ws("mode", "worktree")).build()))
        .hasMessageStartingWith("workspace is chosen when a session starts (session_mode new)");
    b.release("busy");
    assertThat(terminal(o, shared).workspace()).isNull();
    assertThat(b.started.stream().filter(x -> x.runId().equals(shared.runId())).findFirst().orElseThrow().cwd())
        .isEqualTo(cwd);
    assertThat(terminal(o, queued).workspace().path("branch").asText()).isEqualTo("wanted");
  }

  void assertRefused(Orchestrator o, ObjectNode workspace, String message) {
    assertThatThrownBy(() -> o.spawn(req("complete", workspace).build())).isInstanceOf(OrchException.class)
        .hasMessage(message);
  }

  static void awaitGone(Path p) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (Files.exists(p) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(p).doesNotExist();
  }

  void awaitNoBranch(String branch) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (repo.branches().contains(branch) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(repo.branches()).doesNotContain(branch);
  }
}
