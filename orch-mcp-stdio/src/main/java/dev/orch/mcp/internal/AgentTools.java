package dev.orch.mcp.internal;

import dev.orch.core.Orchestrator;
import dev.orch.core.WireJson;
import java.util.List;

/**
 * The agent tools of SPEC §2 (list_agents, send_agent_message, fetch_agent_messages): mapping of arguments to the
 * {@link Orchestrator} API and of its results to the wire shapes of {@link WireJson}.
 */
public final class AgentTools {
  private final Orchestrator orch;

  /** @param orch the front door all calls go to */
  public AgentTools(Orchestrator orch) {
    this.orch = orch;
  }

  /** @return the bindings of the three agent tools */
  public List<ToolBinding> bindings() {
    return List.of(
        ToolBinding.of("list_agents",
            a -> WireJson.agents(orch.listAgents(a.string("cwd"), a.string("backend"), a.string("status")))),
        ToolBinding.of("send_agent_message", a -> WireJson.receipt(orch.sendAgentMessage(a.string("to_agent_name"),
            a.string("from_agent_name"), a.string("cwd"), a.message("message"), a.object("metadata")))),
        ToolBinding.of("fetch_agent_messages", a -> WireJson.inbox(orch.fetchAgentMessages(a.string("agent_name"),
            a.string("cwd"), a.integer("after_seq"), Math.toIntExact(a.integer("limit"))))));
  }
}
