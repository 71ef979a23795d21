package dev.orch.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Issue 9 item 6 (c): the load pattern of issue 9 item 2 through the official MCP SDK client over real stdio to
 * {@code bin/orch-mcp}, repeated in rounds. Each round starts 10 live runs (fake codex, ~3 s each), then fires at once
 * 80 following polls (8 per run, {@code limit 5}, no server-side wait: each call is answered from what is there),
 * 20 waiting polls (2 per run, {@code wait_ms 5000}, woken by new events) and 20 spawns; every call must be answered,
 * every follower must see each run's events once, in order, ending with one terminal event, and the server must
 * answer a ping afterwards. Latencies are those of the non-waiting calls (following polls and spawns).
 *
 * <p>All requests are subscribed on one client thread: the SDK's own client transport emits into a Reactor sink that
 * fails under concurrent emission (java-sdk #304/#686, the same flaw issue 9 found on the server side); the subject
 * here is the server, so the client is kept out of that failure.
 */
final class LoadPattern {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int LIVE_RUNS = 10;
  private static final int FOLLOWERS_PER_RUN = 8;
  private static final int WAITERS_PER_RUN = 2;
  private static final int SPAWNS = 20;
  private static final Duration ANSWER = Duration.ofSeconds(120);

  private LoadPattern() {
  }

  /** Runs that many rounds against one server; @return the figures */
  static Figures run(SoakEnv env, int rounds) throws Exception {
    Figures f = new Figures("load pattern x" + rounds + " (SDK client)");
    Path cwd = env.cwd("load");
    List<String> cmd = env.serverCommand();
    ServerParameters params = ServerParameters.builder(cmd.get(0)).args(cmd.subList(1, cmd.size()))
        .env(withInherited(env.serverEnv())).build();
    StdioClientTransport transport = new StdioClientTransport(params, new JacksonMcpJsonMapper(JSON));
    transport.setStdErrorHandler(line -> { });
    McpAsyncClient client = McpClient.async(transport).requestTimeout(ANSWER)
        .initializationTimeout(Duration.ofSeconds(60)).build();
    Scheduler oneThread = Schedulers.newSingle("soak-client-send");
    ExecutorService pool = Executors.newFixedThreadPool(LIVE_RUNS * (FOLLOWERS_PER_RUN + WAITERS_PER_RUN) + SPAWNS);
    Caller caller = new Caller(client, oneThread);
    try {
      client.initialize().block(Duration.ofSeconds(90));
      for (int round = 1; round <= rounds; round++) {
        round(caller, cwd, f, pool, round);
      }
      if (client.ping().subscribeOn(oneThread).block(Duration.ofSeconds(30)) == null) {
        f.problem(Figures.UNANSWERED, "no answer to a ping after the load");
      }
    } finally {
      pool.shutdownNow();
      client.closeGracefully().block(Duration.ofSeconds(10));
      oneThread.dispose();
    }
    Ledger ledger = new Ledger();
    ledger.cwd(cwd);
    Map<String, StoreAudit.RunOnDisk> disk = ledger.check(f, env.home, env.fakeCodex, "after the load");
    disk.values().stream().filter(d -> !d.settled()).forEach(d -> f.problem(Figures.STRANDED, "run " + d.runId()
        + " is " + d.status() + " after the server ended"));
    f.count("runs", disk.size());
    return f;
  }

  private static Map<String, String> withInherited(Map<String, String> extra) {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.putAll(extra);
    return env;
  }

  /** Issues tool calls, each subscribed on the one sending thread, and counts the unanswered ones. */
  private record Caller(McpAsyncClient client, Scheduler sender) {
    /** @return the structured payload, or null when the call failed or had no answer (counted in f) */
    JsonNode call(Figures f, String tool, Map<String, Object> args, boolean timed) {
      long start = System.nanoTime();
      McpSchema.CallToolResult r;
      try {
        r = Mono.defer(() -> client.callTool(McpSchema.CallToolRequest.builder(tool).arguments(args).build()))
            .subscribeOn(sender).block(ANSWER);
      } catch (RuntimeException e) {
        f.problem(Figures.UNANSWERED, tool + " " + args + ": " + e.getMessage());
        return null;
      }
      f.count("calls", 1);
      if (r == null) {
        f.problem(Figures.UNANSWERED, tool + " " + args + ": no answer");
        return null;
      }
      if (timed) {
        f.latency(System.nanoTime() - start);
      }
      if (Boolean.TRUE.equals(r.isError())) {
        f.problem(Figures.BAD_ANSWERS, tool + " failed: " + ((McpSchema.TextContent) r.content().get(0)).text());
        return null;
      }
      return JSON.valueToTree(r.structuredContent());
    }
  }

  private static void round(Caller c, Path cwd, Figures f, ExecutorService pool, int round) throws Exception {
    List<String> live = new ArrayList<>();
    for (int i = 0; i < LIVE_RUNS; i++) {
      JsonNode out = c.call(f, "spawn_run", spawnArgs(cwd, "steps=60 delay=0.05"), true);
      if (out != null) {
        live.add(out.path("run_id").asText());
      }
    }
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> all = new ArrayList<>();
    for (String id : live) {
      for (int i = 0; i < FOLLOWERS_PER_RUN; i++) {
        all.add(pool.submit(() -> {
          go.await();
          follow(c, f, id);
          return null;
        }));
      }
      for (int i = 0; i < WAITERS_PER_RUN; i++) {
        all.add(pool.submit(() -> {
          go.await();
          waitOut(c, f, id);
          return null;
        }));
      }
    }
    for (int i = 0; i < SPAWNS; i++) {
      all.add(pool.submit(() -> {
        go.await();
        JsonNode out = c.call(f, "spawn_run", spawnArgs(cwd, "steps=2 delay=0"), true);
        if (out != null) {
          f.count("spawns answered", 1);
        }
        return null;
      }));
    }
    go.countDown();
    for (Future<?> fu : all) {
      fu.get(10, TimeUnit.MINUTES);
    }
    f.count("rounds", 1);
  }

  private static Map<String, Object> spawnArgs(Path cwd, String prompt) {
    return Map.of("backend", "codex", "role", "worker", "cwd", cwd.toString(), "session_mode", "new",
        "prompt", prompt);
  }

  /** A following poll loop: limit 5, no server-side wait, 20 ms pauses when nothing is new. */
  private static void follow(Caller c, Figures f, String runId) throws InterruptedException {
    long after = 0;
    int terminal = 0;
    while (true) {
      JsonNode page = c.call(f, "poll_events", Map.of("run_id", runId, "after_seq", after, "limit", 5,
          "wait_ms", 0), true);
      if (page == null) {
        return;
      }
      f.count("following polls", 1);
      for (JsonNode e : page.path("events")) {
        long seq = e.path("seq").asLong();
        if (seq != after + 1) {
          f.problem(seq <= after ? Figures.DUPLICATED : Figures.LOST, "follower of " + runId + " got seq " + seq
              + " after " + after);
        }
        after = seq;
        if (StoreAudit.terminalStatus(e) != null) {
          terminal++;
        }
      }
      if (page.path("events").isEmpty()) {
        if (StoreAudit.TERMINAL.contains(page.path("status").asText())) {
          if (terminal != 1) {
            f.problem(Figures.NOT_ONE_END, "follower of " + runId + " saw " + terminal + " terminal events");
          }
          return;
        }
        Thread.sleep(20);
      }
    }
  }

  /** A waiting poll loop: wait_ms 5000 at the newest seq until the run is terminal and drained. */
  private static void waitOut(Caller c, Figures f, String runId) {
    long after = 0;
    while (true) {
      JsonNode page = c.call(f, "poll_events", Map.of("run_id", runId, "after_seq", after, "limit", 100,
          "wait_ms", 5000), false);
      if (page == null) {
        return;
      }
      f.count("waiting polls", 1);
      after = page.path("next_after_seq").asLong(after);
      if (page.path("events").isEmpty() && StoreAudit.TERMINAL.contains(page.path("status").asText())) {
        return;
      }
    }
  }
}
