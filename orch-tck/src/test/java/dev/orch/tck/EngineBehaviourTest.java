package dev.orch.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orch.core.AgentInfo;
import dev.orch.core.AgentMessage;
import dev.orch.core.ContinueResult;
import dev.orch.core.EventPage;
import dev.orch.core.EventType;
import dev.orch.core.NormalizedEvent;
import dev.orch.core.OrchException;
import dev.orch.core.Orchestrator;
import dev.orch.core.Role;
import dev.orch.core.RunRef;
import dev.orch.core.RunStatus;
import dev.orch.core.SessionMode;
import dev.orch.core.SpawnRequest;
import dev.orch.core.SpawnResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The run engine on the file store (SPEC §2, §3, §10, §11)")
class EngineBehaviourTest {
  @TempDir
  Path cwd;
  @TempDir
  Path home;
  ScriptedBackend backend;
  Orchestrator orch;

  @BeforeEach
  void start() {
    backend = new ScriptedBackend();
    orch = open();
  }

  Orchestrator open() {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("NANOBOT_ORCHESTRATOR_HOME", home.toString());
    return Orchestrator.builder().discovery(true).backend(backend).environment(env).build();
  }

  @AfterEach
  void stop() {
    orch.close();
  }

  SpawnRequest.Builder req(String prompt) {
    return SpawnRequest.builder("scripted", Role.WORKER, cwd.toString(), SessionMode.NEW).prompt(prompt);
  }

  List<NormalizedEvent> finish(SpawnResult r) {
    return new RunWatcher(orch, r.runId()).toEnd(Duration.ofSeconds(20));
  }

  @Test
  @DisplayName("a run goes queued → running → completed, with its result in get_run and on disk")
  void runCompletes() throws Exception {
    SpawnResult r = orch.spawn(req("complete events:3").nickname("worker1").build());
    assertThat(r.status()).isEqualTo(RunStatus.QUEUED);
    assertThat(r.agentName()).isEqualTo("worker1");
    List<NormalizedEvent> events = finish(r);
    EventOrder.assertValid(events);
    assertThat(events).extracting(e -> e.type().wire()).containsExactly("run_started", "agent_message",
        "agent_message", "agent_message", "run_completed");
    var summary = orch.getRun(RunRef.of(r.runId()));
    assertThat(summary.status()).isEqualTo(RunStatus.COMPLETED);
    assertThat(summary.lastSeq()).isEqualTo(5);
    assertThat(summary.summary()).isEqualTo("Run completed");
    Path runDir = cwd.resolve(".nanobot-orchestrator/runs/" + r.runId());
    assertThat(Files.readString(runDir.resolve("result.json"))).contains("\"finalResponse\"", "done: complete");
    assertThat(Files.readAllLines(runDir.resolve("events.jsonl"))).hasSize(5);
  }

  @Test
  @DisplayName("agent names: nickname unique per cwd, else the smallest free agent<N>")
  void agentNames() {
    assertThat(orch.spawn(req("complete").build()).agentName()).isEqualTo("agent1");
    assertThat(orch.spawn(req("complete").nickname("  rev ").build()).agentName()).isEqualTo("rev");
    assertThat(orch.spawn(req("complete").build()).agentName()).isEqualTo("agent2");
    assertThatThrownBy(() -> orch.spawn(req("complete").nickname("rev").build()))
        .isInstanceOf(OrchException.class).hasMessage("Agent name is already in use: rev");
  }

