package dev.orch.mcp.it;

import static dev.orch.mcp.it.McpRuns.object;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.backend.codex.testing.MockResponsesApi;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 9 item 5 through a real server and the real codex CLI: spawn_run reads a profile only from the run's cwd or
 * a profile directory ({@code ORCH_PROFILE_DIRS}); system files, symlinks out of the cwd, FIFOs and large files are
 * refused with nothing started and nothing stored; an allowed profile reaches the model.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("spawn_run reads profiles only from the run cwd or a profile directory")
class ProfileSafetyTest {
  private static final String OUTSIDE = "Error: profile must be a file inside the run cwd or a profile directory "
      + "(ORCH_PROFILE_DIRS): ";

  @TempDir
  static Path tmp;

  private MockResponsesApi model;
  private McpRuns mcp;
  private Path cwd;

  @BeforeAll
  void start() throws Exception {
    cwd = ServerProcesses.mkdirs(tmp.resolve("work")).toRealPath();
    Path profiles = ServerProcesses.mkdirs(tmp.resolve("profiles"));
    Files.writeString(profiles.resolve("shared.md"), "PROFILE-FROM-DIR: keep answers short.");
    ServerProcesses.mkdirs(cwd.resolve("roles"));
    Files.writeString(cwd.resolve("roles/worker.md"), "PROFILE-IN-CWD: you are careful.");
    Files.write(cwd.resolve("big.md"), "x".repeat(300 * 1024).getBytes(StandardCharsets.UTF_8));
    Files.createSymbolicLink(cwd.resolve("passwd.md"), Path.of("/etc/passwd"));
    Process mkfifo = new ProcessBuilder("mkfifo", cwd.resolve("pipe.md").toString()).inheritIO().start();
    assertThat(mkfifo.waitFor()).isZero();
    model = MockResponsesApi.start();
    Map<String, String> env = ServerProcesses.isolatedEnv(tmp);
    ServerProcesses.useCodexWithMock(env, model.baseUrl());
    env.put("ORCH_PROFILE_DIRS", profiles.toString());
    mcp = McpRuns.start(env);
  }

  @AfterAll
  void stop() throws Exception {
    if (mcp != null) {
      mcp.close();
    }
    if (model != null) {
      model.close();
    }
  }

  private ObjectNode spawnArgs(String profile) {
    return object().put("backend", "codex").put("role", "worker").put("cwd", cwd.toString())
        .put("session_mode", "new").put("prompt", "say hello").put("profile", profile);
  }

  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of("/etc/passwd", OUTSIDE + "/etc/passwd"),
        Arguments.of("/proc/self/environ", OUTSIDE + "/proc/self/environ"),
        Arguments.of("passwd.md", OUTSIDE + "passwd.md"),
        Arguments.of("../../../../../../etc/passwd", OUTSIDE + "../../../../../../etc/passwd"),
        Arguments.of("big.md", "Error: profile is larger than 256 KiB (262144 bytes): big.md"),
        Arguments.of("pipe.md", "Error: profile must be a regular file (not a directory, FIFO or device): pipe.md"),
        Arguments.of("missing.md", "Error: profile file not found or unreadable: missing.md"),
        Arguments.of("builtin:wizard", "Error: Unknown built-in profile: builtin:wizard. Known built-in "
            + "profiles: builtin:architect, "));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  @DisplayName("a profile outside the allowed places, too large or not a regular file is refused; nothing is stored "
      + "or started")
  void refusedProfiles(String profile, String error) {
    int requestsBefore = model.requests().size();
    int runsBefore = mcp.call("list_runs", object().put("cwd", cwd.toString())).get("runs").size();
    int agentsBefore = mcp.call("list_agents", object().put("cwd", cwd.toString())).get("agents").size();
    int filesBefore = storeFiles();
    assertThat(mcp.callError("spawn_run", spawnArgs(profile))).startsWith(error);
    assertThat(mcp.call("list_runs", object().put("cwd", cwd.toString())).get("runs")).as("no run stored")
        .hasSize(runsBefore);
    assertThat(mcp.call("list_agents", object().put("cwd", cwd.toString())).get("agents")).as("no session stored")
        .hasSize(agentsBefore);
    assertThat(storeFiles()).as("no run or session files").isEqualTo(filesBefore);
    assertThat(model.requests()).as("no agent reached the model").hasSize(requestsBefore);
  }

  private int storeFiles() {
    return McpRuns.filesUnder(cwd.resolve(".nanobot-orchestrator/runs"), cwd.resolve(".nanobot-orchestrator/sessions"))
        .size();
  }

  @Test
  @DisplayName("a relative profile inside the cwd and one from ORCH_PROFILE_DIRS reach the agent's prompt")
  void allowedProfiles() {
    for (String[] c : new String[][] {{"roles/worker.md", "PROFILE-IN-CWD: you are careful."},
        {"shared.md", "PROFILE-FROM-DIR: keep answers short."}}) {
      JsonNode spawned = mcp.spawn(spawnArgs(c[0]));
      String runId = spawned.get("run_id").asText();
      assertThat(mcp.awaitTerminal(runId, Duration.ofSeconds(120))).isEqualTo("completed");
      assertThat(model.requests().stream().map(MockResponsesApi::userTexts).flatMap(java.util.List::stream)
          .anyMatch(t -> t.contains(c[1]))).as("the profile text %s reached the model", c[1]).isTrue();
    }
  }
}
