package dev.orch.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orch.core.EventType;
import dev.orch.core.RunEvent;
import dev.orch.core.RunStatus;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A backend's failure on a full disk says the disk is full; nothing else changes")
class FullDiskTest {
  private static final RunEvent.RunFailed EXITED = new RunEvent.RunFailed(
      "codex exited without completing the turn", RunEvent.details("stderr_tail", "x"));

  @Test
  @DisplayName("run_failed while the run directory's file system has less than 64 KiB usable: the cause is added")
  void fullDiskNamed() {
    RunEvent.RunFailed out = (RunEvent.RunFailed) FullDisk.explain(EXITED, () -> 4096);
    assertThat(out.message()).isEqualTo("codex exited without completing the turn (the file system of the run's "
        + "directory is full: No space left on device, 4096 bytes free)");
    assertThat(out.details()).isEqualTo(EXITED.details());
  }

  @Test
  @DisplayName("enough space, another event, or a file system that cannot be asked: the event is unchanged")
  void otherwiseUnchanged() {
    assertThat(FullDisk.explain(EXITED, () -> FullDisk.FULL_BELOW_BYTES)).isSameAs(EXITED);
    assertThat(FullDisk.explain(EXITED, () -> {
      throw new IllegalStateException("no file store");
    })).isSameAs(EXITED);
    RunEvent status = new RunEvent.StatusChanged(RunStatus.RUNNING, RunEvent.noDetails());
    assertThat(FullDisk.explain(status, () -> 0)).isSameAs(status);
    RunEvent message = new RunEvent.Activity(EventType.AGENT_MESSAGE, RunEvent.details("text", "hi"));
    assertThat(FullDisk.explain(message, () -> 0)).isSameAs(message);
  }
}