  @Test
  @DisplayName("spawn_run input rules give the SPEC messages and persist nothing")
  void spawnValidation() {
    assertThatThrownBy(() -> orch.spawn(SpawnRequest.builder("scripted", Role.WORKER, "rel/dir", SessionMode.NEW)
        .prompt("p").build())).hasMessage("cwd must be an absolute path: rel/dir");
    assertThatThrownBy(() -> orch.spawn(SpawnRequest.builder("scripted", Role.WORKER, "/etc/hostname",
        SessionMode.NEW).prompt("p").build())).hasMessage("cwd is not a directory: /etc/hostname");
    assertThatThrownBy(() -> orch.spawn(req("   ").build())).hasMessage("Either prompt or input_message is required");
    assertThatThrownBy(() -> orch.spawn(SpawnRequest.builder("gemini", Role.WORKER, cwd.toString(),
        SessionMode.NEW).prompt("p").build())).hasMessageStartingWith("Unsupported backend: gemini. Known backends: ")
        .hasMessageContaining("scripted");
    assertThatThrownBy(() -> orch.spawn(req("p").profile("missing.md").build()))
        .hasMessageStartingWith("profile file not found or unreadable: missing.md");
    assertThatThrownBy(() -> orch.spawn(SpawnRequest.builder("scripted", Role.WORKER, cwd.toString(),
        SessionMode.RESUME).sessionId("nope").prompt("p").build())).hasMessage("Unknown session_id: nope");
    assertThatThrownBy(() -> orch.spawn(req("refuse").build())).hasMessageContaining("refused on purpose");
    assertThat(orch.listRuns(null, null, cwd.toString())).isEmpty();
    assertThat(orch.listAgents(cwd.toString(), null, null)).isEmpty();
  }

  @Test
  @DisplayName("a profile is applied as the system prompt 'Profile source: <path>' + blank line + content")
  void profiles() throws Exception {
    Files.writeString(cwd.resolve("p.md"), "\n  Be terse.  \n");
    finish(orch.spawn(req("complete").profile("p.md").build()));
    assertThat(backend.started.get(0).systemPrompt()).isEqualTo("Profile source: " + cwd.resolve("p.md")
        + "\n\nBe terse.");
    Files.writeString(cwd.resolve("empty.md"), "  \n");
    assertThatThrownBy(() -> orch.spawn(req("complete").profile("empty.md").build()))
        .hasMessage("profile is empty: empty.md");
  }

  @Test
  @DisplayName("input_message is rendered into the prompt when there is no prompt")
  void inputMessageRendering() throws Exception {
    var m = AgentMessage.fromJson(new com.fasterxml.jackson.databind.ObjectMapper().readTree(
        "{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"text\":\"complete this\"},{\"type\":\"data\",\"data\":"
            + "{\"a\":1}},{\"type\":\"file\",\"uri\":\"file:///x.txt\",\"name\":\"x.txt\"},"
            + "{\"type\":\"file\",\"bytes_base64\":\"AA==\",\"name\":\"b.bin\"}]}"), "input_message");
    finish(orch.spawn(SpawnRequest.builder("scripted", Role.WORKER, cwd.toString(), SessionMode.NEW)
        .inputMessage(m).build()));
    assertThat(backend.started.get(0).prompt()).isEqualTo(
        "complete this\n\n{\n  \"a\" : 1\n}\n\nAttached file: x.txt\n\nAttached file bytes: b.bin");
  }

  @Test
  @DisplayName("a resume queues FIFO behind the active run and starts when it ends (never stranded, §11.1)")
  void resumeQueuesBehindActiveRun() {
    SpawnResult first = orch.spawn(req("hold").build());
    new RunWatcher(orch, first.runId()).until(RunWatcher.has(EventType.RUN_STARTED), Duration.ofSeconds(10));
    SpawnResult second = orch.spawn(SpawnRequest.builder("scripted", Role.WORKER, cwd.toString(),
        SessionMode.RESUME).sessionId(first.sessionId().value()).prompt("complete second").build());
    SpawnResult third = orch.spawn(SpawnRequest.builder("scripted", Role.WORKER, cwd.toString(),
        SessionMode.RESUME).sessionId(first.sessionId().value()).prompt("complete third").build());
    assertThat(orch.getRun(RunRef.of(second.runId())).status()).isEqualTo(RunStatus.QUEUED);
    backend.release();
    finish(third);
    assertThat(orch.getRun(RunRef.of(second.runId())).status()).isEqualTo(RunStatus.COMPLETED);
    assertThat(backend.started).extracting(s -> s.prompt()).containsExactly("hold", "complete second",
        "complete third");
    assertThat(backend.started.get(1).resume().backendSessionId()).isEqualTo("conv-" + first.runId());
  }

