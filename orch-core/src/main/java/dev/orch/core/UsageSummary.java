package dev.orch.core;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;

/**
 * The answer of {@code get_usage} (SPEC §12.4): {@code {totals: {...usage}, groups: [{key, runs, ...usage}]}}.
 *
 * @param totals all matching runs added up
 * @param groups one entry per group (empty without {@code group_by}), highest cost first, then most tokens, then key
 */
public record UsageSummary(UsageTotal totals, List<UsageTotal> groups) {
  /** Copies the groups. */
  public UsageSummary {
    Objects.requireNonNull(totals, "totals");
    groups = List.copyOf(groups);
  }

  /** @return the wire object */
  public ObjectNode toJson() {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.set("totals", totals.toJson(false));
    ArrayNode g = n.putArray("groups");
    groups.forEach(t -> g.add(t.toJson(true)));
    return n;
  }
}
