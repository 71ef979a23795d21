package dev.orch.mcp.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * A scripted shell stand-in for the codex CLI, for the timing-driven cases a real model cannot drive (SPEC §12.2 caps,
 * §12.3 time limits, §12.9 progress heartbeats): a POSIX shell script that speaks {@code codex exec --json} JSONL.
 * It answers {@code --version}, reads the prompt from stdin, reports {@code thread.started} and then, by keyword in the
 * prompt: {@code HOLD:<name>} waits until {@link #release(String)} (then answers), {@code HANG} hangs (exec sleep, for
 * timeouts), {@code FAIL} ends with {@code turn.failed} and exit 1, anything else answers at once. Answers end with
 * {@code turn.completed} carrying usage {@value #INPUT_TOKENS} in / {@value #OUTPUT_TOKENS} out.
 */
final class ShellFakeCodex {
  static final int INPUT_TOKENS = 10;
  static final int OUTPUT_TOKENS = 5;
  static final String ANSWER = "fake answer";

  private final Path dir;
  private final Path script;

  private ShellFakeCodex(Path dir, Path script) {
    this.dir = dir;
    this.script = script;
  }

  /** Writes the script into {@code dir}. */
  static ShellFakeCodex create(Path dir) {
    try {
      Files.createDirectories(dir);
      Path script = dir.resolve("codex");
      Files.writeString(script, """
          #!/bin/sh
          if [ "$1" = "--version" ]; then echo "codex-cli 0.0.0-fake"; exit 0; fi
          prompt=$(cat)
          echo '{"type":"thread.started","thread_id":"fake-'$$'"}'
          case "$prompt" in
            *HOLD:*)
              name=$(printf '%%s' "$prompt" | sed -n 's/.*HOLD:\\([A-Za-z0-9_]*\\).*/\\1/p' | head -n 1)
              while [ ! -e "%1$s/release-$name" ]; do [ -d "%1$s" ] || exit 3; sleep 0.02; done ;;
            *HANG*) exec sleep 600 ;;
            *FAIL*)
              echo '{"type":"turn.failed","error":{"message":"fake failure"}}'
              exit 1 ;;
          esac
          echo '{"type":"item.completed","item":{"id":"i1","type":"agent_message","text":"%2$s"}}'
          echo '{"type":"turn.completed","usage":{"input_tokens":%3$d,"cached_input_tokens":0,"output_tokens":%4$d,"reasoning_output_tokens":0}}'
          """.formatted(dir, ANSWER, INPUT_TOKENS, OUTPUT_TOKENS));
      Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
      return new ShellFakeCodex(dir, script);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Points a server's codex backend at the script (model {@code fake-model}, which no price table knows). */
  void configure(Map<String, String> env) {
    env.put("ORCH_CODEX_EXECUTABLE", script.toString());
    env.put("ORCH_CODEX_MODEL", "fake-model");
  }

  /** Lets the runs waiting on {@code HOLD:<name>} answer. */
  void release(String name) {
    try {
      Files.writeString(dir.resolve("release-" + name), "go");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Path script() {
    return script;
  }
}
