package dev.orch.mcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orch.core.OrchException;
import dev.orch.core.OrchException.ErrorCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Answer texts carry no class names, stack traces or server paths, and echo values cut short")
class AnswerTextTest {

  @Test
  @DisplayName("a long value is cut to 200 characters and says how long it was; short values stay as they are")
  void values() {
    assertThat(Echo.value("run-1")).isEqualTo("run-1");
    assertThat(Echo.value(null)).isEqualTo("null");
    String cut = Echo.value("x".repeat(15_000_000));
    assertThat(cut).startsWith("x".repeat(200) + "…").endsWith("(15000000 characters)").hasSizeLessThan(240);
    String emoji = "\uD83D\uDE00".repeat(150);
    assertThat(Echo.value(emoji)).doesNotContain("\uD83D…").startsWith("\uD83D\uDE00");
  }

  @Test
  @DisplayName("a message keeps its words, cuts long tokens, drops qualified exception class names, caps its length")
  void messages() {
    assertThat(Echo.message("Unknown run_id: " + "r".repeat(1_000_000)))
        .startsWith("Unknown run_id: rrrr").endsWith("(1000000 characters)").hasSizeLessThan(260);
    assertThat(Echo.message("cannot write: java.nio.file.NoSuchFileException: gone")).isEqualTo("cannot write: gone");
    assertThat(Echo.message("a b ".repeat(10_000))).hasSizeLessThan(Echo.MAX_MESSAGE_CHARS + 100)
        .endsWith("(message cut, 40000 characters)");
    assertThat(Echo.message("Session s is bound to backend codex, not claude_code"))
        .isEqualTo("Session s is bound to backend codex, not claude_code");
  }

  @Test
  @DisplayName("server paths are shortened to their last segment; URLs and relative paths stay")
  void paths() {
    assertThat(Echo.withoutServerPaths("Cannot run program \"/opt/orch/.peers/bin/claude\" (in directory "
        + "\"/home/u/proj\"): error=2, No such file or directory"))
        .isEqualTo("Cannot run program \"…/claude\" (in directory \"…/proj\"): error=2, No such file or directory");
    assertThat(Echo.withoutServerPaths("cannot reach http://127.0.0.1:8080/a2a/card.json or ./rel/x"))
        .isEqualTo("cannot reach http://127.0.0.1:8080/a2a/card.json or ./rel/x");
  }

  @Test
  @DisplayName("user errors pass through; store, backend and unexpected errors become stable texts with an incident")
  void toolErrors() {
    assertThat(ToolErrors.text("get_run", OrchException.notFound("Unknown run_id: r1")))
        .isEqualTo("Error: Unknown run_id: r1");
    String store = ToolErrors.text("get_event_artifact", new OrchException(ErrorCode.STORE,
        "cannot read artifact /home/u/p/.nanobot-orchestrator/runs/r/artifacts/x.txt: NoSuchFileException /home/u/p/x",
        new NoSuchFileException("/home/u/p/.nanobot-orchestrator/runs/r/artifacts/x.txt")));
    assertThat(store).matches("Error: the run store failed: a file or directory is missing \\(incident [0-9a-f]{8}; "
        + "details in the server log\\)");
    assertThat(ToolErrors.text("spawn_run", new OrchException(ErrorCode.STORE, "cannot write /x/run.json",
        new UncheckedIOException(new FileSystemException("/x/run.json", null, "No space left on device")))))
        .startsWith("Error: the run store failed: No space left on device (incident ");
    assertThat(ToolErrors.text("spawn_run", new OrchException(ErrorCode.STORE, "cannot write /x/run.json",
        new AccessDeniedException("/x/run.json")))).startsWith("Error: the run store failed: permission denied (");
    assertThat(ToolErrors.text("spawn_run", new OrchException(ErrorCode.STORE, "cannot lock /x",
        new IOException("Input/output error")))).startsWith("Error: the run store failed: Input/output error (");
    String backend = ToolErrors.text("spawn_run", new OrchException(ErrorCode.BACKEND,
        "cannot write the codex output schema file: java.nio.file.AccessDeniedException: /tmp/orch-x/schema.json"));
    assertThat(backend).startsWith("Error: cannot write the codex output schema file: …/schema.json (incident ")
        .doesNotContain("/tmp");
    assertThat(ToolErrors.text("list_runs", new NullPointerException("Cannot invoke \"String.length()\"")))
        .matches("Error: internal error in list_runs \\(incident [0-9a-f]{8}; details in the server log\\)");
  }

  @Test
  @DisplayName("validation texts cut the values they quote")
  void violations() {
    String text = Violation.describe("spawn_run", java.util.List.of(new Violation("backend_config.headers."
        + "k".repeat(5000), "bad " + "v".repeat(5000))));
    assertThat(text).hasSizeLessThan(700).startsWith("Invalid arguments for tool spawn_run: backend_config.headers.kk");
  }
}
