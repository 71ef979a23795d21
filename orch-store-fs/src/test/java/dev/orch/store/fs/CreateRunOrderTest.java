package dev.orch.store.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orch.core.OrchException;
import dev.orch.core.SessionId;
import dev.orch.core.spi.RunLease;
import dev.orch.core.spi.RunRecord;
import dev.orch.store.fs.internal.Leases;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process killed while it creates a run must never leave a queued run that no later process finds (found by the
 * kill -9 soak: run.json was written before the active-run marker, so a kill in between stranded a "queued" run
 * forever). The marker now comes first; a marker whose run never got its run.json is dropped by the next scan once no
 * live process holds the run's lease.
 */
@DisplayName("Creating a run writes its active-run marker before run.json")
class CreateRunOrderTest {
  @TempDir
  Path cwd;
  @TempDir
  Path home;

  private FsRunStore newStore() {
    return new FsRunStore(new FsStoreSettings(home, FsStoreSettings.DEFAULT_DIR_NAME));
  }

  @Test
  @DisplayName("when the marker cannot be written, no run.json is written either (and the lease is released)")
  void noRunJsonWithoutMarker() throws Exception {
    try (FsRunStore store = newStore()) {
      Path active = home.resolve("active");
      if (Files.isDirectory(active)) {
        Files.delete(active);
      }
      Files.writeString(active, "not a directory");
      RunRecord run = Records.queuedRun(cwd, SessionId.random(), "agent1");
      assertThatThrownBy(() -> store.createRun(run)).isInstanceOf(OrchException.class);
      Path dir = cwd.resolve(FsStoreSettings.DEFAULT_DIR_NAME).resolve("runs").resolve(run.runId().value());
      assertThat(dir.resolve("run.json")).doesNotExist();
      assertThat(store.findRun(run.runId())).isEmpty();
      assertThat(store.tryLease(run)).as("lease released").isPresent().get().satisfies(RunLease::close);
    }
  }

  @Test
  @DisplayName("a marker of a run without run.json is kept while its lease is held (creation under way), then dropped")
  void markerOfARunBeingCreated() throws Exception {
    try (FsRunStore store = newStore()) {
      String id = "0b7c1f7e-0000-4000-8000-000000000001";
      Path dir = cwd.resolve(FsStoreSettings.DEFAULT_DIR_NAME).resolve("runs").resolve(id);
      Files.createDirectories(dir);
      Path marker = home.resolve("active").resolve(id + ".json");
      Files.createDirectories(marker.getParent());
      Files.writeString(marker, "{\"run_id\":\"" + id + "\",\"cwd\":\"" + cwd + "\"}");
      RunLease creator = Leases.tryAcquire(dir.resolve(".lease")).orElseThrow();
      assertThat(store.orphanedRuns()).isEmpty();
      assertThat(marker).as("kept while the creator lives").exists();
      creator.close();
      assertThat(store.orphanedRuns()).isEmpty();
      assertThat(marker).as("dropped once nobody holds the lease").doesNotExist();
    }
  }
}
