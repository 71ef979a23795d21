package dev.orch.store.fs;

import dev.orch.core.RunStatus;
import dev.orch.core.SessionId;
import dev.orch.core.spi.EventLog;
import dev.orch.core.spi.RunLease;
import dev.orch.core.spi.RunRecord;
import dev.orch.core.spi.SessionRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A child process for {@link MultiProcessStoreTest}: shares one cwd and one home with a sibling and interleaves
 * session creation, runs with many events, and inbox messages to a shared session.
 *
 * <p>Args: {@code home cwd tag sharedSessionId sessions runs eventsPerRun messages}. Prints {@code READY}, waits
 * for a line on stdin (so both children start together), then prints one {@code RUN <id>} per run and
 * {@code DONE}.
 */
public final class StoreWorkerMain {
  private StoreWorkerMain() {
  }

  /** @param args see the class comment @throws Exception on any failure (the child then exits non-zero) */
  public static void main(String[] args) throws Exception {
    Path home = Path.of(args[0]);
    Path cwd = Path.of(args[1]);
    String tag = args[2];
    SessionId shared = new SessionId(args[3]);
    int sessions = Integer.parseInt(args[4]);
    int runs = Integer.parseInt(args[5]);
    int eventsPerRun = Integer.parseInt(args[6]);
    int messages = Integer.parseInt(args[7]);
    try (FsRunStore store = new FsRunStore(new FsStoreSettings(home, FsStoreSettings.DEFAULT_DIR_NAME))) {
      System.out.println("READY");
      System.out.flush();
      System.in.read();
      SessionRecord recipient = store.findSession(shared, cwd).orElseThrow();
      List<RunRecord> runRecords = new ArrayList<>();
      List<EventLog> logs = new ArrayList<>();
      List<RunLease> leases = new ArrayList<>();
      for (int r = 0; r < runs; r++) {
        SessionRecord s = store.createSession(cwd, null, name -> Records.session(cwd, name));
        RunRecord run = Records.queuedRun(cwd, s.sessionId(), s.agentName());
        leases.add(store.createRun(run));
        runRecords.add(run);
        logs.add(store.openEventLog(run));
        System.out.println("RUN " + run.runId());
      }
      int total = Math.max(Math.max(sessions, messages), eventsPerRun);
      for (int i = 1; i <= total; i++) {
        if (i <= sessions) {
          store.createSession(cwd, null, name -> Records.session(cwd, name));
        }
        if (i <= messages) {
          store.appendInbox(recipient, Records.message(recipient, tag, tag + "-" + i));
        }
        if (i <= eventsPerRun) {
          for (int r = 0; r < runs; r++) {
            logs.get(r).append(Records.event(runRecords.get(r), i, tag + " event " + i));
            RunRecord progressed = runRecords.get(r).withProgress(RunStatus.RUNNING, "event " + i, i,
                Records.now());
            store.saveRun(progressed);
          }
        }
      }
      for (int r = 0; r < runs; r++) {
        logs.get(r).close();
        RunRecord done = runRecords.get(r).withProgress(RunStatus.COMPLETED, "Run completed", eventsPerRun,
            Records.now());
        store.saveRun(done);
        store.runEnded(done);
        leases.get(r).close();
      }
      System.out.println("DONE");
      System.out.flush();
    }
  }
}
