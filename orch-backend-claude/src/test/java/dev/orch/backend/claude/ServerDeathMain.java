package dev.orch.backend.claude;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.RunEvent;
import dev.orch.core.SessionId;
import dev.orch.core.spi.Backend;
import dev.orch.tck.RecordingSink;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A stand-in Orch server for {@link ServerDeathTest}: starts one claude run, prints {@code PID <claude pid>} once
 * the run reached the requested point, then waits to be killed. Args: backend_config JSON, cwd, prompt,
 * {@code idle|busy}.
 */
public final class ServerDeathMain {
  private ServerDeathMain() {
  }

  /** @param args backend_config JSON, cwd, prompt, idle|busy */
  public static void main(String[] args) throws Exception {
    ObjectNode cfg = (ObjectNode) new ObjectMapper().readTree(args[0]);
    Backend backend = ClaudeRuns.backend();
    RecordingSink sink = new RecordingSink();
    backend.start(ClaudeRuns.spec(SessionId.random(), Path.of(args[1]), args[2], cfg), sink);
    if (args[3].equals("idle")) {
      sink.awaitTerminal(Duration.ofSeconds(30));
    } else {
      sink.await(e -> e instanceof RunEvent.StatusChanged, Duration.ofSeconds(30));
    }
    System.out.println("PID " + sink.processes().get(0).pid());
    System.out.flush();
    Thread.sleep(120_000);
  }
}
