package dev.orch.core;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.spi.RunResult;
import java.util.Objects;

/**
 * A run as {@code wait_runs} shows it (SPEC §12.5): its summary, its result and its error.
 *
 * @param summary the run's summary, never null
 * @param result the result of a completed run, else null
 * @param error the failure message of a failed or rejected run, else null
 */
public record RunOutcome(RunSummary summary, RunResult result, String error) {
  /** @throws NullPointerException when summary is null */
  public RunOutcome {
    Objects.requireNonNull(summary, "summary");
  }

  /**
   * @return the RunSummary wire object plus {@code result} ({@code {final_response, structured_output, usage}} and
   *     {@code artifacts} when there are any, or null) and {@code error} (text or null)
   */
  public ObjectNode toJson() {
    ObjectNode n = summary.toJson();
    if (result == null) {
      n.putNull("result");
    } else {
      ObjectNode r = n.putObject("result");
      r.put("final_response", result.finalResponse());
      r.set("structured_output", result.structuredOutput() == null ? JsonNodeFactory.instance.nullNode()
          : result.structuredOutput().deepCopy());
      r.set("usage", result.usage() == null ? JsonNodeFactory.instance.nullNode() : result.usage().deepCopy());
      if (result.artifacts() != null && !result.artifacts().isNull()) {
        r.set("artifacts", result.artifacts().deepCopy());
      }
    }
    n.put("error", error);
    return n;
  }
}
