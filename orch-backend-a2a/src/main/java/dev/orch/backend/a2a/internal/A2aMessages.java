package dev.orch.backend.a2a.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.backend.a2a.A2aConfig;
import dev.orch.core.AgentMessage;
import dev.orch.core.MessagePart;
import dev.orch.core.spi.RunSpec;
import io.a2a.client.Client;
import io.a2a.client.config.ClientConfig;
import io.a2a.client.transport.jsonrpc.JSONRPCTransport;
import io.a2a.client.transport.jsonrpc.JSONRPCTransportConfig;
import io.a2a.spec.AgentCard;
import io.a2a.spec.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What an {@link A2aRun} sends (SPEC §7, §8 remote_a2a): its messages — the profile as a leading text part, the
 * input message or prompt, and the metadata {@code nanobot_orchestrator {cwd, run_id, session_id}} (+
 * {@code output_schema}) — and the SDK clients it sends them with. Pure functions.
 */
final class A2aMessages {
  private A2aMessages() {
  }

  /**
   * @param spec the run
   * @param contextId the context to continue, or null for a new one
   * @return the run's first message
   */
  static Message first(RunSpec spec, String contextId) {
    List<MessagePart> parts = new ArrayList<>();
    if (spec.systemPrompt() != null && !spec.systemPrompt().isBlank()) {
      parts.add(new MessagePart.Text(spec.systemPrompt()));
    }
    AgentMessage input = spec.inputMessage();
    if (input != null) {
      parts.addAll(input.parts());
    } else {
      parts.add(new MessagePart.Text(spec.prompt()));
    }
    return of(spec, parts, null, contextId, input == null ? null : input.metadata());
  }

  /**
   * A user message. Metadata: the caller's, then {@code nanobot_orchestrator {cwd, run_id, session_id}} and the
   * output schema.
   *
   * @param spec the run
   * @param parts the content
   * @param taskId the task it continues, or null
   * @param contextId the context, or null
   * @param callerMetadata the caller's metadata, or null
   * @return the message (a new random message id)
   */
  static Message of(RunSpec spec, List<MessagePart> parts, String taskId, String contextId,
      ObjectNode callerMetadata) {
    Map<String, Object> meta = Parts.toMap(callerMetadata);
    ObjectNode orch = JsonNodeFactory.instance.objectNode();
    orch.put("cwd", spec.cwd().toString());
    orch.put("run_id", spec.runId().value());
    orch.put("session_id", spec.sessionId().value());
    meta.put("nanobot_orchestrator", Parts.toMap(orch));
    if (spec.outputSchema() != null) {
      meta.put("output_schema", Parts.toMap(spec.outputSchema()));
    }
    Message.Builder b = new Message.Builder().role(Message.Role.USER).parts(Parts.toA2a(parts))
        .messageId(UUID.randomUUID().toString()).metadata(meta);
    if (taskId != null) {
      b.taskId(taskId);
    }
    if (contextId != null) {
      b.contextId(contextId);
    }
    return b.build();
  }

  /**
   * @param card the agent's card (a card without capabilities counts as one without streaming)
   * @param cfg the run's configuration (blocking, history length, output modes)
   * @param http the HTTP client for this client's exchanges
   * @return an SDK client speaking JSON-RPC
   * @throws Exception when the SDK refuses the card or configuration
   */
  static Client client(AgentCard card, A2aConfig cfg, OrchHttpClient http) throws Exception {
    ClientConfig.Builder cc = new ClientConfig.Builder().setStreaming(true).setPolling(!cfg.blocking())
        .setAcceptedOutputModes(cfg.acceptedOutputModes());
    if (cfg.historyLength() != null) {
      cc.setHistoryLength(cfg.historyLength());
    }
    AgentCard c = card;
    if (c.capabilities() == null) {
      c = new AgentCard.Builder(c).capabilities(new io.a2a.spec.AgentCapabilities(false, false, false, List.of()))
          .build();
    }
    return Client.builder(c).clientConfig(cc.build())
        .withTransport(JSONRPCTransport.class, new JSONRPCTransportConfig(http)).build();
  }
}
