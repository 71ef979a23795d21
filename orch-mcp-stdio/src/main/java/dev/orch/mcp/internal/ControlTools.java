package dev.orch.mcp.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.BackendInfo;
import dev.orch.core.Orchestrator;
import dev.orch.core.UsageQuery;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The control-plane tools of SPEC §12.1 and §12.4: {@code list_backends} (availability, versions, live counts) and
 * {@code get_usage} (token usage and cost added up, with groups).
 */
public final class ControlTools {
  private final Orchestrator orch;

  /** @param orch the front door all calls go to */
  public ControlTools(Orchestrator orch) {
    this.orch = orch;
  }

  /** @return the bindings of list_backends and get_usage */
  public List<ToolBinding> bindings() {
    return List.of(
        ToolBinding.of("list_backends", this::listBackends),
        new ToolBinding("get_usage", ControlTools::usageRules, this::usage));
  }

  private ObjectNode listBackends(Args a) {
    JsonNode probe = a.node().get("probe");
    List<BackendInfo> list = orch.listBackends(probe == null || probe.isNull() || probe.asBoolean(true));
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    ArrayNode arr = n.putArray("backends");
    list.forEach(b -> arr.add(b.toJson()));
    return n;
  }

  /** get_usage rules beyond the schema: an absolute cwd and a parseable {@code since}. */
  static List<Violation> usageRules(Args a) {
    List<Violation> out = new ArrayList<>();
    String cwd = a.string("cwd");
    if (cwd != null && !Path.of(cwd).isAbsolute()) {
      out.add(new Violation("cwd", "must be an absolute path, got \"" + cwd + "\""));
    }
    String since = a.string("since");
    if (since != null && parseTime(since) == null) {
      out.add(new Violation("since", "expected an ISO-8601 time such as 2026-01-31T00:00:00Z or a date such as "
          + "2026-01-31, got \"" + since + "\""));
    }
    return out;
  }

  private ObjectNode usage(Args a) {
    UsageQuery q = new UsageQuery(a.string("cwd"), RunTools.runIds(a.node().get("run_ids")),
        a.string("since") == null ? null : parseTime(a.string("since")),
        a.string("group_by") == null ? null : UsageQuery.GroupBy.fromWire(a.string("group_by")).orElseThrow());
    return orch.usage(q).toJson();
  }

  /**
   * @param s an ISO-8601 instant ({@code 2026-01-31T10:00:00Z}), offset time ({@code ...+02:00}) or date
   *     ({@code 2026-01-31}, meaning its start in UTC)
   * @return the instant, or null when it is none of these
   */
  static Instant parseTime(String s) {
    String t = s.trim();
    try {
      return Instant.parse(t);
    } catch (DateTimeParseException e) {
      // try the other forms
    }
    try {
      return OffsetDateTime.parse(t).toInstant();
    } catch (DateTimeParseException e) {
      // try a date
    }
    try {
      return LocalDate.parse(t).atStartOfDay().toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
