package dev.orch.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Issue 9 item 6 (b): two real servers on one cwd and one home, spawning and polling at the same time. Each server
 * spawns half of the runs (fake codex) with its own nicknames while both follow every run — their own and the
 * other's (cross-process long polls) — and both send messages to the same agent's inbox. Nothing may be lost or
 * duplicated: both servers see every run exactly once in list_runs and every agent once in list_agents, both see the
 * same complete event stream of each run (seq 1..n, one terminal event) that is on disk, and the inbox holds every
 * message once with seqs 1..n. Then both stop with stdin EOF and the disk is audited.
 */
final class TwoServers {
  private static final Duration ANSWER = Duration.ofSeconds(60);

  private TwoServers() {
  }

  /**
   * @param runs runs in all (half per server)
   * @param messages inbox messages per server
   * @return the figures
   */
  static Figures run(SoakEnv env, int runs, int messages) throws Exception {
    Figures f = new Figures("two servers on one cwd (" + runs + " runs)");
    Path cwd = env.cwd("shared");
    ServerProcess a = ServerProcess.start(env.serverCommand(), env.serverEnv(), env.logFile("server-a"), false);
    ServerProcess b = ServerProcess.start(env.serverCommand(), env.serverEnv(), env.logFile("server-b"), false);
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      a.initialize(ANSWER);
      b.initialize(ANSWER);
      List<ServerProcess> servers = List.of(a, b);
      // spawns: each server its half, both at once
      Map<String, String> nickOf = new ConcurrentHashMap<>();
      List<Future<List<String>>> spawning = new ArrayList<>();
      for (int s = 0; s < 2; s++) {
        ServerProcess server = servers.get(s);
        String prefix = s == 0 ? "a" : "b";
        spawning.add(pool.submit(() -> {
          List<String> ids = new ArrayList<>();
          for (int i = 0; i < runs / 2; i++) {
            String nick = prefix + "-" + i;
            ObjectNode args = ServerProcess.JSON.createObjectNode().put("backend", "codex").put("role", "worker")
                .put("cwd", cwd.toString()).put("session_mode", "new").put("nickname", nick)
                .put("prompt", "steps=" + (3 + i % 8) + " delay=0.02");
            ToolAnswer ans = server.call("spawn_run", args, ANSWER);
            f.latency(ans.nanos());
            f.count("calls", 1);
            JsonNode out = ans.ok();
            ids.add(out.path("run_id").asText());
            nickOf.put(out.path("run_id").asText(), out.path("agent_name").asText());
            if (!nick.equals(out.path("agent_name").asText())) {
              f.problem(Figures.LOST, "spawn_run with nickname " + nick + " answered agent_name "
                  + out.path("agent_name").asText());
            }
          }
          return ids;
        }));
      }
      Set<String> all = new HashSet<>();
      for (Future<List<String>> fu : spawning) {
        all.addAll(fu.get());
      }
      // messages to one agent's inbox from both servers at once, while the runs go on
      List<Future<?>> sending = new ArrayList<>();
      for (int s = 0; s < 2; s++) {
        ServerProcess server = servers.get(s);
        String from = s == 0 ? "A" : "B";
        sending.add(pool.submit(() -> {
          for (int i = 0; i < messages; i++) {
            ObjectNode args = ServerProcess.JSON.createObjectNode().put("to_agent_name", "a-0")
                .put("cwd", cwd.toString());
            ObjectNode msg = args.putObject("message").put("role", "user");
            msg.putArray("parts").addObject().put("type", "text").put("text", "from " + from + " #" + i);
            ToolAnswer ans = server.call("send_agent_message", args, ANSWER);
            f.latency(ans.nanos());
            f.count("calls", 1);
            ans.ok();
          }
          return null;
        }));
      }
      for (Future<?> fu : sending) {
        fu.get();
      }
      f.count("runs", all.size());
      if (all.size() != runs / 2 * 2) {
        f.problem(Figures.DUPLICATED, "spawns answered " + all.size() + " distinct run ids for " + (runs / 2 * 2)
            + " spawns");
      }
      // both servers follow every run to its end
      Map<String, Map<String, List<JsonNode>>> seen = new ConcurrentHashMap<>();
      List<Future<?>> following = new ArrayList<>();
      for (ServerProcess server : servers) {
        String name = server == a ? "A" : "B";
        for (String id : all) {
          following.add(pool.submit(() -> {
            seen.computeIfAbsent(name, k -> new ConcurrentHashMap<>()).put(id, follow(server, id, f));
            return null;
          }));
        }
      }
      for (Future<?> fu : following) {
        fu.get();
      }
      Map<String, StoreAudit.RunOnDisk> disk = StoreAudit.scan(cwd, env.home);
      for (String id : all) {
        List<JsonNode> viaA = seen.get("A").get(id);
        List<JsonNode> viaB = seen.get("B").get(id);
        StoreAudit.RunOnDisk d = disk.get(id);
        if (d == null) {
          f.problem(Figures.LOST, "run " + id + " is not on disk");
          continue;
        }
        checkStream(f, "A", id, viaA, d);
        checkStream(f, "B", id, viaB, d);
        f.count("events seen (both servers)", viaA.size() + viaB.size());
      }
      for (ServerProcess server : servers) {
        String name = server == a ? "A" : "B";
        checkListings(f, name, server, cwd, all, new HashSet<>(nickOf.values()));
        checkInbox(f, name, server, cwd, messages);
      }
    } finally {
      pool.shutdownNow();
      long exitA = a.closeStdinAndAwaitExit(Duration.ofSeconds(10));
      long exitB = b.closeStdinAndAwaitExit(Duration.ofSeconds(10));
      if (exitA < 0 || exitB < 0) {
        f.problem(Figures.UNANSWERED, "a server did not exit within 10 s of stdin EOF");
        a.kill9();
        b.kill9();
      }
    }
    Ledger ledger = new Ledger();
    ledger.cwd(cwd);
    Map<String, StoreAudit.RunOnDisk> disk = ledger.check(f, env.home, env.fakeCodex, "after both servers ended");
    disk.values().stream().filter(d -> !d.settled()).forEach(d -> f.problem(Figures.STRANDED, "run " + d.runId()
        + " is " + d.status() + " after both servers ended"));
    return f;
  }

  /** @return every event of the run through that server, polling until it is terminal and drained */
  private static List<JsonNode> follow(ServerProcess server, String runId, Figures f) throws Exception {
    List<JsonNode> events = new ArrayList<>();
    long after = 0;
    while (true) {
      ToolAnswer ans = server.call("poll_events", ServerProcess.JSON.createObjectNode().put("run_id", runId)
          .put("after_seq", after).put("limit", 7).put("wait_ms", 2000), ANSWER);
      f.count("calls", 1);
      JsonNode page = ans.ok();
      page.path("events").forEach(events::add);
      after = page.path("next_after_seq").asLong();
      if (page.path("events").isEmpty() && StoreAudit.TERMINAL.contains(page.path("status").asText())) {
        return events;
      }
    }
  }

  private static void checkStream(Figures f, String server, String id, List<JsonNode> seen,
      StoreAudit.RunOnDisk disk) {
    Set<Long> seqs = new HashSet<>();
    int terminal = 0;
    for (int i = 0; i < seen.size(); i++) {
      JsonNode e = seen.get(i);
      long seq = e.path("seq").asLong();
      if (!seqs.add(seq)) {
        f.problem(Figures.DUPLICATED, "server " + server + " returned event " + seq + " of " + id + " twice");
      } else if (seq != i + 1) {
        f.problem(Figures.LOST, "server " + server + " returned event " + seq + " of " + id + " at position "
            + (i + 1));
      }
      if (StoreAudit.terminalStatus(e) != null) {
        terminal++;
      }
      JsonNode on = disk.event(seq);
      if (on == null || !on.equals(e)) {
        f.problem(Figures.LOST, "event " + seq + " of " + id + " through " + server + " differs from the disk");
      }
    }
    if (seen.size() != disk.events().size()) {
      f.problem(Figures.LOST, "server " + server + " returned " + seen.size() + " events of " + id + ", the disk has "
          + disk.events().size());
    }
    if (terminal != 1) {
      f.problem(Figures.NOT_ONE_END, "server " + server + " returned " + terminal + " terminal events of " + id);
    }
  }

  private static void checkListings(Figures f, String server, ServerProcess s, Path cwd, Set<String> runs,
      Set<String> nicknames) throws Exception {
    ToolAnswer list = s.call("list_runs", ServerProcess.JSON.createObjectNode().put("cwd", cwd.toString())
        .put("limit", 1000), ANSWER);
    Map<String, Integer> count = new HashMap<>();
    list.ok().path("runs").forEach(r -> count.merge(r.path("run_id").asText(), 1, Integer::sum));
    for (String id : runs) {
      int n = count.getOrDefault(id, 0);
      if (n == 0) {
        f.problem(Figures.LOST, "list_runs of server " + server + " misses run " + id);
      } else if (n > 1) {
        f.problem(Figures.DUPLICATED, "list_runs of server " + server + " lists run " + id + " " + n + " times");
      }
    }
    ToolAnswer agents = s.call("list_agents", ServerProcess.JSON.createObjectNode().put("cwd", cwd.toString()),
        ANSWER);
    Map<String, Integer> names = new HashMap<>();
    agents.ok().path("agents").forEach(x -> names.merge(x.path("agent_name").asText(), 1, Integer::sum));
    for (String nick : nicknames) {
      int n = names.getOrDefault(nick, 0);
      if (n != 1) {
        f.problem(n == 0 ? Figures.LOST : Figures.DUPLICATED, "list_agents of server " + server + " shows agent "
            + nick + " " + n + " times");
      }
    }
  }

  private static void checkInbox(Figures f, String server, ServerProcess s, Path cwd, int messages) throws Exception {
    ToolAnswer page = s.call("fetch_agent_messages", ServerProcess.JSON.createObjectNode()
        .put("agent_name", "a-0").put("cwd", cwd.toString()).put("limit", 1000), ANSWER);
    JsonNode list = page.ok().path("messages");
    Set<Long> seqs = new HashSet<>();
    Set<String> texts = new HashSet<>();
    for (JsonNode m : list) {
      if (!seqs.add(m.path("seq").asLong())) {
        f.problem(Figures.DUPLICATED, "inbox seq " + m.path("seq").asLong() + " twice (server " + server + ")");
      }
      String text = m.path("body").path("parts").path(0).path("text").asText();
      if (!texts.add(text)) {
        f.problem(Figures.DUPLICATED, "inbox message '" + text + "' twice (server " + server + ")");
      }
    }
    for (int i = 0; i < messages; i++) {
      for (String from : List.of("A", "B")) {
        if (!texts.contains("from " + from + " #" + i)) {
          f.problem(Figures.LOST, "inbox misses 'from " + from + " #" + i + "' (server " + server + ")");
        }
      }
    }
    for (long seq = 1; seq <= 2L * messages; seq++) {
      if (!seqs.contains(seq)) {
        f.problem(Figures.LOST, "inbox seq " + seq + " missing (server " + server + ")");
      }
    }
    f.count("inbox messages (per server view)", list.size());
  }
}
