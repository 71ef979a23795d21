package dev.orch.store.fs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orch.core.AgentMessage;
import dev.orch.core.OrchException;
import dev.orch.core.SessionId;
import dev.orch.core.spi.ControlAnswer;
import dev.orch.core.spi.ControlRequest;
import dev.orch.core.spi.RunLease;
import dev.orch.core.spi.RunRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("File store: control requests and answers under runs/<run_id>/control/")
class ControlFilesTest {
  @TempDir
  Path cwd;
  @TempDir
  Path home;
  FsRunStore owner;
  FsRunStore requester;
  RunRecord run;
  RunLease lease;

  @BeforeEach
  void setUp() {
    owner = new FsRunStore(new FsStoreSettings(home, FsStoreSettings.DEFAULT_DIR_NAME));
    requester = new FsRunStore(new FsStoreSettings(home, FsStoreSettings.DEFAULT_DIR_NAME));
    run = Records.queuedRun(cwd, SessionId.random(), "agent1");
    lease = owner.createRun(run);
  }

  @AfterEach
  void tearDown() {
    lease.close();
    owner.close();
    requester.close();
  }

  private Path controlDir() {
    return cwd.resolve(".nanobot-orchestrator/runs").resolve(run.runId().value()).resolve("control");
  }

  private List<String> files() throws Exception {
    if (!Files.isDirectory(controlDir())) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(controlDir())) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  @DisplayName("a posted request is taken exactly once, its answer is read once, and nothing is left behind")
  void roundTrip() throws Exception {
    assertThat(owner.takeControls(run)).as("nothing posted yet (no directory)").isEmpty();
    ControlRequest req = ControlRequest.continueWith(AgentMessage.userText("allow"), Records.now());
    assertThat(requester.postControl(run, req)).isEqualTo(req.id());
    assertThat(files()).containsExactly(req.id() + ".request.json");

    List<ControlRequest> taken = owner.takeControls(run);
    assertThat(taken).singleElement().satisfies(t -> {
      assertThat(t.id()).isEqualTo(req.id());
      assertThat(t.kind()).isEqualTo(ControlRequest.Kind.CONTINUE);
      assertThat(t.message().text()).isEqualTo("allow");
      assertThat(t.createdAt()).isEqualTo(req.createdAt());
    });
    assertThat(owner.takeControls(run)).as("taken once").isEmpty();
    assertThat(requester.withdrawControl(run, req.id())).as("too late to withdraw").isFalse();
    assertThat(requester.controlAnswer(run, req.id())).isEmpty();

    ControlAnswer answer = ControlAnswer.error(req.id(), OrchException.ErrorCode.CONFLICT,
        "run is not awaiting additional input: running", Records.now());
    owner.answerControl(run, req.id(), answer);
    assertThat(files()).containsExactly(req.id() + ".answer.json");
    assertThat(requester.controlAnswer(run, req.id())).contains(answer);
    assertThat(requester.controlAnswer(run, req.id())).as("consumed").isEmpty();
    assertThat(files()).isEmpty();
  }

  @Test
  @DisplayName("a withdrawn request is never taken; requests are taken oldest first")
  void withdrawAndOrder() {
    ControlRequest first = ControlRequest.cancel(Records.now().minusSeconds(2));
    ControlRequest second = ControlRequest.cancel(Records.now().minusSeconds(1));
    ControlRequest gone = ControlRequest.cancel(Records.now());
    requester.postControl(run, second);
    requester.postControl(run, first);
    requester.postControl(run, gone);
    assertThat(requester.withdrawControl(run, gone.id())).isTrue();
    assertThat(owner.takeControls(run)).extracting(ControlRequest::id).containsExactly(first.id(), second.id());
  }

  @Test
  @DisplayName("a watch of a run's control requests (its directory made by the owner) is told when another store"
      + " posts one, until it is closed")
  void watchSeesPostsOfAnotherStore() throws Exception {
    java.util.concurrent.Semaphore changes = new java.util.concurrent.Semaphore(0);
    dev.orch.core.spi.Subscription watch = owner.watchControls(run, changes::release).orElseThrow();
    assertThat(controlDir()).isDirectory();
    requester.postControl(run, ControlRequest.cancel(Records.now()));
    assertThat(changes.tryAcquire(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(owner.takeControls(run)).extracting(r -> r.kind()).containsExactly(ControlRequest.Kind.CANCEL);
    watch.close();
    watch.close();
  }
}
