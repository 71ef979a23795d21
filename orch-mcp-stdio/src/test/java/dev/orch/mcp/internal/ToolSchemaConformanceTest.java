package dev.orch.mcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import io.modelcontextprotocol.json.schema.jackson2.DefaultJsonSchemaValidator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The server no longer asks the MCP SDK to check its tool schemas against the JSON Schema meta-schema at every start
 * ({@link LazySchemaValidator}, issue 8); this test does it once per build, with the SDK's own validator.
 */
@DisplayName("Tool schemas and the lazily created schema validator")
class ToolSchemaConformanceTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  @DisplayName("every input and output schema conforms to the meta-schema the MCP SDK checks against")
  void schemasConform() {
    DefaultJsonSchemaValidator sdk = new DefaultJsonSchemaValidator();
    List<ToolDefinition> tools = ToolCatalog.load(JSON, List.of("codex", "claude_code", "remote_a2a"));
    assertThat(tools).extracting(ToolDefinition::name).containsExactlyInAnyOrder(
        // the ten seed tools (SPEC §2)
        "spawn_run", "get_run", "poll_events", "cancel_run", "continue_run", "list_runs", "list_agents",
        "send_agent_message", "fetch_agent_messages", "get_event_artifact",
        // SPEC §12
        "list_backends", "get_usage", "spawn_runs", "wait_runs", "run_workflow", "list_workflow_templates");
    for (ToolDefinition t : tools) {
      assertThat(sdk.validateSchema(map(t.inputSchema())).valid()).as("input schema of %s", t.name()).isTrue();
      assertThat(sdk.validateSchema(map(t.outputSchema())).valid()).as("output schema of %s", t.name()).isTrue();
    }
  }

  @Test
  @DisplayName("the real validator is created at the first result check, once, and judges results as before")
  void createdOnFirstUse() {
    AtomicInteger created = new AtomicInteger();
    LazySchemaValidator lazy = new LazySchemaValidator(() -> {
      created.incrementAndGet();
      return new DefaultJsonSchemaValidator();
    });
    assertThat(created).hasValue(0);
    Map<String, Object> schema = map(JSON.createObjectNode().put("type", "object")
        .set("properties", JSON.createObjectNode().set("run_id", JSON.createObjectNode().put("type", "string"))));
    JsonSchemaValidator.ValidationResponse ok = lazy.validate(schema, Map.of("run_id", "r1"));
    JsonSchemaValidator.ValidationResponse bad = lazy.validate(schema, Map.of("run_id", 42));
    assertThat(ok.valid()).isTrue();
    assertThat(bad.valid()).isFalse();
    assertThat(bad.errorMessage()).contains("run_id");
    assertThat(created).hasValue(1);
  }

  @Test
  @DisplayName("ORCH_CHECK_RESULTS=1 checks every result against its output schema; unset or 0 trusts WireJson; "
      + "anything else is refused naming the setting")
  void resultChecksFollowTheSetting() {
    Map<String, Object> schema = map(JSON.createObjectNode().put("type", "object")
        .set("properties", JSON.createObjectNode().set("run_id", JSON.createObjectNode().put("type", "string"))));
    Map<String, Object> wrong = Map.of("run_id", 42);
    assertThat(LazySchemaValidator.forResults(Map.of("ORCH_CHECK_RESULTS", "1"), DefaultJsonSchemaValidator::new)
        .validate(schema, wrong).valid()).isFalse();
    assertThat(LazySchemaValidator.forResults(Map.of(), DefaultJsonSchemaValidator::new)
        .validate(schema, wrong).valid()).isTrue();
    assertThat(LazySchemaValidator.forResults(Map.of("ORCH_CHECK_RESULTS", "0"), DefaultJsonSchemaValidator::new)
        .validate(schema, wrong).valid()).isTrue();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> LazySchemaValidator.forResults(
        Map.of("ORCH_CHECK_RESULTS", "yes"), DefaultJsonSchemaValidator::new))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("ORCH_CHECK_RESULTS must be 0 or 1, got: yes");
  }

  private static Map<String, Object> map(JsonNode node) {
    return JSON.convertValue(node, new TypeReference<Map<String, Object>>() {
    });
  }
}
