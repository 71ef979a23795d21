package dev.orch.backend.a2a;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.backend.a2a.testing.JsA2aPeer;
import dev.orch.core.AgentMessage;
import dev.orch.core.Role;
import dev.orch.core.RunId;
import dev.orch.core.SessionId;
import dev.orch.core.spi.Backend;
import dev.orch.core.spi.BackendContext;
import dev.orch.core.spi.RunHandle;
import dev.orch.core.spi.RunSpec;
import dev.orch.tck.RecordingSink;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the remote_a2a backend tests share: a fresh backend per test (closed after it), run specs in a temporary
 * cwd, and {@link #run} that starts a run on a {@link RecordingSink} that forbids child processes.
 */
abstract class A2aTestBase {
  static final ObjectMapper JSON = new ObjectMapper();
  /** Longest wait for an event of a run against a local agent. */
  static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir
  Path cwd;
  Backend backend;
  /** The handle of every run started by {@link #run}, by its sink. */
  final Map<RecordingSink, RunHandle> handles = new IdentityHashMap<>();

  @BeforeEach
  void createBackend() {
    backend = newBackend(Map.of());
  }

  @AfterEach
  void closeBackend() {
    backend.close();
  }

  /** @return a remote_a2a backend on daemon threads, with {@code env} as the server environment */
  static Backend newBackend(Map<String, String> env) {
    return new A2aBackendProvider().create(new BackendContext(env, r -> {
      Thread t = new Thread(r);
      t.setDaemon(true);
      return t;
    }, Clock.systemUTC()));
  }

  /** @return a backend_config with only {@code agent_url} */
  static ObjectNode config(String url) {
    ObjectNode c = JSON.createObjectNode();
    c.put("agent_url", url);
    return c;
  }

  /** Stops a JS peer and checks that its process is gone. */
  static void stop(JsA2aPeer peer) {
    ProcessHandle p = peer.process();
    peer.close();
    assertThat(p.isAlive()).as("the JS peer process is gone").isFalse();
  }

  RunSpec spec(String prompt, ObjectNode cfg) {
    return spec(prompt, cfg, null, null, null);
  }

  RunSpec spec(String prompt, ObjectNode cfg, String systemPrompt, ObjectNode schema, RunSpec.Resume resume) {
    return spec(prompt, null, cfg, systemPrompt, schema, resume);
  }

  /** @return a spec whose prompt is the rendered {@code input} and whose input_message is {@code input} */
  RunSpec spec(AgentMessage input, ObjectNode cfg) {
    return spec(input.render(), input, cfg, null, null, null);
  }

  private RunSpec spec(String prompt, AgentMessage input, ObjectNode cfg, String systemPrompt, ObjectNode schema,
      RunSpec.Resume resume) {
    return new RunSpec(new RunId("run-" + UUID.randomUUID()), new SessionId("ses-" + UUID.randomUUID()), "agent1",
        Role.WORKER, cwd, prompt, input, systemPrompt, schema, cfg, resume, Map.of(), null);
  }

  /**
   * Starts a run.
   *
   * @param spec the run
   * @param replies answers for the run's input_required / auth_required events, in order (emulated continue_run)
   * @return its sink; the handle is in {@link #handles}
   */
  RecordingSink run(RunSpec spec, String... replies) {
    RecordingSink sink = RecordingSink.withoutProcesses();
    for (String r : replies) {
      sink.reply(r);
    }
    RunHandle h = backend.start(spec, sink);
    sink.attach(h);
    handles.put(sink, h);
    return sink;
  }
}
