package dev.orch.core.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.*;
import dev.orch.core.spi.BackendDescriptor;
import java.time.Duration;
import java.util.List;

/** The run engine (being written: this shell only fixes the signatures the front door calls). */
public final class Engine implements AutoCloseable {
  private Engine() {
  }

  public static Engine start(EngineConfig config) {
    throw new IllegalStateException("engine under construction");
  }

  public SpawnResult spawn(SpawnRequest request) {
    throw new IllegalStateException();
  }

  public RunSummary getRun(RunRef ref) {
    throw new IllegalStateException();
  }

  public EventPage poll(RunRef ref, long afterSeq, int limit, Duration wait) {
    throw new IllegalStateException();
  }

  public CancelResult cancel(RunRef ref) {
    throw new IllegalStateException();
  }

  public ContinueResult continueRun(RunRef ref, AgentMessage message) {
    throw new IllegalStateException();
  }

  public List<RunSummary> listRuns(RunStatus status, String backend, String cwd) {
    throw new IllegalStateException();
  }

  public ArtifactSlice readArtifact(RunRef ref, long seq, String fieldPath, long offset, int limit) {
    throw new IllegalStateException();
  }

  public List<AgentInfo> listAgents(String cwd, String backend, String status) {
    throw new IllegalStateException();
  }

  public InboxReceipt sendAgentMessage(String to, String from, String cwd, AgentMessage m, ObjectNode meta) {
    throw new IllegalStateException();
  }

  public InboxPage fetchAgentMessages(String agentName, String cwd, long afterSeq, int limit) {
    throw new IllegalStateException();
  }

  public List<BackendDescriptor> backends() {
    throw new IllegalStateException();
  }

  public List<String> diagnostics() {
    throw new IllegalStateException();
  }

  @Override
  public void close() {
  }
}
