package dev.orch.mcp.internal;

import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The MCP SDK's JSON Schema validator, created at its first use instead of when the server is built (issue 8: the
 * SDK's default validator compiles the 2020-12 meta-schema, and the server builder then checks every tool schema
 * against it — together a large part of the time before {@code initialize} is answered).
 *
 * <p>{@link #validate} (the check of each tool result's {@code structuredContent} against the tool's output schema)
 * is the SDK's, unchanged. {@link #validateSchema} keeps the interface's default (no meta-schema check at start):
 * the tool schemas are constants of this jar, checked against the meta-schema by {@code ToolSchemaConformanceTest}
 * at build time instead of at every start.
 *
 * <p>Thread-safe; concurrent first calls may create two delegates, one is kept.
 */
public final class LazySchemaValidator implements JsonSchemaValidator {
  private final Supplier<JsonSchemaValidator> factory;
  private volatile JsonSchemaValidator delegate;

  /**
   * The validator of tool results for a server environment (issue 8). With {@code ORCH_CHECK_RESULTS=1}: the SDK's
   * check of every result's {@code structuredContent} against the tool's output schema, created at first use.
   * Otherwise (the default) no check: results are built by {@code WireJson}, whose shapes the tests check against
   * the output schemas (their servers run with {@code ORCH_CHECK_RESULTS=1}), and MCP clients check them again on
   * their side; under an event flood the server-side check was 12 % of the server's CPU.
   *
   * @param env the server's environment
   * @return the validator to give the SDK's server builder
   * @throws IllegalArgumentException when ORCH_CHECK_RESULTS is neither 0 nor 1
   */
  public static JsonSchemaValidator forResults(Map<String, String> env, Supplier<JsonSchemaValidator> factory) {
    String v = env.getOrDefault("ORCH_CHECK_RESULTS", "0").trim();
    return switch (v) {
      case "1" -> new LazySchemaValidator(factory);
      case "0", "" -> (schema, structuredContent) -> ValidationResponse.asValid(null);
      default -> throw new IllegalArgumentException("ORCH_CHECK_RESULTS must be 0 or 1, got: "
          + (v.length() > 40 ? v.substring(0, 40) + "…" : v));
    };
  }

  /** @param factory creates the real validator (e.g. {@code McpJsonDefaults::getSchemaValidator}); called once */
  public LazySchemaValidator(Supplier<JsonSchemaValidator> factory) {
    this.factory = Objects.requireNonNull(factory, "factory");
  }

  @Override
  public ValidationResponse validate(Map<String, Object> schema, Object structuredContent) {
    JsonSchemaValidator d = delegate;
    if (d == null) {
      d = factory.get();
      delegate = d;
    }
    return d.validate(schema, structuredContent);
  }
}
