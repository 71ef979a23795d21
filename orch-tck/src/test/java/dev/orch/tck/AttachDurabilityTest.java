package dev.orch.tck;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.orch.core.EventType;
import dev.orch.core.NormalizedEvent;
import dev.orch.core.Orchestrator;
import dev.orch.core.Role;
import dev.orch.core.RunEvent;
import dev.orch.core.SessionMode;
import dev.orch.core.SpawnRequest;
import dev.orch.core.SpawnResult;
import dev.orch.core.spi.Backend;
import dev.orch.core.spi.BackendContext;
import dev.orch.core.spi.BackendDescriptor;
import dev.orch.core.spi.BackendProvider;
import dev.orch.core.spi.Capability;
import dev.orch.core.spi.EventSink;
import dev.orch.core.spi.LogEntry;
import dev.orch.core.spi.RunHandle;
import dev.orch.core.spi.RunSpec;
import dev.orch.store.fs.FsRunStore;
import dev.orch.store.fs.FsStoreSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A re-attachment record is stored only once every event the backend reported before it is durable (SPEC §12.8): a
 * later Orch process re-attaches from the log and re-reads only the agent's output, so a {@code run_started} still
 * waiting for its commit when this process is killed right after the agent was let run would be lost for good (a
 * kill-loop run once ended with 42 of its 43 events). The log's append is slowed down here, so that without the rule
 * the record would be saved while {@code run_started} is still on its way to the disk.
 */
@DisplayName("The re-attachment record waits for the events reported before it to be durable")
class AttachDurabilityTest {
  @TempDir
  Path cwd;
  @TempDir
  Path home;
  Orchestrator orch;
  FaultyStore store;
  /** Seqs whose append to the real log has returned. */
  final Set<Long> durable = ConcurrentHashMap.newKeySet();
  /** The seqs durable when each {@code attach} document was saved. */
  final List<Set<Long>> durableAtAttach = new java.util.concurrent.CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("NANOBOT_ORCHESTRATOR_HOME", home.toString());
    store = new FaultyStore(new FsRunStore(new FsStoreSettings(home, FsStoreSettings.DEFAULT_DIR_NAME)));
    store.appending = batch -> {
      if (batch.stream().anyMatch(e -> e.event().type() == EventType.RUN_STARTED)) {
        sleep(300); // a slow disk under the run_started commit
      }
    };
    store.appended = batch -> batch.forEach(e -> durable.add(e.event().seq()));
    store.documentSaving = name -> {
      if (name.equals("attach")) {
        durableAtAttach.add(Set.copyOf(durable));
      }
    };
    orch = Orchestrator.builder().discovery(false).backend(new AttachingBackend()).store(store).environment(env)
        .build();
  }

  @AfterEach
  void stop() {
    orch.close();
  }

  @Test
  @DisplayName("run_started (and a message) reported before attach are in the log when the record is saved")
  void eventsBeforeTheRecordAreDurable() {
    SpawnResult r = orch.spawn(SpawnRequest.builder("attaching", Role.WORKER, cwd.toString(), SessionMode.NEW)
        .prompt("go").build());
    List<NormalizedEvent> events = new RunWatcher(orch, r.runId()).toEnd(Duration.ofSeconds(30));
    assertThat(events).extracting(NormalizedEvent::type).containsExactly(EventType.RUN_STARTED,
        EventType.AGENT_MESSAGE, EventType.AGENT_MESSAGE, EventType.RUN_COMPLETED);
    assertThat(durableAtAttach).as("attach records saved").hasSize(1);
    assertThat(durableAtAttach.get(0)).as("seqs in the log when the record was saved").containsExactlyInAnyOrder(1L,
        2L);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Reports run_started and one message, stores its re-attachment record, then reports the rest and completes. */
  static final class AttachingBackend implements BackendProvider {
    @Override
    public BackendDescriptor descriptor() {
      return new BackendDescriptor("attaching", "1", EnumSet.of(Capability.CANCEL, Capability.REATTACH),
          "dev.orch:orch-tck:tests", "reports, attaches, completes");
    }

    @Override
    public Backend create(BackendContext context) {
      return new Backend() {
        @Override
        public void validate(RunSpec spec) {
        }

        @Override
        public RunHandle start(RunSpec spec, EventSink sink) {
          sink.emit(new RunEvent.RunStarted(RunEvent.noDetails()));
          sink.emit(RunEvent.Activity.agentMessage("before the record"), LogEntry.position(0, 0));
          sink.attach(JsonNodeFactory.instance.objectNode().put("agent", "here"));
          sink.emit(RunEvent.Activity.agentMessage("after the record"), LogEntry.position(10, 0));
          sink.emit(new RunEvent.RunCompleted("done", null, null, RunEvent.noDetails()), LogEntry.position(20, 0));
          return reason -> { };
        }

        @Override
        public void close() {
        }
      };
    }
  }
}
