package dev.orch.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orch.core.testing.Peers;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The fake codex of bin/orch-bench")
class FakeCodexTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  @DisplayName("floods codex exec --json events read from the prompt: every 100th item a command with 8 KiB output")
  void flood() throws Exception {
    List<JsonNode> lines = run("flood 250 100 8192");
    assertThat(lines).hasSize(250 + 3);
    assertThat(lines.get(0).path("type").asText()).isEqualTo("thread.started");
    assertThat(lines.get(0).path("thread_id").asText()).isNotBlank();
    assertThat(lines.get(1).path("type").asText()).isEqualTo("turn.started");
    List<JsonNode> items = lines.subList(2, 252);
    assertThat(items).allSatisfy(l -> assertThat(l.path("type").asText()).isEqualTo("item.completed"));
    assertThat(items.stream().filter(l -> l.path("item").path("type").asText().equals("command_execution")))
        .hasSize(2)
        .allSatisfy(l -> {
          assertThat(l.path("item").path("aggregated_output").asText()).hasSize(8192);
          assertThat(l.path("item").path("exit_code").asInt()).isZero();
          assertThat(l.path("item").path("status").asText()).isEqualTo("completed");
        });
    assertThat(items.get(99).path("item").path("type").asText()).isEqualTo("command_execution");
    assertThat(items.get(0).path("item").path("type").asText()).isEqualTo("agent_message");
    JsonNode last = lines.get(lines.size() - 1);
    assertThat(last.path("type").asText()).isEqualTo("turn.completed");
    assertThat(last.path("usage").path("output_tokens").isInt()).isTrue();
  }

  @Test
  @DisplayName("ticks: one agent message per interval whose text is the epoch ms (with microseconds) it was printed at")
  void tick() throws Exception {
    double before = Wake.epochMs(java.time.Instant.now());
    List<JsonNode> lines = run("tick 3 5");
    double after = Wake.epochMs(java.time.Instant.now());
    assertThat(lines).hasSize(3 + 3);
    double previous = before;
    for (JsonNode l : lines.subList(2, 5)) {
      assertThat(l.path("item").path("type").asText()).isEqualTo("agent_message");
      String text = l.path("item").path("text").asText();
      assertThat(text).matches("\\d{13}\\.\\d{3}");
      double printed = Double.parseDouble(text);
      assertThat(printed).isGreaterThan(previous).isLessThanOrEqualTo(after);
      previous = printed;
    }
    assertThat(lines.get(5).path("type").asText()).isEqualTo("turn.completed");
  }

  /** Starts the fake like the codex backend does: arguments, prompt on stdin, stdin closed. */
  static List<JsonNode> run(String prompt) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(Peers.repoRoot().resolve("orch-bench/fake-codex/fake-codex").toString(), "exec",
        "--json", "--skip-git-repo-check").redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(prompt.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    List<JsonNode> lines = new ArrayList<>();
    for (String l : out.split("\n")) {
      lines.add(JSON.readTree(l));
    }
    return lines;
  }
}
