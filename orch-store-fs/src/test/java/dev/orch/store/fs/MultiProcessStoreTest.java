package dev.orch.store.fs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orch.core.NormalizedEvent;
import dev.orch.core.RunId;
import dev.orch.core.RunStatus;
import dev.orch.core.spi.InboxMessage;
import dev.orch.core.spi.RunRecord;
import dev.orch.core.spi.SessionRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Two real processes sharing one cwd and one home keep every store file consistent")
class MultiProcessStoreTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int SESSIONS = 25;
  private static final int RUNS = 2;
  private static final int EVENTS = 200;
  private static final int MESSAGES = 60;

  @TempDir
  Path cwd;
  @TempDir
  Path home;
  @TempDir
  Path logs;

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  @DisplayName("agent names stay unique, no event is lost or duplicated, inbox seqs are 1..N, every file parses")
  void concurrentProcesses() throws Exception {
    List<String> runIds = new ArrayList<>();
    SessionRecord shared;
    try (FsRunStore store = new FsRunStore(new FsStoreSettings(home, FsStoreSettings.DEFAULT_DIR_NAME))) {
      shared = store.createSession(cwd, "inbox-owner", name -> Records.session(cwd, name));
    }
    String[] common = {home.toString(), cwd.toString(), "", shared.sessionId().value(), "" + SESSIONS, "" + RUNS,
        "" + EVENTS, "" + MESSAGES};
    String[] argsA = common.clone();
    argsA[2] = "A";
    String[] argsB = common.clone();
    argsB[2] = "B";
    try (ChildJvm a = new ChildJvm(StoreWorkerMain.class, logs.resolve("a.err"), argsA);
        ChildJvm b = new ChildJvm(StoreWorkerMain.class, logs.resolve("b.err"), argsB)) {
      a.readUntil("READY");
      b.readUntil("READY");
      a.send("go");
      b.send("go");
      for (ChildJvm child : List.of(a, b)) {
        for (String line : child.readUntil("DONE")) {
          assertThat(line).startsWith("RUN ");
          runIds.add(line.substring(4));
        }
        assertThat(child.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(child.process.exitValue()).as(Files.readString(logs.resolve("a.err"))
            + Files.readString(logs.resolve("b.err"))).isZero();
      }
    }
    assertThat(runIds).hasSize(2 * RUNS).doesNotHaveDuplicates();

    try (FsRunStore store = new FsRunStore(new FsStoreSettings(home, FsStoreSettings.DEFAULT_DIR_NAME))) {
      List<SessionRecord> sessions = store.listSessions(cwd);
      int expectedSessions = 1 + 2 * (SESSIONS + RUNS);
      assertThat(sessions).hasSize(expectedSessions);
      assertThat(sessions).extracting(SessionRecord::agentName).doesNotHaveDuplicates();
      assertThat(sessions).extracting(SessionRecord::agentName).filteredOn(n -> !n.equals("inbox-owner"))
          .containsExactlyInAnyOrderElementsOf(
              LongStream.rangeClosed(1, expectedSessions - 1).mapToObj(n -> "agent" + n).toList());

      for (String id : runIds) {
        RunRecord run = store.findRun(new RunId(id)).orElseThrow();
        assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(run.lastSeq()).isEqualTo(EVENTS);
        List<NormalizedEvent> events = store.readEvents(run, 0, 1000);
        assertThat(events).extracting(NormalizedEvent::seq)
            .containsExactlyElementsOf(LongStream.rangeClosed(1, EVENTS).boxed().toList());
        Path eventsFile = cwd.resolve(".nanobot-orchestrator/runs").resolve(id).resolve("events.jsonl");
        assertThat(Files.readAllLines(eventsFile)).hasSize(EVENTS);
      }
      assertThat(store.listRuns(null)).extracting(r -> r.runId().value()).containsExactlyInAnyOrderElementsOf(runIds);
      assertThat(store.orphanedRuns()).isEmpty();

      List<InboxMessage> inbox = store.readInbox(shared, 0, 1000);
      assertThat(inbox).extracting(InboxMessage::seq)
          .containsExactlyElementsOf(LongStream.rangeClosed(1, 2 * MESSAGES).boxed().toList());
      assertThat(inbox).extracting(InboxMessage::messageId).doesNotHaveDuplicates();
      for (String tag : List.of("A", "B")) {
        assertThat(inbox).filteredOn(m -> tag.equals(m.fromAgentName())).extracting(m -> m.body().text())
            .as("each sender's messages arrive complete and in its order")
            .containsExactlyElementsOf(LongStream.rangeClosed(1, MESSAGES).mapToObj(i -> tag + "-" + i).toList());
      }
    }
    assertEveryFileParses();
  }

  private void assertEveryFileParses() throws IOException {
    Set<Path> checked = new HashSet<>();
    try (Stream<Path> files = Files.walk(cwd.resolve(".nanobot-orchestrator"))) {
      for (Path p : (Iterable<Path>) files::iterator) {
        String name = p.getFileName().toString();
        if (name.endsWith(".tmp")) {
          throw new AssertionError("temp file left behind: " + p);
        }
        if (name.endsWith(".json")) {
          assertThat(JSON.readTree(p.toFile())).as(p.toString()).isNotNull();
          checked.add(p);
        } else if (name.endsWith(".jsonl")) {
          byte[] bytes = Files.readAllBytes(p);
          assertThat(bytes[bytes.length - 1]).as("ends with a newline: " + p).isEqualTo((byte) '\n');
          for (String line : Files.readAllLines(p)) {
            JsonNode n = JSON.readTree(line);
            assertThat(n.isObject()).as(p + ": " + line).isTrue();
          }
          checked.add(p);
        }
      }
    }
    List<String> index = Files.readAllLines(home.resolve("run-index.jsonl"));
    for (String line : index) {
      assertThat(JSON.readTree(line).get("cwd").asText()).isEqualTo(cwd.toString());
    }
    assertThat(index.stream().filter(l -> l.contains("run_id"))).hasSize(2 * RUNS);
    assertThat(checked).hasSizeGreaterThan(2 * RUNS * 3);
  }
}
