package dev.orch.backend.claude.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.OrchException;
import java.nio.file.Path;

/**
 * What a later Orch process needs to re-attach a {@code claude_code} run (SPEC §12.8), stored through
 * {@link dev.orch.core.spi.EventSink#attach} before the run's turn can start:
 *
 * <pre>
 * {"backend":"claude_code", "version":1, "agent":{pid, started_at, dir, group, fifo}, "start_offset":long,
 *  "stdin_offset":long, "structured_output":bool, "resume_id":string|null, "cwd":string, "started_at_ms":long,
 *  "timeout_ms":long, "permission_timeout_ms":long}
 * </pre>
 *
 * A run that reuses a pooled process records that process's directory (it belongs to the run that started it) and
 * the offsets where its own turn starts in the process's {@code stdout.jsonl} and {@code stdin.jsonl}.
 *
 * @param agent the {@link dev.orch.core.spi.AgentProcess#describe()} of the CLI process
 * @param startOffset byte offset of the run's first output line in {@code stdout.jsonl}
 * @param stdinOffset size of {@code stdin.jsonl} before the run's user message was written (a shorter log after a
 *     restart means the message never reached the CLI)
 * @param structuredOutput whether the run has an output schema
 * @param resumeId the Claude session the run resumes, or null
 * @param cwd the CLI's working directory
 * @param startedAtMs when the run started (epoch ms): the watchdog counts from there
 * @param timeoutMs the run's watchdog, ms
 * @param permissionTimeoutMs how long a permission prompt waits for an answer, ms
 */
record ClaudeAttachment(ObjectNode agent, long startOffset, long stdinOffset, boolean structuredOutput,
    String resumeId, Path cwd, long startedAtMs, long timeoutMs, long permissionTimeoutMs) {
  static final int VERSION = 1;
  private static final String BACKEND = "claude_code";

  ObjectNode toJson() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("backend", BACKEND);
    o.put("version", VERSION);
    o.set("agent", agent.deepCopy());
    o.put("start_offset", startOffset);
    o.put("stdin_offset", stdinOffset);
    o.put("structured_output", structuredOutput);
    if (resumeId == null) {
      o.putNull("resume_id");
    } else {
      o.put("resume_id", resumeId);
    }
    o.put("cwd", cwd.toString());
    o.put("started_at_ms", startedAtMs);
    o.put("timeout_ms", timeoutMs);
    o.put("permission_timeout_ms", permissionTimeoutMs);
    return o;
  }

  /**
   * @throws OrchException BACKEND when the record is not a claude_code attachment of a known version
   */
  static ClaudeAttachment from(JsonNode o) {
    if (o == null || !BACKEND.equals(o.path("backend").asText()) || o.path("version").asInt() != VERSION
        || !o.path("agent").isObject() || !o.path("cwd").isTextual() || !o.path("start_offset").canConvertToLong()) {
      throw new OrchException(OrchException.ErrorCode.BACKEND, "the stored re-attachment record is not one this "
          + "claude_code backend (version " + VERSION + ") understands");
    }
    JsonNode resume = o.path("resume_id");
    return new ClaudeAttachment((ObjectNode) o.get("agent"), o.get("start_offset").asLong(),
        o.path("stdin_offset").asLong(0), o.path("structured_output").asBoolean(false),
        resume.isTextual() ? resume.asText() : null, Path.of(o.get("cwd").asText()),
        o.path("started_at_ms").asLong(System.currentTimeMillis()),
        o.path("timeout_ms").asLong(dev.orch.backend.claude.ClaudeConfig.DEFAULT_TIMEOUT_MS),
        o.path("permission_timeout_ms").asLong(dev.orch.backend.claude.ClaudeConfig.DEFAULT_PERMISSION_TIMEOUT_MS));
  }
}
