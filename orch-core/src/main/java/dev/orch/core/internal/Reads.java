package dev.orch.core.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.AgentInfo;
import dev.orch.core.AgentMessage;
import dev.orch.core.ArtifactSlice;
import dev.orch.core.EventPage;
import dev.orch.core.InboxPage;
import dev.orch.core.InboxReceipt;
import dev.orch.core.ProfileInfo;
import dev.orch.core.RunListing;
import dev.orch.core.RunRef;
import dev.orch.core.RunStatus;
import dev.orch.core.RunSummary;
import dev.orch.core.UsageQuery;
import dev.orch.core.UsageSummary;
import dev.orch.core.WaitListener;
import dev.orch.core.WaitMode;
import dev.orch.core.WaitResult;
import dev.orch.core.WorkflowTemplate;
import dev.orch.core.spi.BackendDescriptor;
import java.time.Duration;
import java.util.List;

/**
 * The read side of the engine behind {@link dev.orch.core.Orchestrator}: run summaries, long-polls, listings,
 * artifacts, joins (wait_runs), workflow templates, agents and their inboxes, usage. Each method delegates to the
 * component that owns the behaviour; none of them changes a run. Thread-safe.
 */
public final class Reads {
  private final RunResolver resolver;
  private final Queries queries;
  private final RunWaits waits;
  private final WorkflowTemplates templates;
  private final Inbox inbox;
  private final BackendRegistry registry;

  Reads(RunResolver resolver, Queries queries, RunWaits waits, WorkflowTemplates templates, Inbox inbox,
      BackendRegistry registry) {
    this.resolver = resolver;
    this.queries = queries;
    this.waits = waits;
    this.templates = templates;
    this.inbox = inbox;
    this.registry = registry;
  }

  /** @see dev.orch.core.Orchestrator#getRun */
  public RunSummary getRun(RunRef ref) {
    return resolver.resolve(ref).record().toSummary();
  }

  /** @see dev.orch.core.Orchestrator#awaitRuns(List, WaitMode, Duration, WaitListener) */
  public WaitResult awaitRuns(List<RunRef> runs, WaitMode mode, Duration wait, WaitListener listener) {
    return waits.await(runs, mode, wait, listener);
  }

  /** @see dev.orch.core.Orchestrator#workflowTemplates */
  public List<WorkflowTemplate> workflowTemplates(java.nio.file.Path cwd) {
    return templates.list(cwd);
  }

  /** @see dev.orch.core.Orchestrator#workflowTemplate */
  public WorkflowTemplate workflowTemplate(String name, java.nio.file.Path cwd) {
    return templates.get(name, cwd);
  }

  /** @see dev.orch.core.Orchestrator#poll */
  public EventPage poll(RunRef ref, long afterSeq, int limit, Duration wait) {
    return queries.poll(ref, afterSeq, limit, wait);
  }

  /** @see dev.orch.core.Orchestrator#listRuns */
  public RunListing listRuns(RunStatus status, String backend, String cwd, int offset, int limit) {
    return queries.listRuns(status, backend, cwd, offset, limit);
  }

  /** @see dev.orch.core.Orchestrator#readArtifact */
  public ArtifactSlice readArtifact(RunRef ref, long seq, String fieldPath, long offset, int limit) {
    return queries.readArtifact(ref, seq, fieldPath, offset, limit);
  }

  /** @see dev.orch.core.Orchestrator#listAgents */
  public List<AgentInfo> listAgents(String cwd, String backend, String status) {
    return queries.listAgents(cwd, backend, status);
  }

  /** @see dev.orch.core.Orchestrator#sendAgentMessage */
  public InboxReceipt sendAgentMessage(String to, String from, String cwd, AgentMessage m, ObjectNode meta) {
    return inbox.send(to, from, cwd, m, meta);
  }

  /** @see dev.orch.core.Orchestrator#fetchAgentMessages */
  public InboxPage fetchAgentMessages(String agentName, String cwd, long afterSeq, int limit) {
    return inbox.fetch(agentName, cwd, afterSeq, limit);
  }

  /** @return registered backend descriptors */
  public List<BackendDescriptor> backends() {
    return registry.descriptors();
  }

  /** @see dev.orch.core.Orchestrator#usage */
  public UsageSummary usage(UsageQuery query) {
    return queries.usage(query);
  }

  /** @see dev.orch.core.Orchestrator#listProfiles */
  public List<ProfileInfo> listProfiles() {
    return queries.profiles();
  }

  /** @return provider diagnostics */
  public List<String> diagnostics() {
    return registry.diagnostics();
  }
}