  @Test
  @DisplayName("a resume right after a terminal event starts at once, many times in a row (§11.1)")
  void resumeRightAfterTerminal() {
    SpawnResult prev = orch.spawn(req("complete").build());
    finish(prev);
    for (int i = 0; i < 10; i++) {
      SpawnResult next = orch.spawn(SpawnRequest.builder("scripted", Role.WORKER, cwd.toString(),
          SessionMode.RESUME).sessionId(prev.sessionId().value()).prompt("complete " + i).build());
      assertThat(finish(next)).last().extracting(NormalizedEvent::type).isEqualTo(EventType.RUN_COMPLETED);
    }
  }

  @Test
  @DisplayName("cancel: a queued run never starts; an active run ends cancelled and a late completion is dropped")
  void cancelRules() throws Exception {
    SpawnResult active = orch.spawn(req("slow").build());
    new RunWatcher(orch, active.runId()).until(RunWatcher.has(EventType.RUN_STARTED), Duration.ofSeconds(10));
    SpawnResult queued = orch.spawn(SpawnRequest.builder("scripted", Role.WORKER, cwd.toString(),
        SessionMode.RESUME).sessionId(active.sessionId().value()).prompt("complete").build());
    assertThat(orch.cancel(RunRef.of(queued.runId())).status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(orch.cancel(RunRef.of(active.runId())).status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(backend.cancels).containsExactly("user");
    Thread.sleep(300);
    List<NormalizedEvent> events = finish(active);
    EventOrder.assertValid(events);
    assertThat(events.get(events.size() - 1).data().path("status").asText()).isEqualTo("cancelled");
    assertThat(orch.getRun(RunRef.of(active.runId())).status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(backend.started).hasSize(1);
    assertThatThrownBy(() -> orch.cancel(RunRef.of(active.runId())))
        .hasMessage("run is already terminal: cancelled");
  }

  @Test
  @DisplayName("cancel wins over a start that fails because the cancel killed the agent being started")
  void cancelDuringStart() throws Exception {
    for (int i = 0; i < 5; i++) {
      SpawnResult r = orch.spawn(req("start-child").build());
      assertThat(backend.childrenStarted.tryAcquire(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      assertThat(orch.cancel(RunRef.of(r.runId())).status()).isEqualTo(RunStatus.CANCELLED);
      List<NormalizedEvent> events = finish(r);
      EventOrder.assertValid(events);
      assertThat(events).noneMatch(e -> e.type() == EventType.RUN_FAILED);
      assertThat(orch.getRun(RunRef.of(r.runId())).status()).isEqualTo(RunStatus.CANCELLED);
    }
  }

  @Test
  @DisplayName("continue_run: live input to a waiting run; resume after completion; refusals otherwise")
  void continueRules() {
    SpawnResult r = orch.spawn(req("wait-input").build());
    new RunWatcher(orch, r.runId()).until(RunWatcher.has(EventType.INPUT_REQUIRED), Duration.ofSeconds(10));
    assertThat(orch.getRun(RunRef.of(r.runId())).status()).isEqualTo(RunStatus.INPUT_REQUIRED);
    ContinueResult live = orch.continueRun(RunRef.of(r.runId()), AgentMessage.userText("blue"));
    assertThat(live.mode()).isEqualTo("live");
    List<NormalizedEvent> events = finish(r);
    assertThat(events.get(events.size() - 1).data().path("final_response").asText()).isEqualTo("answer: blue");
    assertThat(events).extracting(e -> e.type().wire()).contains("message_added");

    ContinueResult resumed = orch.continueRun(RunRef.of(r.runId()), AgentMessage.userText("complete again"));
    assertThat(resumed.mode()).isEqualTo("resume");
    assertThat(resumed.resumedFromRunId()).isEqualTo(r.runId());
    assertThat(resumed.status()).isEqualTo(RunStatus.QUEUED);
    finish(new SpawnResult(resumed.runId(), "scripted", Role.WORKER, resumed.sessionId(), resumed.agentName(),
        resumed.status()));
    var meta = orch.getRun(RunRef.of(resumed.runId())).metadata();
    assertThat(meta.path("resumed_from_run_id").asText()).isEqualTo(r.runId().value());
    assertThat(meta.path("resume_reason").asText()).isEqualTo("continue_run_after_terminal");

    SpawnResult slow = orch.spawn(req("slow").build());
    new RunWatcher(orch, slow.runId()).until(RunWatcher.has(EventType.RUN_STARTED), Duration.ofSeconds(10));
    assertThatThrownBy(() -> orch.continueRun(RunRef.of(slow.runId()), AgentMessage.userText("x")))
        .hasMessage("run is not awaiting additional input: running");
    orch.cancel(RunRef.of(slow.runId()));
    assertThatThrownBy(() -> orch.continueRun(RunRef.of(slow.runId()), AgentMessage.userText("x")))
        .hasMessage("run is already terminal: cancelled");
  }

  @Test
  @DisplayName("a waiting poll wakes on the next event, and a finished run's poll returns at once (§11.7)")
  void longPoll() throws Exception {
    SpawnResult r = orch.spawn(req("hold").build());
    new RunWatcher(orch, r.runId()).until(RunWatcher.has(EventType.RUN_STARTED), Duration.ofSeconds(10));
    long after = orch.getRun(RunRef.of(r.runId())).lastSeq();
    CompletableFuture<EventPage> waiting = CompletableFuture.supplyAsync(
        () -> orch.poll(RunRef.of(r.runId()), after, 100, Duration.ofSeconds(30)));
    Thread.sleep(200);
    assertThat(waiting).isNotDone();
    backend.release();
    EventPage page = waiting.get(10, TimeUnit.SECONDS);
    assertThat(page.events()).extracting(NormalizedEvent::type).containsExactly(EventType.RUN_COMPLETED);
    assertThat(page.nextAfterSeq()).isEqualTo(after + 1);
    EventPage done = CompletableFuture.supplyAsync(() -> orch.poll(RunRef.of(r.runId()), after + 1, 100,
        Duration.ofSeconds(30))).get(5, TimeUnit.SECONDS);
    assertThat(done.events()).isEmpty();
    assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
    assertThat(done.nextAfterSeq()).isEqualTo(after + 1);
  }

  @Test
  @DisplayName("a run owned by another Orchestrator on the same cwd is long-polled from disk and wakes on new events")
  void diskRunLongPoll() throws Exception {
    SpawnResult r = orch.spawn(req("hold").build());
    new RunWatcher(orch, r.runId()).until(RunWatcher.has(EventType.RUN_STARTED), Duration.ofSeconds(10));
    try (Orchestrator other = open()) {
      long after = other.getRun(RunRef.of(r.runId())).lastSeq();
      assertThat(other.getRun(RunRef.of(r.runId())).status()).isEqualTo(RunStatus.RUNNING);
      CompletableFuture<EventPage> waiting = CompletableFuture.supplyAsync(
          () -> other.poll(RunRef.of(r.runId()), after, 100, Duration.ofSeconds(30)));
      Thread.sleep(200);
      assertThat(waiting).isNotDone();
      backend.release();
      EventPage page = waiting.get(10, TimeUnit.SECONDS);
      assertThat(page.events()).extracting(NormalizedEvent::type).containsExactly(EventType.RUN_COMPLETED);
      // run.json is replaced right after the event is appended: the other process sees it within milliseconds
      long deadline = System.currentTimeMillis() + 5000;
      while (other.getRun(RunRef.of(r.runId())).status() != RunStatus.COMPLETED
          && System.currentTimeMillis() < deadline) {
        Thread.sleep(10);
      }
      assertThat(other.listRuns(RunStatus.COMPLETED, null, cwd.toString())).extracting(s -> s.runId())
          .contains(r.runId());
    }
  }

  @Test
  @DisplayName("agent_name resolves to the session's executing run; list_agents shows one entry per session")
  void agentNameResolution() {
    SpawnResult done = orch.spawn(req("complete").nickname("w").build());
    finish(done);
    SpawnResult running = orch.spawn(SpawnRequest.builder("scripted", Role.REVIEWER, cwd.toString(),
        SessionMode.RESUME).sessionId(done.sessionId().value()).prompt("hold").build());
    new RunWatcher(orch, running.runId()).until(RunWatcher.has(EventType.RUN_STARTED), Duration.ofSeconds(10));
    assertThat(orch.getRun(new RunRef(null, "w", cwd.toString())).runId()).isEqualTo(running.runId());
    assertThat(orch.getRun(new RunRef(null, "w", null)).runId()).isEqualTo(running.runId());
    assertThatThrownBy(() -> orch.getRun(new RunRef(null, "ghost", cwd.toString())))
        .hasMessage("Unknown agent_name in cwd " + cwd + ": ghost");
    assertThatThrownBy(() -> orch.getRun(new RunRef(null, null, null))).hasMessage("Provide run_id or agent_name");
    List<AgentInfo> agents = orch.listAgents(cwd.toString(), null, null);
    assertThat(agents).hasSize(1);
    assertThat(agents.get(0).status()).isEqualTo("running");
    assertThat(agents.get(0).role()).isEqualTo(Role.REVIEWER);
    assertThat(agents.get(0).lastRunId()).isEqualTo(running.runId());
    backend.release();
    finish(running);
  }

  @Test
  @DisplayName("agent messages go to the recipient's inbox in order; cross-cwd messages are refused")
  void inbox(@TempDir Path otherCwd) {
    orch.spawn(req("complete").nickname("a").build());
    orch.spawn(req("complete").nickname("b").build());
    orch.spawn(SpawnRequest.builder("scripted", Role.WORKER, otherCwd.toString(), SessionMode.NEW).prompt("complete")
        .nickname("c").build());
    var r1 = orch.sendAgentMessage("b", "a", cwd.toString(), AgentMessage.userText("hi"), null);
    var r2 = orch.sendAgentMessage("b", null, cwd.toString(), AgentMessage.userText("again"), null);
    assertThat(List.of(r1.seq(), r2.seq())).containsExactly(1L, 2L);
    var page = orch.fetchAgentMessages("b", cwd.toString(), 0, 100);
    assertThat(page.messages()).extracting(m -> m.body().text()).containsExactly("hi", "again");
    assertThat(page.messages().get(0).fromAgentName()).isEqualTo("a");
    assertThat(page.nextAfterSeq()).isEqualTo(2);
    assertThat(orch.fetchAgentMessages("b", cwd.toString(), 2, 100).messages()).isEmpty();
    assertThatThrownBy(() -> orch.sendAgentMessage("b", "c", null, AgentMessage.userText("x"), null))
        .hasMessageContaining("Cross-cwd messaging is refused");
    assertThatThrownBy(() -> orch.sendAgentMessage("ghost", null, null, AgentMessage.userText("x"), null))
        .hasMessage("Unknown agent_name: ghost");
  }

  @Test
  @DisplayName("close() cancels live runs with reason shutdown and records it on disk")
  void shutdown() {
    SpawnResult r = orch.spawn(req("slow").build());
    new RunWatcher(orch, r.runId()).until(RunWatcher.has(EventType.RUN_STARTED), Duration.ofSeconds(10));
    long t0 = System.nanoTime();
    orch.close();
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
    assertThat(backend.cancels).containsExactly("shutdown");
    try (Orchestrator again = open()) {
      var s = again.getRun(RunRef.of(r.runId()));
      assertThat(s.status()).isEqualTo(RunStatus.CANCELLED);
      List<NormalizedEvent> ev = again.poll(RunRef.of(r.runId()), 0, 100, Duration.ZERO).events();
      assertThat(ev.get(ev.size() - 1).data().path("reason").asText()).isEqualTo("shutdown");
    }
    orch = open();
  }

  @Test
  @DisplayName("a large field spills into artifacts and get_event_artifact pages it back exactly")
  void artifacts() {
    SpawnResult r = orch.spawn(req("big-output").build());
    List<NormalizedEvent> events = finish(r);
    NormalizedEvent cmd = events.stream().filter(e -> e.type() == EventType.COMMAND_FINISHED).findFirst().orElseThrow();
    assertThat(cmd.data().path("output").asText()).endsWith("\n...[truncated, see artifact_refs]");
    assertThat(cmd.data().path("artifact_refs").has("/output")).isTrue();
    assertThat(cmd.toJson().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThan(16384);
    StringBuilder expected = new StringBuilder();
    for (int i = 0; expected.length() < 150_000; i++) {
      expected.append("line ").append(i).append(" \u00e9\u4e2d\uD83D\uDE00\n");
    }
    StringBuilder got = new StringBuilder();
    long offset = 0;
    while (true) {
      var slice = orch.readArtifact(RunRef.of(r.runId()), cmd.seq(), "/output", offset, 1001);
      assertThat(slice.returnedBytes()).isLessThanOrEqualTo(1001);
      got.append(slice.content());
      offset = slice.offset() + slice.returnedBytes();
      if (!slice.hasMore()) {
        assertThat(offset).isEqualTo(slice.totalBytes());
        break;
      }
    }
    assertThat(got.toString()).isEqualTo(expected.toString());
    assertThatThrownBy(() -> orch.readArtifact(RunRef.of(r.runId()), 1, "/output", 0, 10))
        .hasMessage("No artifacts found for seq 1");
    assertThatThrownBy(() -> orch.readArtifact(RunRef.of(r.runId()), cmd.seq(), "/stdout", 0, 10))
        .hasMessage("No artifact for field_path /stdout. Available field paths: /output");
    var past = orch.readArtifact(RunRef.of(r.runId()), cmd.seq(), "/output", 10_000_000, 10);
    assertThat(past.content()).isEmpty();
    assertThat(past.hasMore()).isFalse();
  }

  @Test
  @DisplayName("failures are events: run_failed with the message, status failed, error stored")
  void failure() throws Exception {
    SpawnResult r = orch.spawn(req("fail").build());
    List<NormalizedEvent> events = finish(r);
    EventOrder.assertValid(events);
    assertThat(events.get(events.size() - 1).data().path("message").asText()).isEqualTo("scripted failure");
    assertThat(orch.getRun(RunRef.of(r.runId())).summary()).isEqualTo("Run failed: scripted failure");
    try (Stream<String> lines = Files.lines(cwd.resolve(".nanobot-orchestrator/runs/" + r.runId() + "/run.json"))) {
      assertThat(lines.anyMatch(l -> l.contains("\"error\" : \"scripted failure\"")
          || l.contains("\"error\": \"scripted failure\""))).isTrue();
    }
  }

  @Test
  @DisplayName("one cwd reached through a symlink and its real path: concurrent spawns through both all succeed, "
      + "and both spellings list the same runs (issue 9 item 4)")
  void symlinkedCwd() throws Exception {
    Path link = home.resolve("link-to-cwd");
    Files.createSymbolicLink(link, cwd);
    List<CompletableFuture<SpawnResult>> spawns = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String dir = (i % 2 == 0 ? link : cwd).toString();
      spawns.add(CompletableFuture.supplyAsync(() -> orch.spawn(SpawnRequest.builder("scripted", Role.WORKER, dir,
          SessionMode.NEW).prompt("complete").build())));
    }
    List<SpawnResult> results = spawns.stream().map(CompletableFuture::join).toList();
    for (SpawnResult r : results) {
      finish(r);
    }
    assertThat(orch.listRuns(null, null, link.toString())).hasSize(20)
        .allSatisfy(s -> assertThat(s.cwd()).isEqualTo(cwd.toRealPath()));
    assertThat(orch.listRuns(null, null, cwd.toString())).hasSize(20);
    assertThat(orch.listAgents(link.toString(), null, null)).extracting(AgentInfo::agentName).doesNotHaveDuplicates()
        .hasSize(20);
  }
}
