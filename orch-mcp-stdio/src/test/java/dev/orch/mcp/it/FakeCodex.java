package dev.orch.mcp.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * The scripted stand-in for the codex CLI ({@code fake-codex.js}, a Node script; directives RUN, WAIT_FOR, FAIL,
 * ANSWER, ANSWER_CWD, ECHO_PROMPT in the prompt), for server tests driven by timing or by file changes that the mock
 * model cannot script. Everything else (the server, the codex backend, the store) is real.
 */
final class FakeCodex {
  private FakeCodex() {
  }

  /**
   * Installs the script as an executable file in {@code dir} and points the server's codex backend at it.
   *
   * @param env the server environment to add {@code ORCH_CODEX_EXECUTABLE} to
   * @return the script's path
   */
  static Path use(Path dir, Map<String, String> env) {
    try (InputStream in = FakeCodex.class.getResourceAsStream("fake-codex.js")) {
      Path script = ServerProcesses.mkdirs(dir).resolve("fake-codex");
      Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
      Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
      env.put("ORCH_CODEX_EXECUTABLE", script.toString());
      return script;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Creates a gate file a {@code WAIT_FOR} directive waits for. */
  static void open(Path gate) {
    try {
      Files.writeString(gate, "open");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
