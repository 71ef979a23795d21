package dev.orch.backend.codex.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.OrchException;

/**
 * What a later Orch process needs to re-attach a codex run (SPEC §12.8), stored through
 * {@link dev.orch.core.spi.EventSink#attach} before codex can run:
 *
 * <pre>
 * {"backend":"codex", "version":1, "agent":{pid, started_at, dir, group, fifo}, "structured_output":bool,
 *  "resume_thread_id":string|null, "started_at_ms":long, "timeout_ms":long, "cancel_grace_ms":long,
 *  "model":string|null, "usage_baseline":object|null}
 * </pre>
 *
 * @param agent the {@link dev.orch.core.spi.AgentProcess#describe()} of the codex process
 * @param structuredOutput whether the run has an output schema (the last agent text is parsed as JSON)
 * @param resumeThreadId the thread the run resumes, or null
 * @param startedAtMs when the run started (epoch ms): the watchdog keeps counting from there
 * @param timeoutMs the run's watchdog, ms
 * @param cancelGraceMs time between SIGINT and the tree kill on cancel, ms
 * @param model the run's model (for pricing), or null
 * @param usageBaseline the resumed thread's usage before the run, or null
 */
record CodexAttachment(ObjectNode agent, boolean structuredOutput, String resumeThreadId, long startedAtMs,
    long timeoutMs, long cancelGraceMs, String model, JsonNode usageBaseline) {
  static final int VERSION = 1;

  /** @return the JSON record */
  ObjectNode toJson() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("backend", "codex");
    o.put("version", VERSION);
    o.set("agent", agent.deepCopy());
    o.put("structured_output", structuredOutput);
    if (resumeThreadId == null) {
      o.putNull("resume_thread_id");
    } else {
      o.put("resume_thread_id", resumeThreadId);
    }
    o.put("started_at_ms", startedAtMs);
    o.put("timeout_ms", timeoutMs);
    o.put("cancel_grace_ms", cancelGraceMs);
    if (model == null) {
      o.putNull("model");
    } else {
      o.put("model", model);
    }
    if (usageBaseline == null) {
      o.putNull("usage_baseline");
    } else {
      o.set("usage_baseline", usageBaseline.deepCopy());
    }
    return o;
  }

  /**
   * @param o a stored record
   * @return the attachment
   * @throws OrchException BACKEND when the record is not a codex attachment of a known version
   */
  static CodexAttachment from(JsonNode o) {
    if (o == null || !"codex".equals(o.path("backend").asText()) || o.path("version").asInt() != VERSION
        || !o.path("agent").isObject() || !o.path("started_at_ms").canConvertToLong()) {
      throw new OrchException(OrchException.ErrorCode.BACKEND, "the stored re-attachment record is not one this "
          + "codex backend (version " + VERSION + ") understands");
    }
    JsonNode resume = o.path("resume_thread_id");
    return new CodexAttachment((ObjectNode) o.get("agent"), o.path("structured_output").asBoolean(false),
        resume.isTextual() ? resume.asText() : null, o.get("started_at_ms").asLong(),
        o.path("timeout_ms").asLong(dev.orch.backend.codex.CodexConfig.DEFAULT_TIMEOUT_MS),
        o.path("cancel_grace_ms").asLong(dev.orch.backend.codex.CodexConfig.DEFAULT_CANCEL_GRACE_MS),
        o.path("model").isTextual() ? o.get("model").asText() : null,
        o.path("usage_baseline").isObject() ? o.get("usage_baseline") : null);
  }
}
