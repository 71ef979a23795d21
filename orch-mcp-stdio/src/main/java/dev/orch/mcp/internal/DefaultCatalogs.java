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
   * @param orch where the known cwds come from
   * @return {@code {templates: [{name, source:"file", path, cwd, description?, error?}]}} by cwd and name
   */
  public static RunResources.Catalog workflowTemplateFiles(Orchestrator orch) {
    return () -> {
      ObjectNode doc = JsonNodeFactory.instance.objectNode();
      ArrayNode list = doc.putArray("templates");
      for (Path cwd : knownCwds(orch)) {
        Path dir = cwd.resolve(WORKFLOWS);
        if (!Files.isDirectory(dir)) {
          continue;
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
          files = s.filter(p -> p.getFileName().toString().endsWith(".json") && Files.isRegularFile(p))
              .sorted(Comparator.comparing(Path::toString)).toList();
        } catch (IOException e) {
          continue;
        }
        for (Path f : files) {
          ObjectNode t = list.addObject();
          String file = f.getFileName().toString();
          t.put("name", file.substring(0, file.length() - ".json".length()));
          t.put("source", "file");
          t.put("path", f.toString());
          t.put("cwd", cwd.toString());
          describe(f, t);
        }
      }
      return doc;
    };
  }

  private static void describe(Path f, ObjectNode t) {
    try {
      JsonNode n = JSON.readTree(Files.readString(f));
      if (n != null && n.path("description").isTextual()) {
        t.put("description", n.get("description").asText());
      }
    } catch (JsonProcessingException e) {
      t.put("error", "not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      t.put("error", "cannot read it: " + e.getMessage());
    }
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
