package dev.orch.store.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cwd given as a filter (list_agents, fetch_agent_messages, cancel_run by agent name…) that cannot hold a store —
 * a regular file, a name longer than the file system allows — holds no runs and no sessions. Found by the generated
 * tool calls of the soak: such filters answered "the run store failed: Not a directory / File name too long" with an
 * incident and a stack trace in the log, as if the store were broken.
 */
@DisplayName("A cwd filter that cannot be a directory lists nothing instead of failing the store")
class CwdFilterTest {
  @TempDir
  Path home;
  @TempDir
  Path dir;

  @Test
  @DisplayName("a regular file and a 300-character name as cwd: no runs, no sessions, no error")
  void filtersThatCannotBeDirectories() throws Exception {
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    Path tooLong = dir.resolve("v".repeat(300));
    try (FsRunStore store = new FsRunStore(new FsStoreSettings(home, FsStoreSettings.DEFAULT_DIR_NAME))) {
      for (Path cwd : new Path[] {file, tooLong, Path.of("/etc/passwd")}) {
        assertThat(store.listSessions(cwd)).as("sessions of %s", cwd).isEmpty();
        assertThat(store.listRuns(cwd)).as("runs of %s", cwd).isEmpty();
      }
    }
  }
}
