package dev.orch.mcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Tool arguments are checked against the input schemas with field paths and rules")
class ArgumentValidatorTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, ToolDefinition> TOOLS = ToolCatalog.load(JSON, List.of()).stream()
      .collect(Collectors.toMap(ToolDefinition::name, t -> t));

  private static String check(String tool, String args) throws Exception {
    ToolDefinition def = TOOLS.get(tool);
    List<Violation> v = new ArgumentValidator(def.inputSchema()).validate(JSON.readTree(args));
    return v.isEmpty() ? "" : Violation.describe(tool, v);
  }

  @Test
  @DisplayName("enum, minLength and required violations name the field and the allowed values")
  void enumsAndRequired() throws Exception {
    assertThat(check("spawn_run", "{\"backend\":\"gemini\",\"role\":\"boss\",\"prompt\":\"\",\"session_mode\":\"new\"}"))
        .isEqualTo("Invalid arguments for tool spawn_run: backend: expected one of \"codex\"|\"claude_code\"|"
            + "\"remote_a2a\"; role: expected one of \"planner\"|\"worker\"|\"reviewer\"; "
            + "prompt: must have at least 1 character; cwd: is required");
  }

  @Test
  @DisplayName("a message part with an unknown type is reported at parts.N.type with the allowed types")
  void discriminatedParts() throws Exception {
    assertThat(check("continue_run", "{\"run_id\":\"r\",\"input_message\":{\"role\":\"user\",\"parts\":["
        + "{\"type\":\"image\",\"url\":\"x\"},{\"type\":\"text\"},{\"type\":\"data\",\"data\":{}}]}}"))
        .isEqualTo("Invalid arguments for tool continue_run: input_message.parts.0.type: expected one of "
            + "\"text\"|\"data\"|\"file\"; input_message.parts.1.text: is required");
  }

  @Test
  @DisplayName("numeric bounds and nullable strings give the bound and the expected type")
  void boundsAndUnions() throws Exception {
    assertThat(check("poll_events", "{\"run_id\":\"\",\"after_seq\":-1,\"wait_ms\":40000,\"limit\":0}"))
        .isEqualTo("Invalid arguments for tool poll_events: run_id: must have at least 1 character; "
            + "after_seq: must be >= 0; limit: must be >= 1; wait_ms: must be <= 30000");
    assertThat(check("poll_events", "{\"run_id\":5,\"after_seq\":1.5}"))
        .isEqualTo("Invalid arguments for tool poll_events: run_id: expected string or null, got integer; "
            + "after_seq: expected integer, got number");
    assertThat(check("spawn_run", "{\"backend\":\"codex\",\"role\":\"worker\",\"cwd\":\"/x\",\"session_mode\":\"new\","
        + "\"input_message\":{\"role\":\"user\",\"parts\":[]}}"))
        .isEqualTo("Invalid arguments for tool spawn_run: input_message.parts: must have at least 1 item");
  }

  @Test
  @DisplayName("spawn_run control inputs: an unknown limit names the known ones, duplicates and bounds are refused, "
      + "all of them together are valid")
  void controlInputs() throws Exception {
    String base = "{\"backend\":\"codex\",\"role\":\"worker\",\"cwd\":\"/x\",\"session_mode\":\"new\",\"prompt\":\"p\",";
    assertThat(check("spawn_run", base + "\"limits\":{\"max_token\":5,\"max_cost_usd\":0}}"))
        .isEqualTo("Invalid arguments for tool spawn_run: limits.max_cost_usd: must be > 0; limits.max_token: is not a "
            + "known property; expected one of \"timeout_ms\"|\"idle_timeout_ms\"|\"max_turns\"|\"max_tokens\"|"
            + "\"max_cost_usd\"");
    assertThat(check("spawn_run", base + "\"depends_on\":[\"a\",\"a\"],\"priority\":10}"))
        .isEqualTo("Invalid arguments for tool spawn_run: priority: must be <= 9; depends_on: must not contain the same "
            + "value twice");
    assertThat(check("spawn_run", base + "\"priority\":0,\"depends_on\":[\"r1\"],\"limits\":{\"timeout_ms\":1,"
        + "\"idle_timeout_ms\":1,\"max_turns\":1,\"max_tokens\":1,\"max_cost_usd\":0.01}}")).isEmpty();
    assertThat(check("get_usage", "{\"group_by\":\"day\",\"run_ids\":[]}"))
        .isEqualTo("Invalid arguments for tool get_usage: run_ids: must have at least 1 item; group_by: expected one of "
            + "\"backend\"|\"model\"|\"agent_name\"|\"run\"");
  }

  @Test
  @DisplayName("get_usage since accepts an instant, an offset time or a date (its start in UTC), nothing else")
  void sinceFormats() {
    assertThat(ControlTools.parseTime("2026-01-31T10:00:00Z")).hasToString("2026-01-31T10:00:00Z");
    assertThat(ControlTools.parseTime("2026-01-31T12:00:00+02:00")).hasToString("2026-01-31T10:00:00Z");
    assertThat(ControlTools.parseTime(" 2026-01-31 ")).hasToString("2026-01-31T00:00:00Z");
    assertThat(ControlTools.parseTime("yesterday")).isNull();
    assertThat(ControlTools.parseTime("31/01/2026")).isNull();
  }

  @Test
  @DisplayName("valid arguments with unknown extra properties pass")
  void unknownPropertiesIgnored() throws Exception {
    assertThat(check("poll_events", "{\"run_id\":null,\"agent_name\":\"a\",\"after_seq\":0,\"extra\":1}")).isEmpty();
    assertThat(check("list_agents", "{\"status\":\"idle\"}")).isEmpty();
  }

  @Test
  @DisplayName("spawn_run's extra rules: prompt or input_message, session_id for resume, agent_url for remote_a2a")
  void spawnRules() throws Exception {
    ToolDefinition def = TOOLS.get("spawn_run");
    ObjectNode args = (ObjectNode) JSON.readTree("{\"backend\":\"remote_a2a\",\"role\":\"worker\",\"cwd\":\"/x\","
        + "\"session_mode\":\"resume\",\"prompt\":\"   \",\"backend_config\":{\"agent_url\":\"\"}}");
    assertThat(RunTools.spawnRules(new Args(def, args))).containsExactly(
        new Violation("prompt", "Either prompt or input_message is required"),
        new Violation("session_id", "session_id is required when session_mode is resume"),
        new Violation("backend_config.agent_url", "backend_config.agent_url is required when backend is remote_a2a"));
  }

  @Test
  @DisplayName("registered third-party backends widen every backend enum")
  void backendEnumWidened() {
    List<ToolDefinition> defs = ToolCatalog.load(JSON, List.of("codex", "acme"));
    ToolDefinition spawn = defs.get(0);
    assertThat(spawn.inputSchema().at("/properties/backend/enum").toString())
        .isEqualTo("[\"codex\",\"claude_code\",\"remote_a2a\",\"acme\"]");
    assertThat(defs.get(1).outputSchema().at("/properties/remote_ref/anyOf/0/properties/provider/enum").toString())
        .isEqualTo("[\"codex\",\"claude_code\",\"remote_a2a\",\"acme\"]");
  }
}
