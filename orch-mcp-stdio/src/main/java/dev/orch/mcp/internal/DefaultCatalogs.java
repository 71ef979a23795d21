package dev.orch.mcp.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.AgentInfo;
import dev.orch.core.Orchestrator;
import dev.orch.core.ProfileInfo;
import dev.orch.core.RunSummary;
import dev.orch.core.WireJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What {@code orch://workflow-templates} and {@code orch://profiles} list until richer catalogs are plugged in
 * ({@link RunResources.Catalog}): files that exist in the working directories this server knows (the cwds of its runs
 * and agents). Workflow templates: every {@code <cwd>/.nanobot-orchestrator/workflows/*.json} (SPEC §12.6), with its
 * {@code description} when the file has one and the parse error when it is not valid JSON. Profiles: every profile a
 * run used, resolved against the run's cwd, with whether the file still exists.
 */
public final class DefaultCatalogs {
  /** Folder of a cwd holding workflow templates (SPEC §12.6). */
  static final String WORKFLOWS = ".nanobot-orchestrator/workflows";
  private static final ObjectMapper JSON = new ObjectMapper();

  private DefaultCatalogs() {
  }

  /**
   * @param orch where the templates and the known cwds come from
   * @return {@code {templates: [...]}}: the built-in templates, then each known cwd's
   *     {@code .nanobot-orchestrator/workflows/*.json} (SPEC §12.6), in the shape of {@code list_workflow_templates}
   *     with the cwd added; a file that cannot be used carries its {@code error}
   */
  public static RunResources.Catalog workflowTemplateFiles(Orchestrator orch) {
    return () -> {
      ObjectNode doc = WireJson.templates(orch.workflowTemplates(null));
      ArrayNode list = (ArrayNode) doc.get("templates");
      for (Path cwd : knownCwds(orch)) {
        if (!Files.isDirectory(cwd.resolve(WORKFLOWS))) {
          continue;
        }
        for (JsonNode t : WireJson.templates(orch.workflowTemplates(cwd)).path("templates")) {
          if (!"builtin".equals(t.path("source").asText())) {
            ObjectNode copy = ((ObjectNode) t).deepCopy();
            copy.put("cwd", cwd.toString());
            list.add(copy);
          }
        }
      }
      return doc;
    };
  }

  /**
   * @param orch where the runs come from
   * @return {@code {profiles: [{profile, path, cwd, exists, runs, last_used_at}]}}, most recently used first
   */
  public static RunResources.Catalog profilesInUse(Orchestrator orch) {
    return () -> {
      ObjectNode doc = JsonNodeFactory.instance.objectNode();
      ArrayNode list = doc.putArray("profiles");
      for (ProfileInfo p : orch.listProfiles()) {
        list.add(p.toJson());
      }
      return doc;
    };
  }

  private static Set<Path> knownCwds(Orchestrator orch) {
    Set<Path> out = new LinkedHashSet<>();
    for (RunSummary r : orch.listRuns(null, null, null)) {
      if (r.cwd() != null) {
        out.add(r.cwd());
      }
    }
    for (AgentInfo a : orch.listAgents(null, null, null)) {
      if (a.cwd() != null) {
        out.add(a.cwd());
      }
    }
    return out;
  }
}
