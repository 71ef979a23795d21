package dev.orch.mcp.it;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails the test (or test class) that leaves a server process of this JVM running, and kills that server and the
 * processes it started before the test's temporary directories are deleted. Without it, a test that fails halfway
 * leaves its server behind, and every later test that counts or waits for servers fails or hangs in its turn: the
 * failure is reported where it happened. Registered for every test of this module by ServiceLoader
 * ({@code junit.jupiter.extensions.autodetection.enabled} in {@code junit-platform.properties}); a server is a
 * descendant process that {@link ServerProcesses#liveServers()} finds.
 */
public final class ServerLeakCheck implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
    AfterEachCallback {
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(ServerLeakCheck.class);
  private static final String BEFORE = "servers before";

  @Override
  public void beforeAll(ExtensionContext context) {
    remember(context);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    remember(context);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    check(context, "test");
  }

  @Override
  public void afterAll(ExtensionContext context) {
    check(context, "test class");
  }

  private static void remember(ExtensionContext context) {
    context.getStore(NS).put(BEFORE, pids(ServerProcesses.liveServers()));
  }

  private static Set<Long> pids(List<ProcessHandle> processes) {
    return processes.stream().map(ProcessHandle::pid).collect(Collectors.toSet());
  }

  @SuppressWarnings("unchecked")
  private static void check(ExtensionContext context, String what) {
    Set<Long> before = (Set<Long>) context.getStore(NS).get(BEFORE, Set.class);
    List<ProcessHandle> left = ServerProcesses.liveServers().stream()
        .filter(p -> before == null || !before.contains(p.pid())).toList();
    if (left.isEmpty()) {
      return;
    }
    String named = left.stream().map(p -> p.pid() + " " + p.info().commandLine().orElse("?"))
        .collect(Collectors.joining("; "));
    for (ProcessHandle server : left) {
      List<ProcessHandle> tree = ServerProcesses.tree(server);
      tree.forEach(ProcessHandle::destroyForcibly);
      tree.forEach(p -> ServerProcesses.awaitExit(p, Duration.ofSeconds(10)));
    }
    throw new AssertionError("this " + what + " left " + left.size() + " server process(es) running (now killed): "
        + named);
  }
}
