package dev.orch.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orch.core.EventType;
import dev.orch.core.NormalizedEvent;
import dev.orch.core.Orchestrator;
import dev.orch.core.Role;
import dev.orch.core.RunEvent;
import dev.orch.core.SessionMode;
import dev.orch.core.SpawnRequest;
import dev.orch.core.SpawnResult;
import dev.orch.core.spi.AgentProcess;
import dev.orch.core.spi.Backend;
import dev.orch.core.spi.BackendContext;
import dev.orch.core.spi.BackendDescriptor;
import dev.orch.core.spi.BackendProvider;
import dev.orch.core.spi.Capability;
import dev.orch.core.spi.EventSink;
import dev.orch.core.spi.RunHandle;
import dev.orch.core.spi.RunSpec;
import dev.orch.store.fs.FsRunStore;
import dev.orch.store.fs.FsStoreSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Events an agent prints are committed by the thread that reads its output when the agent is quiet (issue 8 item 4,
 * {@link dev.orch.core.spi.OutputBatch}), and by the engine's committers when it floods; nothing is lost or reordered
 * either way. The agent is a real process under {@link AgentProcess}; the store is the file store (through
 * {@link FaultyStore}, which records the thread of every append).
 */
@DisplayName("A quiet agent's events are committed on its reader thread; a flood goes to the committers")
class ReaderCommitTest {
  @TempDir
  Path cwd;
  @TempDir
  Path home;
  Orchestrator orch;
  /** Thread name of the append of each seq. */
  final Map<Long, String> appendedBy = new ConcurrentHashMap<>();

  @BeforeEach
  void start() {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("NANOBOT_ORCHESTRATOR_HOME", home.toString());
    FaultyStore store = new FaultyStore(new FsRunStore(new FsStoreSettings(home, FsStoreSettings.DEFAULT_DIR_NAME)));
    store.appended = batch -> batch.forEach(e -> appendedBy.put(e.event().seq(), Thread.currentThread().getName()));
    orch = Orchestrator.builder().discovery(false).backend(new ShellBackend()).store(store).environment(env).build();
  }

  @AfterEach
  void stop() {
    orch.close();
  }

  @Test
  @DisplayName("five lines 50 ms apart: each agent_message is appended by the agent's reader thread, in order")
  void quietAgentCommitsOnReader() throws Exception {
    // the agent prints once run_started is published, so that no commit of the engine's own is running then
    SpawnResult r = orch.spawn(SpawnRequest.builder("shell", Role.WORKER, cwd.toString(), SessionMode.NEW)
        .prompt("while [ ! -e go ]; do sleep 0.01; done; for i in 1 2 3 4 5; do echo \"line $i\"; sleep 0.05; done")
        .build());
    new RunWatcher(orch, r.runId()).until(RunWatcher.has(EventType.RUN_STARTED), Duration.ofSeconds(30));
    java.nio.file.Files.writeString(cwd.resolve("go"), "");
    List<NormalizedEvent> events = toEnd(r);
    List<NormalizedEvent> messages = events.stream().filter(e -> e.type() == EventType.AGENT_MESSAGE).toList();
    assertThat(messages).extracting(e -> e.data().path("text").asText())
        .containsExactly("line 1", "line 2", "line 3", "line 4", "line 5");
    assertThat(messages).allSatisfy(e -> assertThat(appendedBy.get(e.seq())).as("appender of seq %d", e.seq())
        .startsWith("agent-output-"));
    assertThat(appendedBy.get(events.get(events.size() - 1).seq())).as("the run_completed is committed by the engine")
        .startsWith("orch-commit-");
  }

  @Test
  @DisplayName("one line that reports 10 000 events: the committers take over past 256 staged events (no wait on "
      + "itself), every event is on disk once and in order")
  void burstHandedToCommitters() {
    List<NormalizedEvent> events = run("echo burst:10000");
    List<NormalizedEvent> messages = events.stream().filter(e -> e.type() == EventType.AGENT_MESSAGE).toList();
    assertThat(messages).hasSize(10_000);
    for (int i = 0; i < messages.size(); i++) {
      assertThat(messages.get(i).data().path("text").asText()).isEqualTo("burst " + (i + 1));
    }
    EventOrder.assertValid(events);
    assertThat(messages).anySatisfy(e -> assertThat(appendedBy.get(e.seq())).startsWith("orch-commit-"));
  }

  private List<NormalizedEvent> run(String script) {
    return toEnd(orch.spawn(SpawnRequest.builder("shell", Role.WORKER, cwd.toString(), SessionMode.NEW)
        .prompt(script).build()));
  }

  private List<NormalizedEvent> toEnd(SpawnResult r) {
    List<NormalizedEvent> events = new RunWatcher(orch, r.runId()).toEnd(Duration.ofSeconds(60));
    assertThat(events.get(events.size() - 1).type()).isEqualTo(EventType.RUN_COMPLETED);
    return events;
  }

  /**
   * Runs the prompt as a {@code /bin/sh} script under {@link AgentProcess}; each stdout line becomes an
   * agent_message, except {@code burst:N}, which reports N agent messages from that one line. Exit 0 completes.
   */
  static final class ShellBackend implements BackendProvider {
    @Override
    public BackendDescriptor descriptor() {
      return new BackendDescriptor("shell", "1", EnumSet.of(Capability.CANCEL), "dev.orch:orch-tck:tests",
          "a shell script under AgentProcess");
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
          AgentProcess.Listener listener = new AgentProcess.Listener() {
            @Override
            public void onLine(String line, long offset, long next) {
              if (line.startsWith("burst:")) {
                for (int i = 1; i <= Integer.parseInt(line.substring(6)); i++) {
                  sink.emit(RunEvent.Activity.agentMessage("burst " + i));
                }
              } else {
                sink.emit(RunEvent.Activity.agentMessage(line));
              }
            }

            @Override
            public void onEnd(Integer exitCode, long endOffset) {
              sink.emit(exitCode != null && exitCode == 0 ? new RunEvent.RunCompleted("done", null, null, RunEvent.noDetails())
                  : new RunEvent.RunFailed("exit " + exitCode, RunEvent.noDetails()));
            }
          };
          try {
            AgentProcess.Directory dir = AgentProcess.directoryFor(sink, "orch-shell-");
            AgentProcess p = AgentProcess.start(new AgentProcess.Launch(List.of("/bin/sh", "-c", spec.prompt()),
                spec.cwd(), Map.of(), dir.path(), dir.temporary(), null), context.threadFactory(), listener,
                process -> false);
            p.closeInput();
            return reason -> p.stop(p::interrupt, Duration.ofMillis(200), Duration.ofMillis(500));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }

        @Override
        public void close() {
        }
      };
    }
  }
}
