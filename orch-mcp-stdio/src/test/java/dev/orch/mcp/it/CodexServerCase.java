package dev.orch.mcp.it;

import static dev.orch.mcp.it.McpRuns.object;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the control-plane end-to-end tests share: an isolated environment and cwd under a temp directory, one real
 * server process at a time (each {@link #start} stops the previous one; {@link McpRuns#close} checks that no server
 * process is left), and the spawn_run arguments of a new codex worker run in that cwd.
 */
abstract class CodexServerCase {
  @TempDir
  Path tmp;
  Path cwd;
  Map<String, String> env;
  private final List<McpRuns> servers = new ArrayList<>();

  @BeforeEach
  void setUpServerCase() throws Exception {
    cwd = ServerProcesses.mkdirs(tmp.resolve("work")).toRealPath();
    env = ServerProcesses.isolatedEnv(tmp);
  }

  @AfterEach
  void tearDownServerCase() {
    servers.forEach(McpRuns::close);
  }

  /** Starts a server with that environment, stopping the previous one first. */
  McpRuns start(Map<String, String> e) {
    servers.forEach(McpRuns::close);
    servers.clear();
    McpRuns m = McpRuns.start(e);
    servers.add(m);
    return m;
  }

  /** @return spawn_run arguments: a new codex worker session in {@link #cwd} with that prompt */
  ObjectNode spawnArgs(String prompt) {
    return object().put("backend", "codex").put("role", "worker").put("cwd", cwd.toString())
        .put("session_mode", "new").put("prompt", prompt);
  }
}
