package dev.orch.agents.internal;

import dev.orch.agents.Flavour;
import io.a2a.spec.AgentCapabilities;
import io.a2a.spec.AgentCard;
import io.a2a.spec.AgentExtension;
import io.a2a.spec.AgentInterface;
import io.a2a.spec.AgentSkill;
import io.a2a.spec.TransportProtocol;
import java.util.List;
import java.util.Map;

/**
 * Builds the agent card of a test agent (SPEC §9): name by flavour, protocolVersion 0.3.0, preferredTransport
 * JSONRPC at {@code url}, streaming true, no push notifications, text in and out, one skill, and the optional
 * extension {@link #CWD_EXTENSION_URI} that declares the {@code metadata.nanobot_orchestrator.cwd} message key
 * (A2A 0.3 {@code capabilities.extensions[]}: {@code {uri, description, required: false, params}}).
 */
public final class AgentCards {
  /** The A2A protocol version the test agents speak. */
  public static final String PROTOCOL_VERSION = "0.3.0";
  /**
   * Identifies the optional "working directory" extension: a message may carry
   * {@code metadata.nanobot_orchestrator.cwd} (an absolute directory) to choose where a new context works. A URN:
   * the extension is defined here and in docs/test-agents.md, not at a web address.
   */
  public static final String CWD_EXTENSION_URI = "urn:nanobot-orchestrator:a2a:cwd:v1";

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
        .description(flavour.description() + ". Works in the agent's default directory, or in the absolute directory "
            + "a context's first message names in metadata.nanobot_orchestrator.cwd; later messages of the context "
            + "resume its session.")
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
            .stateTransitionHistory(false).extensions(List.of(cwdExtension())).build())
        .defaultInputModes(List.of("text"))
        .defaultOutputModes(List.of("text", "data"))
        .skills(List.of(skill))
        .preferredTransport(TransportProtocol.JSONRPC.asString())
        .additionalInterfaces(List.of(new AgentInterface(TransportProtocol.JSONRPC.asString(), jsonRpcUrl)))
        .protocolVersion(PROTOCOL_VERSION)
        .build();
  }

  /** @return the optional cwd extension: where the key lives, what it does, what happens without it */
  public static AgentExtension cwdExtension() {
    return new AgentExtension.Builder()
        .uri(CWD_EXTENSION_URI)
        .description("Optional message metadata " + A2aMessages.ORCH_METADATA + ".cwd: the absolute working "
            + "directory of a new context (its first message pins it; a different cwd later in the context is "
            + "refused with -32602). Without it the agent works in its default directory.")
        .required(false)
        .params(Map.<String, Object>of(
            "metadata_key", A2aMessages.ORCH_METADATA,
            "field", "cwd",
            "type", "string (absolute path of an existing directory)",
            "scope", "context (pinned by the first message)",
            "default", "the agent's default directory (start-a2a-agent --cwd)"))
        .build();
  }
}
