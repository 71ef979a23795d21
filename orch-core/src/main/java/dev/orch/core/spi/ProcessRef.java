package dev.orch.core.spi;

import java.time.Instant;
import java.util.Optional;

/**
 * A child process recorded for a run, so that a later Orch process can kill it when the owner died
 * (SPEC §10 reconcile). The start time guards against PID reuse.
 *
 * @param pid operating-system process id
 * @param startedAt process start time as reported by {@link ProcessHandle.Info#startInstant()}, or null
 */
public record ProcessRef(long pid, Instant startedAt) {

  /** @return a reference to a live process handle */
  public static ProcessRef of(ProcessHandle handle) {
    return new ProcessRef(handle.pid(), handle.info().startInstant().orElse(null));
  }

  /**
   * @return the live process this reference names, or empty when it has ended (also when it is a zombie that
   *     only waits to be reaped, see {@link CliProcess#isRunning}) or its PID now belongs to a different process
   *     (start time differs by more than 1 s)
   */
  public Optional<ProcessHandle> live() {
    return ProcessHandle.of(pid).filter(CliProcess::isRunning).filter(h -> {
      if (startedAt == null) {
        return true;
      }
      return h.info().startInstant().map(s -> Math.abs(s.toEpochMilli() - startedAt.toEpochMilli()) < 1000)
          .orElse(true);
    });
  }
}
