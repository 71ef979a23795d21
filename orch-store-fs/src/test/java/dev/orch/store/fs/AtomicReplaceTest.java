package dev.orch.store.fs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orch.core.RunStatus;
import dev.orch.core.SessionId;
import dev.orch.core.spi.RunRecord;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("JSON files are replaced atomically")
class AtomicReplaceTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path cwd;
  @TempDir
  Path home;

  @Test
  @DisplayName("a reader parsing run.json while it is saved 500 times never sees invalid or partial JSON")
  void readerNeverSeesTornJson() throws Exception {
    try (FsRunStore store = new FsRunStore(new FsStoreSettings(home, FsStoreSettings.DEFAULT_DIR_NAME))) {
      RunRecord run = Records.queuedRun(cwd, SessionId.random(), "agent1");
      store.createRun(run).close();
      Path file = cwd.resolve(".nanobot-orchestrator/runs").resolve(run.runId().value()).resolve("run.json");
      AtomicBoolean writing = new AtomicBoolean(true);
      AtomicInteger reads = new AtomicInteger();
      List<String> failures = new CopyOnWriteArrayList<>();
      Thread reader = new Thread(() -> {
        long lastSeen = 0;
        while (writing.get() || reads.get() == 0) {
          try {
            JsonNode n = JSON.readTree(Files.readAllBytes(file));
            long seq = n.get("lastSeq").asLong();
            if (seq < lastSeen || !n.has("backendConfig") || n.get("summary").asText().length() != 5000) {
              failures.add("unexpected content at lastSeq " + seq);
            }
            lastSeen = seq;
            reads.incrementAndGet();
          } catch (NoSuchFileException e) {
            failures.add("file missing during replace");
          } catch (Exception e) {
            failures.add(e.toString());
          }
        }
      }, "run-json-reader");
      String longSummary = "x".repeat(5000);
      store.saveRun(run.withProgress(RunStatus.RUNNING, longSummary, 0, Records.now()));
      reader.start();
      for (int i = 1; i <= 500; i++) {
        store.saveRun(run.withProgress(RunStatus.RUNNING, longSummary, i, Records.now()));
      }
      writing.set(false);
      reader.join(10_000);
      assertThat(reader.isAlive()).isFalse();
      assertThat(failures).isEmpty();
      assertThat(reads.get()).isPositive();
      try (Stream<Path> left = Files.list(file.getParent())) {
        assertThat(left.map(p -> p.getFileName().toString())).as("no temp files left")
            .noneMatch(n -> n.endsWith(".tmp"));
      }
    }
  }
}
