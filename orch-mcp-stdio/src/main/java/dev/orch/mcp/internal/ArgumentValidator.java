package dev.orch.mcp.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks tool arguments against the tool's input schema with the networknt JSON Schema validator (the one
 * {@code mcp-json-jackson2} brings) and turns its errors into {@link Violation}s that name the field path and the
 * rule (SPEC §2). Unknown properties are ignored (the schemas do not forbid them).
 *
 * <p>The validator reports every branch of a failed {@code oneOf} / {@code anyOf}. Those are reduced to what a caller
 * can act on: for a union discriminated by a {@code type} constant (message parts) either the errors of the branch the
 * {@code type} selects or one violation at {@code <path>.type} listing the allowed values; for other unions the
 * errors of the branch whose JSON type matches the value, else one type violation.
 *
 * <p>The schema is compiled on the first validation, not at construction: the server builds one validator per tool
 * before it answers {@code initialize}, and compiling ten schemas (with the validator's ~200 classes) there was a
 * large part of the start-up time (issue 8).
 *
 * <p>Thread-safe: compiled schemas are immutable; concurrent first calls may compile twice, one result is kept.
 */
public final class ArgumentValidator {
  private final JsonNode inputSchema;
  private volatile Schema schema;

  /** @param inputSchema a draft-07 JSON Schema object (not copied; must not change afterwards) */
  public ArgumentValidator(JsonNode inputSchema) {
    this.inputSchema = inputSchema;
  }

  private Schema schema() {
    Schema s = schema;
    if (s == null) {
      s = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7).getSchema(inputSchema);
      schema = s;
    }
    return s;
  }

  /**
   * @param arguments the call's arguments object (never null)
   * @return the violations in schema order, empty when the arguments are valid
   */
  public List<Violation> validate(JsonNode arguments) {
    List<Error> errors = schema().validate(arguments);
    Set<Violation> out = new LinkedHashSet<>();
    resolve(arguments, errors, 0, out);
    return List.copyOf(out);
  }

  /** Resolves errors whose evaluation paths all agree up to segment {@code depth}. */
  private void resolve(JsonNode root, List<Error> errors, int depth, Set<Violation> out) {
    // group errors by the first combinator (oneOf/anyOf) found at or after depth; keep order of first appearance
    Map<String, List<Error>> unions = new LinkedHashMap<>();
    Map<String, Integer> unionDepth = new LinkedHashMap<>();
    List<Object> order = new ArrayList<>();
    for (Error e : errors) {
      int at = combinatorIndex(e.getEvaluationPath(), depth);
      if (at < 0) {
        order.add(e);
        continue;
      }
      String key = prefix(e.getEvaluationPath(), at + 1) + "@" + unionLocation(e, at);
      if (!unions.containsKey(key)) {
        order.add(key);
        unionDepth.put(key, at);
      }
      unions.computeIfAbsent(key, k -> new ArrayList<>()).add(e);
    }
    for (Object o : order) {
      if (o instanceof Error e) {
        out.add(toViolation(e));
      } else {
        String key = (String) o;
        resolveUnion(root, unions.get(key), unionDepth.get(key), out);
      }
    }
  }

  private void resolveUnion(JsonNode root, List<Error> errors, int at, Set<Violation> out) {
    Error any = errors.get(0);
    // the summary error of the union itself (networknt emits one for oneOf) has the union as its last segment
    Error summary = errors.stream().filter(e -> e.getEvaluationPath().getNameCount() == at + 1).findFirst()
        .orElse(null);
    List<Error> branchErrors = errors.stream().filter(e -> e.getEvaluationPath().getNameCount() > at + 2).toList();
    NodePath location = unionLocation(any, at);
    JsonNode branches = summary != null ? summary.getSchemaNode() : findBranches(any, at);
    JsonNode value = valueAt(root, location);
    int chosen = chooseBranch(branches, value);
    if (chosen >= 0) {
      String branch = String.valueOf(chosen);
      List<Error> selected = branchErrors.stream()
          .filter(e -> branch.equals(e.getEvaluationPath().getName(at + 1))).toList();
      if (!selected.isEmpty()) {
        resolve(root, selected, at + 2, out);
        return;
      }
    }
    List<String> consts = discriminatorValues(branches);
    if (!consts.isEmpty()) {
      out.add(new Violation(join(location, "type"), "expected one of " + quoteAll(consts)));
    } else {
      out.add(new Violation(dotted(location), "expected " + String.join(" or ", branchTypes(branches))
          + ", got " + jsonType(value)));
    }
  }

  /** @return the branch selected by a {@code type} discriminator or by the JSON type of the value, else -1 */
  private static int chooseBranch(JsonNode branches, JsonNode value) {
    if (branches == null || !branches.isArray() || value == null) {
      return -1;
    }
    List<String> consts = discriminatorValues(branches);
    if (!consts.isEmpty()) {
      return value.isObject() ? consts.indexOf(value.path("type").asText(null)) : -1;
    }
    String actual = jsonType(value);
    for (int i = 0; i < branches.size(); i++) {
      String t = branches.get(i).path("type").asText("");
      if (t.equals(actual) || (t.equals("number") && actual.equals("integer"))) {
        return i;
      }
    }
    return -1;
  }

  /** @return the {@code properties.type.const} of every branch, or empty when not all branches have one */
  private static List<String> discriminatorValues(JsonNode branches) {
    List<String> out = new ArrayList<>();
    if (branches == null || !branches.isArray()) {
      return out;
    }
    for (JsonNode b : branches) {
      JsonNode c = b.path("properties").path("type").get("const");
      if (c == null || !c.isTextual()) {
        return List.of();
      }
      out.add(c.asText());
    }
    return out;
  }

  private static List<String> branchTypes(JsonNode branches) {
    List<String> out = new ArrayList<>();
    if (branches != null) {
      branches.forEach(b -> out.add(b.path("type").asText("a matching value")));
    }
    return out;
  }

  /** @return the schema node reached by the first {@code count} segments of an evaluation path, or null */
  private JsonNode schemaAt(NodePath eval, int count) {
    JsonNode node = schema.getSchemaNode();
    for (int i = 0; i < count && node != null; i++) {
      Object seg = eval.getElement(i);
      node = seg instanceof Integer idx ? node.get(idx) : node.get(String.valueOf(seg));
    }
    return node;
  }

  /** Finds the union's branch array by walking the schema along the evaluation path (no summary error case). */
  private JsonNode findBranches(Error e, int at) {
    JsonNode node = schema().getSchemaNode();
    NodePath eval = e.getEvaluationPath();
    for (int i = 0; i <= at && node != null; i++) {
      Object seg = eval.getElement(i);
      node = seg instanceof Integer idx ? node.get(idx) : node.get(String.valueOf(seg));
    }
    return node;
  }

  private static JsonNode valueAt(JsonNode root, NodePath location) {
    JsonNode node = root;
    for (int i = 0; i < location.getNameCount() && node != null; i++) {
      Object seg = location.getElement(i);
      node = seg instanceof Integer idx ? node.get(idx) : node.get(String.valueOf(seg));
    }
    return node;
  }

  /** @return the index of the first oneOf/anyOf segment at or after {@code from}, or -1 */
  private static int combinatorIndex(NodePath eval, int from) {
    for (int i = from; i < eval.getNameCount(); i++) {
      String s = eval.getName(i);
      if (("oneOf".equals(s) || "anyOf".equals(s)) && (i == 0 || !"properties".equals(eval.getName(i - 1)))) {
        return i;
      }
    }
    return -1;
  }

  /** The instance location of the union: one instance segment per properties/items step before it. */
  private static NodePath unionLocation(Error e, int at) {
    NodePath eval = e.getEvaluationPath();
    int steps = 0;
    for (int i = 0; i < at; i++) {
      String s = eval.getName(i);
      boolean keyword = i == 0 || !"properties".equals(eval.getName(i - 1));
      if (keyword && ("items".equals(s) || "additionalProperties".equals(s))) {
        steps++;
      } else if (!keyword) {
        steps++;
      }
    }
    NodePath loc = e.getInstanceLocation();
    while (loc.getNameCount() > steps) {
      loc = loc.getParent();
    }
    return loc;
  }

  private static String prefix(NodePath p, int count) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < count; i++) {
      sb.append('/').append(p.getName(i));
    }
    return sb.toString();
  }

  private Violation toViolation(Error e) {
    NodePath loc = e.getInstanceLocation();
    JsonNode schemaNode = e.getSchemaNode();
    String keyword = e.getKeyword() == null ? "" : e.getKeyword();
    switch (keyword) {
      case "required":
        return new Violation(join(loc, e.getProperty()), "is required");
      case "enum": {
        List<String> values = new ArrayList<>();
        schemaNode.forEach(v -> values.add(v.asText()));
        return new Violation(dotted(loc), "expected one of " + quoteAll(values));
      }
      case "const":
        return new Violation(dotted(loc), "expected \"" + schemaNode.asText() + "\"");
      case "type":
        return new Violation(dotted(loc), "expected " + schemaNode.asText() + ", got " + jsonType(e.getInstanceNode()));
      case "minimum":
        return new Violation(dotted(loc), "must be >= " + schemaNode.asText());
      case "maximum":
        return new Violation(dotted(loc), "must be <= " + schemaNode.asText());
      case "exclusiveMinimum":
        return new Violation(dotted(loc), "must be > " + schemaNode.asText());
      case "exclusiveMaximum":
        return new Violation(dotted(loc), "must be < " + schemaNode.asText());
      case "minLength":
        return new Violation(dotted(loc), "must have at least " + count(schemaNode.asLong(), "character"));
      case "maxLength":
        return new Violation(dotted(loc), "must have at most " + count(schemaNode.asLong(), "character"));
      case "minItems":
        return new Violation(dotted(loc), "must have at least " + count(schemaNode.asLong(), "item"));
      case "maxItems":
        return new Violation(dotted(loc), "must have at most " + count(schemaNode.asLong(), "item"));
      case "uniqueItems":
        return new Violation(dotted(loc), "must not contain the same value twice");
      case "additionalProperties": {
        List<String> known = new ArrayList<>();
        JsonNode owner = schemaAt(e.getEvaluationPath(), e.getEvaluationPath().getNameCount() - 1);
        if (owner != null) {
          owner.path("properties").fieldNames().forEachRemaining(known::add);
        }
        String name = e.getProperty() == null ? "?" : e.getProperty();
        return new Violation(join(loc, name), "is not a known property" + (known.isEmpty() ? ""
            : "; expected one of " + quoteAll(known)));
      }
      default:
        return new Violation(dotted(loc), e.getMessage());
    }
  }

  private static String count(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  private static String quoteAll(List<String> values) {
    return String.join("|", values.stream().map(v -> "\"" + v + "\"").toList());
  }

  /** @return the JSON type name of a value: object, array, string, integer, number, boolean, null */
  static String jsonType(JsonNode v) {
    if (v == null || v.isMissingNode()) {
      return "nothing";
    }
    if (v.isIntegralNumber()) {
      return "integer";
    }
    return switch (v.getNodeType()) {
      case OBJECT, POJO -> "object";
      case ARRAY -> "array";
      case STRING, BINARY -> "string";
      case NUMBER -> "number";
      case BOOLEAN -> "boolean";
      default -> "null";
    };
  }

  /** @return the dotted form of an instance path, e.g. {@code input_message.parts.0.type}; {@code (root)} for none */
  static String dotted(NodePath p) {
    if (p.getNameCount() == 0) {
      return "(root)";
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < p.getNameCount(); i++) {
      if (i > 0) {
        sb.append('.');
      }
      sb.append(p.getElement(i));
    }
    return sb.toString();
  }

  private static String join(NodePath p, String child) {
    return p.getNameCount() == 0 ? child : dotted(p) + "." + child;
  }
}
