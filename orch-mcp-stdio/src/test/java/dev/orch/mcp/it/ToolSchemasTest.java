package dev.orch.mcp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.testing.Peers;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("tools/list of a real server process matches the TS server's tool surface, extended by SPEC §12")
class ToolSchemasTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path tmp;

  private McpSyncClient client;
  private Map<String, McpSchema.Tool> ours;
  private Map<String, JsonNode> fixture;

  @BeforeAll
  void listTools() throws Exception {
    client = ServerProcesses.client(ServerProcesses.isolatedEnv(tmp));
    ours = new LinkedHashMap<>();
    client.listTools().tools().forEach(t -> ours.put(t.name(), t));
    fixture = new LinkedHashMap<>();
    JsonNode doc = JSON.readTree(Peers.fixtures().resolve("seed-mcp/tools-list.json").toFile());
    doc.path("result").path("tools").forEach(t -> fixture.put(t.get("name").asText(), t));
  }

  @AfterAll
  void stop() throws Exception {
    List<ProcessHandle> tree = ServerProcesses.tree(ServerProcesses.process(client));
    client.closeGracefully();
    ServerProcesses.assertNoneLeft(tree);
  }

  @Test
  @DisplayName("the server lists the same ten tools in the same order, then Orch's additions (SPEC §12)")
  void sameToolNames() {
    assertThat(List.copyOf(ours.keySet()).subList(0, 10)).containsExactlyElementsOf(fixture.keySet());
    assertThat(ours.keySet()).contains("spawn_runs", "wait_runs", "run_workflow", "list_workflow_templates",
        "list_backends", "get_usage");
    assertThat(ours.values()).allSatisfy(t -> assertThat(t.outputSchema()).as("outputSchema of %s", t.name())
        .isNotNull());
  }

  @Test
  @DisplayName("every input schema has the fixture's property names, types, required lists, defaults, limits and enums;"
      + " Orch's added properties are optional")
  void sameInputSchemas() {
    for (String name : fixture.keySet()) {
      JsonNode expected = withoutDescriptions(fixture.get(name).get("inputSchema"));
      JsonNode actual = withoutAdditions(withoutDescriptions(JSON.valueToTree(ours.get(name).inputSchema())),
          expected, name);
      assertThat(actual).as("inputSchema of %s", name).isEqualTo(expected);
    }
  }

  @Test
  @DisplayName("every tool declares the fixture's output schema (plus Orch's optional additions)")
  void sameOutputSchemas() {
    for (String name : fixture.keySet()) {
      assertThat(ours.get(name).outputSchema()).as("outputSchema of %s", name).isNotNull();
      JsonNode expected = withoutDescriptions(fixture.get(name).get("outputSchema"));
      JsonNode actual = withoutAdditions(withoutDescriptions(JSON.valueToTree(ours.get(name).outputSchema())),
          expected, name);
      assertThat(actual).as("outputSchema of %s", name).isEqualTo(expected);
    }
  }

  /**
   * @return {@code ours} without the properties (at the top and in array items) that the fixture does not have,
   *     after checking that none of them is required (SPEC §12: additions are optional)
   */
  static JsonNode withoutAdditions(JsonNode ours, JsonNode fixture, String tool) {
    ObjectNode copy = ours.deepCopy();
    strip(copy, fixture, tool);
    return copy;
  }

  private static void strip(JsonNode ours, JsonNode fixture, String tool) {
    if (!ours.isObject() || !fixture.isObject()) {
      return;
    }
    JsonNode props = ours.get("properties");
    JsonNode fixtureProps = fixture.get("properties");
    if (props != null && props.isObject() && fixtureProps != null) {
      List<String> extra = new java.util.ArrayList<>();
      props.fieldNames().forEachRemaining(k -> {
        if (!fixtureProps.has(k)) {
          extra.add(k);
        }
      });
      for (String k : extra) {
        assertThat(ours.path("required").toString()).as("%s: added property %s must be optional", tool, k)
            .doesNotContain("\"" + k + "\"");
        ((ObjectNode) props).remove(k);
      }
      props.fieldNames().forEachRemaining(k -> strip(props.get(k), fixtureProps.get(k), tool));
    }
    if (ours.has("items") && fixture.has("items")) {
      strip(ours.get("items"), fixture.get("items"), tool);
    }
  }

  @Test
  @DisplayName("descriptions are our own texts and state the waiting rules")
  void ownDescriptions() {
    for (String name : fixture.keySet()) {
      assertThat(ours.get(name).description()).as("description of %s", name)
          .isNotBlank()
          .isNotEqualTo(fixture.get(name).get("description").asText());
    }
    assertThat(ours.get("poll_events").description()).contains("wait_ms").contains("terminal")
        .contains("events is empty");
    assertThat(ours.get("continue_run").description()).contains("input_required").contains("completed or failed");
    assertThat(ours.get("spawn_run").description()).contains("poll_events");
  }

  @Test
  @DisplayName("limits that clients rely on are declared exactly (spot check)")
  void spotCheckLimits() {
    JsonNode poll = JSON.valueToTree(ours.get("poll_events").inputSchema()).get("properties");
    assertThat(poll.at("/wait_ms/maximum").asLong()).isEqualTo(30000);
    assertThat(poll.at("/wait_ms/default").asLong()).isEqualTo(20000);
    assertThat(poll.at("/limit/maximum").asLong()).isEqualTo(1000);
    JsonNode artifact = JSON.valueToTree(ours.get("get_event_artifact").inputSchema()).get("properties");
    assertThat(artifact.at("/limit/maximum").asLong()).isEqualTo(262144);
    assertThat(artifact.at("/limit/default").asLong()).isEqualTo(65536);
    JsonNode spawn = JSON.valueToTree(ours.get("spawn_run").inputSchema());
    assertThat(spawn.at("/properties/priority/minimum").asInt()).isZero();
    assertThat(spawn.at("/properties/priority/maximum").asInt()).isEqualTo(9);
    assertThat(spawn.at("/properties/priority/default").asInt()).isEqualTo(5);
    assertThat(spawn.at("/properties/depends_on/maxItems").asInt()).isEqualTo(100);
    List<String> limits = new ArrayList<>();
    spawn.at("/properties/limits/properties").fieldNames().forEachRemaining(limits::add);
    assertThat(limits).containsExactly("timeout_ms", "idle_timeout_ms", "max_turns", "max_tokens", "max_cost_usd");
    JsonNode backends = JSON.valueToTree(ours.get("list_backends").inputSchema());
    assertThat(backends.at("/properties/probe/default").asBoolean()).isTrue();
    JsonNode usage = JSON.valueToTree(ours.get("get_usage").inputSchema());
    assertThat(usage.at("/properties/group_by/enum").toString())
        .isEqualTo("[\"backend\",\"model\",\"agent_name\",\"run\"]");
    assertThat(spawn.at("/properties/backend/enum")).containsExactly(
        JSON.getNodeFactory().textNode("codex"), JSON.getNodeFactory().textNode("claude_code"),
        JSON.getNodeFactory().textNode("remote_a2a"));
  }

  /** @return a copy with every {@code description} keyword removed (descriptions are ours to write) */
  static JsonNode withoutDescriptions(JsonNode n) {
    if (n.isObject()) {
      ObjectNode copy = JSON.createObjectNode();
      n.properties().forEach(e -> {
        if (!(e.getKey().equals("description") && e.getValue().isTextual())) {
          copy.set(e.getKey(), withoutDescriptions(e.getValue()));
        }
      });
      return copy;
    }
    if (n.isArray()) {
      ArrayNode copy = JSON.createArrayNode();
      n.forEach(x -> copy.add(withoutDescriptions(x)));
      return copy;
    }
    return n;
  }
}
