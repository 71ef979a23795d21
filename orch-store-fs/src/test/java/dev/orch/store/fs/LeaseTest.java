package dev.orch.store.fs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orch.core.RunId;
import dev.orch.core.RunStatus;
import dev.orch.core.SessionId;
import dev.orch.core.spi.ProcessRef;
import dev.orch.core.spi.RunLease;
import dev.orch.core.spi.RunRecord;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Run leases are OS locks that die with their process")
class LeaseTest {
  @TempDir
  Path cwd;
  @TempDir
  Path home;
  @TempDir
  Path logs;

  private FsRunStore newStore() {
    return new FsRunStore(new FsStoreSettings(home, FsStoreSettings.DEFAULT_DIR_NAME));
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  @DisplayName("a lease held by a live child blocks tryLease; after SIGKILL the lease is free and the run is orphaned")
  void leaseDiesWithItsProcess() throws Exception {
    try (FsRunStore store = newStore();
        ChildJvm child = new ChildJvm(LeaseHolderMain.class, logs.resolve("child.err"), home.toString(),
            cwd.toString())) {
      String line = child.readLine();
      assertThat(line).as("child output").startsWith("LEASED ");
      RunRecord run = store.findRun(new RunId(line.substring(7))).orElseThrow();
      assertThat(run.status()).isEqualTo(RunStatus.RUNNING);

      assertThat(store.tryLease(run)).as("held by the live child").isEmpty();
      assertThat(store.orphanedRuns()).as("a live owner's run is not orphaned").isEmpty();

      child.kill();
      assertThat(child.process.isAlive()).isFalse();

      assertThat(store.orphanedRuns()).extracting(RunRecord::runId).containsExactly(run.runId());
      Optional<RunLease> lease = store.tryLease(run);
      assertThat(lease).as("free after the owner died").isPresent();
      assertThat(store.tryLease(run)).as("this process now holds it").isEmpty();
      assertThat(store.orphanedRuns()).as("held by this process again").isEmpty();

      RunRecord cancelled = run.withProgress(RunStatus.CANCELLED, "Run cancelled", 2, Records.now());
      store.saveRun(cancelled);
      store.runEnded(cancelled);
      assertThat(store.tryLease(run)).as("runEnded released this process's lease").isPresent().get()
          .satisfies(RunLease::close);
      assertThat(store.orphanedRuns()).isEmpty();
      lease.get().close();
    }
  }

  @Test
  @DisplayName("within one process a held lease cannot be taken twice, and close releases it (idempotently)")
  void sameProcess() {
    FsRunStore b = newStore();
    try (FsRunStore a = newStore()) {
      RunRecord run = Records.queuedRun(cwd, SessionId.random(), "agent1");
      RunLease lease = a.createRun(run);
      assertThat(a.tryLease(run)).isEmpty();
      assertThat(b.tryLease(run)).isEmpty();
      lease.close();
      lease.close();
      Optional<RunLease> again = b.tryLease(run);
      assertThat(again).isPresent();
      b.close();
      assertThat(a.tryLease(run)).as("closing the store released its leases").isPresent();
    } finally {
      b.close();
    }
  }

  @Test
  @DisplayName("recorded child processes are read back with pid and start time")
  void recordedProcesses() {
    try (FsRunStore store = newStore()) {
      RunRecord run = Records.queuedRun(cwd, SessionId.random(), "agent1");
      store.createRun(run).close();
      ProcessRef self = ProcessRef.of(ProcessHandle.current());
      store.recordProcess(run, self);
      store.recordProcess(run, new ProcessRef(1234567, null));
      assertThat(store.recordedProcesses(run)).hasSize(2);
      assertThat(store.recordedProcesses(run).get(0).pid()).isEqualTo(self.pid());
      assertThat(store.recordedProcesses(run).get(0).live()).isPresent();
      assertThat(store.recordedProcesses(run).get(1).startedAt()).isNull();
    }
  }
}
