package dev.orch.tck;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.AgentMessage;
import dev.orch.core.ContinueResult;
import dev.orch.core.EventType;
import dev.orch.core.NormalizedEvent;
import dev.orch.core.Orchestrator;
import dev.orch.core.Role;
import dev.orch.core.RunRef;
import dev.orch.core.RunStatus;
import dev.orch.core.SessionMode;
import dev.orch.core.SpawnRequest;
import dev.orch.core.SpawnResult;
import dev.orch.core.spi.BackendDescriptor;
import dev.orch.core.spi.BackendProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compatibility kit every backend subclasses (CONVENTIONS 10): it runs the backend through a real
 * {@link Orchestrator} on the file store and checks what every MCP client relies on — event order (run_started
 * first, seq strictly increasing, exactly one terminal event), completion with a final response, cancel that ends
 * {@code cancelled} with no child process left, and a resume that continues the same backend conversation.
 *
 * <p>Subclasses point the backend at a real peer (a CLI on a mock model, an A2A server) through
 * {@link #backendConfig(Path)}.
 */
public abstract class BackendCompatibilityKit {
  /** The run's working directory. */
  @TempDir
  protected Path cwd;
  /** Home of the global run index. */
  @TempDir
  protected Path home;
  /** The orchestrator under test. */
  protected Orchestrator orch;
  private Set<Long> childrenBefore;

  /** @return the provider under test (registered explicitly) */
  protected abstract BackendProvider provider();

  /** @return the backend_config that points the backend at its test peer */
  protected abstract ObjectNode backendConfig(Path cwd);

  /** @return a prompt the peer answers with a plain final message */
  protected abstract String plainPrompt();

  /** @return a prompt that keeps the run busy until cancelled */
  protected abstract String slowPrompt();

  /** @return how long a plain run may take */
  protected Duration runTimeout() {
    return Duration.ofSeconds(60);
  }

  @BeforeEach
  void startOrchestrator() {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("NANOBOT_ORCHESTRATOR_HOME", home.toString());
    orch = Orchestrator.builder().backend(provider()).environment(env).build();
    childrenBefore = children();
  }

  @AfterEach
  void stopOrchestrator() throws InterruptedException {
    orch.close();
    long deadline = System.currentTimeMillis() + 5000;
    while (!leftovers().isEmpty() && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    assertThat(leftovers()).as("child processes left behind by the backend").isEmpty();
  }

  private static Set<Long> children() {
    return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).map(ProcessHandle::pid)
        .collect(Collectors.toSet());
  }

  /** @return processes started by this test that are still alive (excluding ones that existed before) */
  protected Set<Long> leftovers() {
    Set<Long> now = children();
    now.removeAll(childrenBefore);
    return now;
  }

  /** @return a spawn request for a new session with the given prompt */
  protected SpawnRequest.Builder request(String prompt) {
    return SpawnRequest.builder(provider().descriptor().id(), Role.WORKER, cwd.toString(), SessionMode.NEW)
        .prompt(prompt).backendConfig(backendConfig(cwd));
  }

  @Test
  @DisplayName("the descriptor has a lowercase id, a version and an artifact")
  void descriptorDescribesTheBackend() {
    BackendDescriptor d = provider().descriptor();
    assertThat(d.id()).matches("[a-z0-9_]+");
    assertThat(d.version()).isNotBlank();
    assertThat(d.artifact()).contains(":");
    assertThat(orch.backends()).extracting(BackendDescriptor::id).contains(d.id());
  }

  @Test
  @DisplayName("a plain run completes with run_started first, gap-free seqs and exactly one terminal event")
  void plainRunCompletes() {
    SpawnResult run = orch.spawn(request(plainPrompt()).build());
    assertThat(run.status()).isEqualTo(RunStatus.QUEUED);
    List<NormalizedEvent> events = new RunWatcher(orch, run.runId()).toEnd(runTimeout());
    EventOrder.assertValid(events);
    assertThat(events.get(0).type()).isEqualTo(EventType.RUN_STARTED);
    NormalizedEvent last = events.get(events.size() - 1);
    assertThat(last.type()).as("last event %s", last.data()).isEqualTo(EventType.RUN_COMPLETED);
    assertThat(last.data().path("final_response").asText()).isNotBlank();
    assertThat(orch.getRun(RunRef.of(run.runId())).status()).isEqualTo(RunStatus.COMPLETED);
  }

  @Test
  @DisplayName("cancel mid-run ends the run cancelled with one terminal event and no process left")
  void cancelMidRun() throws InterruptedException {
    SpawnResult run = orch.spawn(request(slowPrompt()).build());
    RunWatcher w = new RunWatcher(orch, run.runId());
    w.until(events -> events.stream().anyMatch(e -> e.type() == EventType.STATUS_CHANGED
        || e.type() == EventType.AGENT_MESSAGE || e.type() == EventType.RUN_STARTED), runTimeout());
    Thread.sleep(300);
    assertThat(orch.cancel(RunRef.of(run.runId())).status()).isEqualTo(RunStatus.CANCELLED);
    List<NormalizedEvent> events = w.toEnd(runTimeout());
    EventOrder.assertValid(events);
    NormalizedEvent last = events.get(events.size() - 1);
    assertThat(last.type()).isEqualTo(EventType.STATUS_CHANGED);
    assertThat(last.data().path("status").asText()).isEqualTo("cancelled");
    assertThat(orch.getRun(RunRef.of(run.runId())).status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(leftovers()).as("processes after cancel").isEmpty();
  }

  @Test
  @DisplayName("continue_run after completion resumes the same backend conversation in a new run")
  void resumeAfterCompletion() {
    SpawnResult first = orch.spawn(request(plainPrompt()).build());
    new RunWatcher(orch, first.runId()).toEnd(runTimeout());
    var firstRef = orch.getRun(RunRef.of(first.runId())).remoteRef();
    assertThat(firstRef).as("remote_ref of the first run").isNotNull();
    ContinueResult next = orch.continueRun(RunRef.of(first.runId()), AgentMessage.userText(plainPrompt()));
    assertThat(next.mode()).isEqualTo("resume");
    assertThat(next.resumedFromRunId()).isEqualTo(first.runId());
    assertThat(next.sessionId()).isEqualTo(first.sessionId());
    List<NormalizedEvent> events = new RunWatcher(orch, next.runId()).toEnd(runTimeout());
    EventOrder.assertValid(events);
    assertThat(events.get(events.size() - 1).type()).isEqualTo(EventType.RUN_COMPLETED);
    var secondRef = orch.getRun(RunRef.of(next.runId())).remoteRef();
    assertThat(secondRef.conversationId()).as("conversation of the resumed run")
        .isEqualTo(firstRef.conversationId());
  }
}
