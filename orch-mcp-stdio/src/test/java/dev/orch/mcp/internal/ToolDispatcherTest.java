package dev.orch.mcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orch.core.OrchException;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A tool call always ends in a tool result: payload, Error text, or validation text")
class ToolDispatcherTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final ExecutorService executor = ToolExecutors.create(4);
  private final ResultRenderer renderer = new ResultRenderer(JSON);
  private final ToolDispatcher dispatcher = new ToolDispatcher(JSON, renderer, executor);
  private final ToolDefinition getRun = ToolCatalog.load(JSON, List.of()).get(1);

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  private static String text(CallToolResult r) {
    return ((TextContent) r.content().get(0)).text();
  }

  @Test
  @DisplayName("a payload becomes pretty JSON text plus the same structuredContent")
  void success() {
    Function<Map<String, Object>, CallToolResult> call = dispatcher.callFunction(getRun, new ToolBinding("get_run",
        ToolBinding::runRefRule, a -> JSON.createObjectNode().put("run_id", a.string("run_id")).set("events",
            JSON.createArrayNode())));
    CallToolResult r = call.apply(Map.of("run_id", "r1"));
    assertThat(r.isError()).isFalse();
    assertThat(text(r)).isEqualTo("{\n  \"run_id\": \"r1\",\n  \"events\": []\n}");
    assertThat(JSON.valueToTree(r.structuredContent()).toString()).isEqualTo("{\"run_id\":\"r1\",\"events\":[]}");
  }

  @Test
  @DisplayName("an OrchException becomes 'Error: <message>' and an unexpected exception an internal error result")
  void errors() {
    CallToolResult known = dispatcher.callFunction(getRun, ToolBinding.of("get_run", a -> {
      throw OrchException.notFound("Unknown run_id: " + a.string("run_id"));
    })).apply(Map.of("run_id", "nope"));
    assertThat(known.isError()).isTrue();
    assertThat(text(known)).isEqualTo("Error: Unknown run_id: nope");

    CallToolResult unexpected = dispatcher.callFunction(getRun, ToolBinding.of("get_run", a -> {
      throw new IllegalStateException("boom");
    })).apply(Map.of("run_id", "x"));
    assertThat(unexpected.isError()).isTrue();
    assertThat(text(unexpected))
        .matches("Error: internal error in get_run \\(incident [0-9a-f]{8}; details in the server log\\)");
  }

  @Test
  @DisplayName("schema violations and the run-reference rule are reported together, before the action runs")
  void validation() {
    CallToolResult r = dispatcher.callFunction(getRun, new ToolBinding("get_run", ToolBinding::runRefRule, a -> {
      throw new AssertionError("must not run");
    })).apply(Map.of("cwd", 5));
    assertThat(r.isError()).isTrue();
    assertThat(text(r)).isEqualTo("Invalid arguments for tool get_run: cwd: expected string or null, got integer; "
        + "run_id: Provide run_id or agent_name");
  }

  @Test
  @DisplayName("an agent name with a control character is refused before the action runs, naming the field")
  void controlCharacters() {
    ToolDefinition spawn = ToolCatalog.load(JSON, List.of()).get(0);
    CallToolResult r = dispatcher.callFunction(spawn, new ToolBinding("spawn_run", a -> List.of(), a -> {
      throw new AssertionError("must not run");
    })).apply(Map.of("backend", "codex", "role", "worker", "cwd", "/tmp", "session_mode", "new", "prompt", "p",
        "nickname", "bad\u0000name"));
    assertThat(r.isError()).isTrue();
    assertThat(text(r)).isEqualTo("Invalid arguments for tool spawn_run: nickname: must not contain control "
        + "characters (found U+0000 at index 3)");
  }
}
