package dev.orch.agents.internal;

import dev.orch.agents.Flavour;
import io.a2a.spec.AgentCapabilities;
import io.a2a.spec.AgentCard;
import io.a2a.spec.AgentInterface;
import io.a2a.spec.AgentSkill;
import io.a2a.spec.TransportProtocol;
import java.util.List;

/**
 * Builds the agent card of a test agent (SPEC §9): name by flavour, protocolVersion 0.3.0, preferredTransport
 * JSONRPC at {@code url}, streaming true, no push notifications, text in and out, one skill.
 */
public final class AgentCards {
  /** The A2A protocol version the test agents speak. */
  public static final String PROTOCOL_VERSION = "0.3.0";

  private AgentCards() {
  }

  /**
   * @param flavour what the agent wraps
   * @param jsonRpcUrl the JSON-RPC endpoint (the card's {@code url})
   * @param version the Orch version text
   * @return the card
   */
  public static AgentCard card(Flavour flavour, String jsonRpcUrl, String version) {
    AgentSkill skill = new AgentSkill.Builder()
        .id(flavour.skillId())
        .name(flavour.cardName())
        .description(flavour.description() + ". Each message needs metadata.nanobot_orchestrator.cwd (absolute) "
            + "for a new context; later messages of the context resume its session.")
        .tags(List.of("orch", "test", flavour.id()))
        .examples(List.of("Say hello", "Create out.txt with the text hi"))
        .inputModes(List.of("text"))
        .outputModes(List.of("text", "data"))
        .build();
    return new AgentCard.Builder()
        .name(flavour.cardName())
        .description(flavour.description() + " (Orch test agent, A2A JSON-RPC).")
        .url(jsonRpcUrl)
        .version(version)
        .capabilities(new AgentCapabilities.Builder().streaming(true).pushNotifications(false)
            .stateTransitionHistory(false).build())
        .defaultInputModes(List.of("text"))
        .defaultOutputModes(List.of("text", "data"))
        .skills(List.of(skill))
        .preferredTransport(TransportProtocol.JSONRPC.asString())
        .additionalInterfaces(List.of(new AgentInterface(TransportProtocol.JSONRPC.asString(), jsonRpcUrl)))
        .protocolVersion(PROTOCOL_VERSION)
        .build();
  }
}
