package dev.orch.core.spi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.orch.core.OrchException;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads a backend's typed configuration from two namespaced sources (CONVENTIONS 9): the per-run
 * {@code backend_config} object (snake_case keys, wins) and server-wide environment variables
 * {@code <envPrefix><KEY>} (upper snake case, e.g. {@code ORCH_CODEX_SANDBOX}). Environment values are text;
 * for object, array, number and boolean keys they are parsed as JSON (numbers and booleans also bare).
 *
 * <p>Collects every problem and reports them all at once in {@link #finish()}: wrong types, bad values and
 * unknown {@code backend_config} keys, each named as {@code backend_config.<key>} or the environment variable.
 * Not thread-safe; use one reader per validation.
 */
public final class ConfigReader {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String backendId;
  private final ObjectNode perRun;
  private final Map<String, String> env;
  private final String envPrefix;
  private final Set<String> readKeys = new LinkedHashSet<>();
  private final List<String> errors = new ArrayList<>();

  /**
   * @param backendId backend id for messages, e.g. {@code codex}
   * @param perRun the run's backend_config, or null
   * @param env the process environment
   * @param envPrefix e.g. {@code ORCH_CODEX_}
   */
  public ConfigReader(String backendId, ObjectNode perRun, Map<String, String> env, String envPrefix) {
    this.backendId = backendId;
    this.perRun = perRun == null ? JsonNodeFactory.instance.objectNode() : perRun;
    this.env = env;
    this.envPrefix = envPrefix;
  }

  /** @return the environment variable name of a key, e.g. {@code ORCH_CODEX_TIMEOUT_MS} */
  public String envName(String key) {
    return envPrefix + key.toUpperCase(Locale.ROOT);
  }

  private String source(String key) {
    return perRun.has(key) ? "backend_config." + key : envName(key);
  }

  /** @return the raw JSON value of a key (per-run first, then env parsed as JSON or text), or null */
  private JsonNode raw(String key, boolean parseEnvJson) {
    readKeys.add(key);
    JsonNode v = perRun.get(key);
    if (v != null && !v.isNull()) {
      return v;
    }
    String e = env.get(envName(key));
    if (e == null || e.isEmpty()) {
      return null;
    }
    if (!parseEnvJson) {
      return TextNode.valueOf(e);
    }
    try {
      return JSON.readTree(e);
    } catch (JsonProcessingException ex) {
      errors.add(envName(key) + ": not valid JSON: " + ex.getOriginalMessage());
      return null;
    }
  }

  /** @return the string value, or {@code def} when absent; records an error when not a string */
  public String string(String key, String def) {
    JsonNode v = raw(key, false);
    if (v == null) {
      return def;
    }
    if (!v.isTextual()) {
      errors.add(source(key) + ": expected a string");
      return def;
    }
    return v.asText();
  }

  /** @return the value when it is one of {@code allowed}, else records an error and returns {@code def} */
  public String oneOf(String key, String def, Set<String> allowed) {
    String v = string(key, def);
    if (v != null && !allowed.contains(v)) {
      errors.add(source(key) + ": expected one of " + allowed + ", got \"" + v + "\"");
      return def;
    }
    return v;
  }

  /** @return the boolean value, or {@code def}; accepts JSON booleans and the texts true/false */
  public Boolean bool(String key, Boolean def) {
    JsonNode v = raw(key, true);
    if (v == null) {
      return def;
    }
    if (v.isBoolean()) {
      return v.asBoolean();
    }
    if (v.isTextual() && (v.asText().equals("true") || v.asText().equals("false"))) {
      return Boolean.parseBoolean(v.asText());
    }
    errors.add(source(key) + ": expected a boolean");
    return def;
  }

  /** @return the integer value within [min, max], or {@code def}; records an error otherwise */
  public Long longValue(String key, Long def, long min, long max) {
    JsonNode v = raw(key, true);
    if (v == null) {
      return def;
    }
    if (v.isTextual()) {
      try {
        v = JSON.readTree(v.asText());
      } catch (JsonProcessingException e) {
        v = null;
      }
    }
    if (v == null || !v.isIntegralNumber()) {
      errors.add(source(key) + ": expected an integer");
      return def;
    }
    long l = v.asLong();
    if (l < min || l > max) {
      errors.add(source(key) + ": expected an integer in [" + min + ", " + max + "], got " + l);
      return def;
    }
    return l;
  }

  /** @return the array of strings, or an empty list when absent */
  public List<String> stringList(String key) {
    JsonNode v = raw(key, true);
    List<String> out = new ArrayList<>();
    if (v == null) {
      return out;
    }
    if (!v.isArray()) {
      errors.add(source(key) + ": expected an array of strings");
      return out;
    }
    for (JsonNode item : v) {
      if (!item.isTextual()) {
        errors.add(source(key) + ": expected an array of strings");
        return new ArrayList<>();
      }
      out.add(item.asText());
    }
    return out;
  }

  /** @return the object of string values, or an empty map when absent */
  public Map<String, String> stringMap(String key) {
    JsonNode v = raw(key, true);
    Map<String, String> out = new LinkedHashMap<>();
    if (v == null) {
      return out;
    }
    if (!v.isObject()) {
      errors.add(source(key) + ": expected an object of strings");
      return out;
    }
    var it = v.properties().iterator();
    while (it.hasNext()) {
      var e = it.next();
      if (!e.getValue().isTextual()) {
        errors.add(source(key) + "." + e.getKey() + ": expected a string");
      } else {
        out.put(e.getKey(), e.getValue().asText());
      }
    }
    return out;
  }

  /** @return the object value (copied), or null when absent */
  public ObjectNode object(String key) {
    JsonNode v = raw(key, true);
    if (v == null) {
      return null;
    }
    if (!v.isObject()) {
      errors.add(source(key) + ": expected an object");
      return null;
    }
    return v.deepCopy();
  }

  /**
   * Reads an executable and finds it (SPEC §8 {@code executable}): a value with a {@code /} is a path (made
   * absolute), a bare name is looked up in the {@code PATH} of the environment given to this reader. A value
   * that cannot be found or is not an executable regular file records an error naming the key, e.g.
   * {@code backend_config.executable: "/x/codex" does not exist or is not an executable file} or
   * {@code ORCH_CODEX_EXECUTABLE: "codex" was not found on PATH (install it or set backend_config.executable /
   * ORCH_CODEX_EXECUTABLE to its path)}.
   *
   * @param key the key, e.g. {@code executable}
   * @param defaultName the value when the key is absent (usually the CLI's name, e.g. {@code codex}), or null
   * @return the absolute path of the executable; null when absent without a default, or when an error was
   *     recorded
   */
  public Path executable(String key, String defaultName) {
    String value = string(key, defaultName);
    if (value == null) {
      return null;
    }
    Path found = findExecutable(value, env.get("PATH"));
    if (found == null) {
      error(key, value.contains("/")
          ? "\"" + value + "\" does not exist or is not an executable file"
          : "\"" + value + "\" was not found on PATH (install it or set backend_config." + key + " / " + envName(key)
              + " to its path)");
    }
    return found;
  }

  /**
   * Finds an executable the way a shell does, without running anything: a value with a {@code /} is taken as a
   * path, a bare name is searched in the directories of {@code path} in order (empty entries skipped).
   *
   * @param nameOrPath the configured value, not null
   * @param path the {@code PATH} variable ({@code :}-separated), may be null
   * @return the absolute path of an executable regular file, or null when none is found (also for a blank value)
   */
  public static Path findExecutable(String nameOrPath, String path) {
    if (nameOrPath.isBlank()) {
      return null;
    }
    if (nameOrPath.contains("/")) {
      Path p = Path.of(nameOrPath).toAbsolutePath();
      return Files.isRegularFile(p) && Files.isExecutable(p) ? p : null;
    }
    if (path == null) {
      return null;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path p = Path.of(dir, nameOrPath).toAbsolutePath();
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  /** Records a custom error for a key. */
  public void error(String key, String problem) {
    errors.add(source(key) + ": " + problem);
  }

  /**
   * Reports unknown backend_config keys (every key that was never read) and all collected errors.
   *
   * @throws OrchException INVALID_ARGUMENT {@code Invalid <backend> configuration: <error>; <error>...}
   */
  public void finish() {
    perRun.fieldNames().forEachRemaining(k -> {
      if (!readKeys.contains(k)) {
        errors.add("backend_config." + k + ": unknown key (known: " + String.join(", ", readKeys) + ")");
      }
    });
    if (!errors.isEmpty()) {
      throw OrchException.invalid("Invalid " + backendId + " configuration: " + String.join("; ", errors));
    }
  }
}
