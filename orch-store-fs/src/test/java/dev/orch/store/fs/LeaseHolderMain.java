package dev.orch.store.fs;

import dev.orch.core.RunStatus;
import dev.orch.core.SessionId;
import dev.orch.core.spi.RunRecord;
import java.nio.file.Path;

/**
 * A child process for {@link LeaseTest}: creates a run (taking its lease and an active-run marker), marks it
 * running, prints {@code LEASED <run_id>} and then sleeps until it is killed.
 *
 * <p>Args: {@code home cwd}.
 */
public final class LeaseHolderMain {
  private LeaseHolderMain() {
  }

  /** @param args home and cwd @throws Exception on any failure (the child then exits non-zero) */
  public static void main(String[] args) throws Exception {
    Path home = Path.of(args[0]);
    Path cwd = Path.of(args[1]);
    FsRunStore store = new FsRunStore(new FsStoreSettings(home, FsStoreSettings.DEFAULT_DIR_NAME));
    RunRecord run = Records.queuedRun(cwd, SessionId.random(), "agent1");
    store.createRun(run);
    store.saveRun(run.withProgress(RunStatus.RUNNING, "Run started", 1, Records.now()));
    System.out.println("LEASED " + run.runId());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
