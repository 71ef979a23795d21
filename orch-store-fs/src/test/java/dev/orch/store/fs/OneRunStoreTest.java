package dev.orch.store.fs;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orch.core.SessionId;
import dev.orch.core.spi.RunLease;
import dev.orch.core.spi.RunRecord;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A file store in a temp home with one queued run in a temp cwd, its lease held; for the event-log tests. */
abstract class OneRunStoreTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path cwd;
  @TempDir
  Path home;
  FsRunStore store;
  RunRecord run;
  RunLease lease;
  /** The run's events.jsonl. */
  Path events;

  @BeforeEach
  void createRun() {
    store = new FsRunStore(new FsStoreSettings(home, FsStoreSettings.DEFAULT_DIR_NAME));
    run = Records.queuedRun(cwd, SessionId.random(), "agent1");
    lease = store.createRun(run);
    events = cwd.resolve(".nanobot-orchestrator/runs").resolve(run.runId().value()).resolve("events.jsonl");
  }

  @AfterEach
  void closeStore() {
    lease.close();
    store.close();
  }
}
