package dev.orch.core.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.orch.core.OrchException;
import dev.orch.core.WorkflowTemplate;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Workflow templates (SPEC §12.6): the four built-ins, shipped as class-path resources
 * {@code dev/orch/core/workflows/<name>.json}, and the {@code *.json} files of
 * {@code <cwd>/.nanobot-orchestrator/workflows/}. A file named like a built-in replaces it for that cwd. A file that
 * cannot be used is still listed, with its {@code error}, so its author sees why. The format is described on
 * {@link WorkflowTemplate}. Files are read on each call (at most {@value #MAX_BYTES} bytes each); thread-safe.
 */
final class WorkflowTemplates {
  /** The built-in templates, in listing order. */
  static final List<String> BUILTIN = List.of("code_review", "feature_development", "bug_fix", "refactoring");
  /** Where user templates live, relative to the cwd. */
  static final String DIR = ".nanobot-orchestrator/workflows";
  /** Largest template file, bytes. */
  static final long MAX_BYTES = 256 * 1024;
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ClassLoader loader;

  /** @param loader where the built-in resources are looked up */
  WorkflowTemplates(ClassLoader loader) {
    this.loader = loader;
  }

  /**
   * @param cwd the directory whose templates are listed with the built-ins, or null for the built-ins only
   * @return the templates by name (a cwd file replaces a built-in of the same name), built-ins first, then files by
   *     name
   * @throws OrchException INVALID_ARGUMENT when cwd is not absolute or not a directory
   */
  List<WorkflowTemplate> list(Path cwd) {
    if (cwd != null && !cwd.isAbsolute()) {
      throw OrchException.invalid("cwd must be an absolute path: " + cwd);
    }
    if (cwd != null && !Files.isDirectory(cwd)) {
      throw OrchException.invalid("cwd is not a directory: " + cwd);
    }
    Map<String, WorkflowTemplate> byName = new LinkedHashMap<>();
    for (String name : BUILTIN) {
      byName.put(name, builtin(name));
    }
    if (cwd != null) {
      Path dir = cwd.resolve(DIR);
      if (Files.isDirectory(dir)) {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.json")) {
          ds.forEach(files::add);
        } catch (IOException e) {
          throw new OrchException(OrchException.ErrorCode.STORE, "cannot list the workflow templates of " + cwd + ": "
              + e.getMessage(), e);
        }
        files.sort(null);
        for (Path f : files) {
          String name = f.getFileName().toString().replaceFirst("\\.json$", "");
          byName.put(name, file(name, f));
        }
      }
    }
    return List.copyOf(byName.values());
  }

  /**
   * @return the template with that name for the cwd
   * @throws OrchException NOT_FOUND {@code Unknown workflow template: <name>. Known templates: <names>};
   *     INVALID_ARGUMENT {@code workflow template <name> (<source>) cannot be used: <why>} for a broken file
   */
  WorkflowTemplate get(String name, Path cwd) {
    List<WorkflowTemplate> all = list(cwd);
    WorkflowTemplate t = all.stream().filter(x -> x.name().equals(name)).findFirst()
        .orElseThrow(() -> OrchException.notFound("Unknown workflow template: " + name + ". Known templates: "
            + String.join(", ", all.stream().map(WorkflowTemplate::name).toList())));
    if (t.error() != null) {
      throw OrchException.invalid("workflow template " + name + " (" + t.source() + ") cannot be used: " + t.error());
    }
    return t;
  }

  private WorkflowTemplate builtin(String name) {
    String resource = "dev/orch/core/workflows/" + name + ".json";
    try (InputStream in = loader.getResourceAsStream(resource)) {
      if (in == null) {
        throw new UncheckedIOException(new IOException("missing resource " + resource));
      }
      return parse(name, "builtin", JSON.readTree(in));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the built-in workflow template " + name, e);
    }
  }

  private static WorkflowTemplate file(String name, Path f) {
    String source = f.toAbsolutePath().toString();
    JsonNode doc = null;
    try {
      if (!NAME.matcher(name).matches()) {
        throw OrchException.invalid("the file name must be letters, digits, _ and - (at most 64) before .json");
      }
      if (!Files.isRegularFile(f) || Files.size(f) > MAX_BYTES) {
        throw OrchException.invalid("not a regular file of at most " + MAX_BYTES + " bytes");
      }
      try {
        doc = JSON.readTree(f.toFile());
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw OrchException.invalid("not valid JSON: " + e.getOriginalMessage() + " (line "
            + (e.getLocation() == null ? "?" : e.getLocation().getLineNr()) + ")");
      }
      return parse(name, source, doc);
    } catch (OrchException | IOException e) {
      // listed with its error, and with its description when it has one, so its author recognises it
      String description = doc != null && doc.path("description").isTextual() ? doc.path("description").asText() : "";
      return new WorkflowTemplate(name, description, source, List.of(), List.of(), null, e.getMessage());
    }
  }

  /**
   * Reads a template document: {@code {name?, description?, inputs?: {key: {description?, required?, default?}},
   * steps: [{id, depends_on?, ...spawn_run fields}]}} (steps are checked fully when the workflow is run).
   *
   * @throws OrchException INVALID_ARGUMENT naming what is wrong
   */
  static WorkflowTemplate parse(String name, String source, JsonNode doc) {
    if (doc == null || !doc.isObject()) {
      throw OrchException.invalid("a template is a JSON object");
    }
    if (doc.has("name") && !name.equals(doc.path("name").asText())) {
      throw OrchException.invalid("its name \"" + doc.path("name").asText() + "\" differs from its file name " + name);
    }
    List<WorkflowTemplate.Input> inputs = new ArrayList<>();
    JsonNode in = doc.path("inputs");
    if (!in.isMissingNode() && !in.isObject()) {
      throw OrchException.invalid("inputs must be an object {key: {description, required, default}}");
    }
    in.properties().forEach(e -> {
      JsonNode d = e.getValue();
      JsonNode dflt = d.get("default");
      if (dflt != null && !dflt.isNull() && !dflt.isTextual()) {
        throw OrchException.invalid("inputs." + e.getKey() + ".default must be a string");
      }
      String dv = dflt == null || dflt.isNull() ? null : dflt.asText();
      boolean required = d.path("required").asBoolean(dv == null);
      inputs.add(new WorkflowTemplate.Input(e.getKey(), d.path("description").asText(""), required && dv == null,
          dv));
    });
    JsonNode steps = doc.path("steps");
    if (!steps.isArray() || steps.isEmpty()) {
      throw OrchException.invalid("steps must be a non-empty array");
    }
    List<WorkflowTemplate.StepInfo> infos = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) {
      JsonNode s = steps.get(i);
      if (!s.isObject() || !s.path("id").isTextual()) {
        throw OrchException.invalid("steps." + i + " must be an object with a string id");
      }
      List<String> deps = new ArrayList<>();
      s.path("depends_on").forEach(d -> deps.add(d.asText()));
      infos.add(new WorkflowTemplate.StepInfo(s.path("id").asText(), textOrNull(s, "role"), textOrNull(s, "profile"),
          textOrNull(s, "backend"), deps));
    }
    return new WorkflowTemplate(name, doc.path("description").asText(""), source, inputs, infos,
        (ArrayNode) steps, null);
  }

  private static String textOrNull(JsonNode n, String key) {
    JsonNode v = n.get(key);
    return v == null || !v.isTextual() ? null : v.asText();
  }
}
