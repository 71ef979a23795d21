package dev.orch.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * How a run is scheduled and bounded — Orch's spawn_run additions (SPEC §12.2, §12.3, §12.5, §12.7), kept with
 * the run so that a queued run survives a restart.
 *
 * @param priority 0–9, higher starts first; FIFO within a priority (default 5)
 * @param dependsOn runs that must complete before this one starts (≤ 100, no duplicates), never null
 * @param limits the run's limits as given (server defaults apply on top), never null
 * @param workspace the {@code workspace} object as given ({@code {mode, base_ref?, branch?, cleanup?}}), or null
 */
public record RunOptions(int priority, List<RunId> dependsOn, RunLimits limits, ObjectNode workspace) {
  /** Default priority. */
  public static final int DEFAULT_PRIORITY = 5;
  /** Most dependencies of one run. */
  public static final int MAX_DEPENDENCIES = 100;
  /** No options: priority 5, no dependencies, no limits, shared workspace. */
  public static final RunOptions DEFAULT = new RunOptions(DEFAULT_PRIORITY, List.of(), RunLimits.NONE, null);

  /** @throws OrchException INVALID_ARGUMENT for a priority outside 0–9 or too many / duplicate dependencies */
  public RunOptions {
    if (priority < 0 || priority > 9) {
      throw OrchException.invalid("priority must be an integer between 0 and 9");
    }
    dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
    if (dependsOn.size() > MAX_DEPENDENCIES) {
      throw OrchException.invalid("depends_on holds at most " + MAX_DEPENDENCIES + " run ids");
    }
    if (new LinkedHashSet<>(dependsOn).size() != dependsOn.size()) {
      throw OrchException.invalid("depends_on must not name a run twice");
    }
    limits = limits == null ? RunLimits.NONE : limits;
    workspace = workspace == null ? null : workspace.deepCopy();
  }

  /** @return the object stored with the run ({@code priority, depends_on, limits, workspace?}) */
  public ObjectNode toJson() {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("priority", priority);
    ArrayNode deps = n.putArray("depends_on");
    dependsOn.forEach(d -> deps.add(d.value()));
    n.set("limits", limits.toJson());
    if (workspace != null) {
      n.set("workspace", workspace.deepCopy());
    }
    return n;
  }

  /** @return the options stored with a run; {@link #DEFAULT} for null or a foreign shape */
  public static RunOptions fromJson(JsonNode n) {
    if (n == null || !n.isObject()) {
      return DEFAULT;
    }
    try {
      List<RunId> deps = new ArrayList<>();
      n.path("depends_on").forEach(d -> deps.add(new RunId(d.asText())));
      JsonNode ws = n.get("workspace");
      return new RunOptions(n.path("priority").asInt(DEFAULT_PRIORITY), deps, RunLimits.fromJson(n.get("limits")),
          ws != null && ws.isObject() ? (ObjectNode) ws : null);
    } catch (RuntimeException e) {
      return DEFAULT;
    }
  }
}
