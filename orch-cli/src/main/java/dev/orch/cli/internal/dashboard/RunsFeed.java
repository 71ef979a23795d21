package dev.orch.cli.internal.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.cli.internal.Outcome;
import dev.orch.core.Orchestrator;
import dev.orch.core.RunSummary;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runs table's change detection: while at least one browser listens, a daemon thread lists the runs of the
 * store every {@value #INTERVAL_MS} ms (list_runs across all cwds: one {@code run.json} read per run in the file
 * store) and publishes a new version when anything a row shows changed (status, last_seq, summary, updated_at, a
 * new or vanished run). This works across processes: the owner of a run (MCP server, a detached CLI run, another
 * dashboard) replaces its run.json at once on a status change and at most every 200 ms otherwise, so a change
 * reaches the page within about 200 + {@value #INTERVAL_MS} ms plus the SSE hop.
 *
 * <p>Rows: the RunSummary JSON plus {@code usage} = the terminal event's reported usage (cached per finished run).
 * Thread-safe; waiters block in {@link #await} with a timeout.
 */
final class RunsFeed implements AutoCloseable {
  /** Scan interval while someone listens, ms. */
  static final long INTERVAL_MS = 200;
  /** Most rows sent to the page. */
  static final int MAX_ROWS = 500;
  private static final Logger LOG = LoggerFactory.getLogger(RunsFeed.class);

  private final Orchestrator orch;
  private final Map<String, JsonNode> usageOfFinished = new ConcurrentHashMap<>();
  private final Object lock = new Object();
  private long version;
  private ObjectNode rows = JsonNodeFactory.instance.objectNode();
  private String fingerprint = "";
  private int listeners;
  private Thread thread;
  private volatile boolean closed;

  RunsFeed(Orchestrator orch) {
    this.orch = orch;
  }

  /** @return {@code {version, runs: [row...]}} computed now (also refreshes the feed) */
  ObjectNode snapshot() {
    refresh();
    synchronized (lock) {
      return rows.deepCopy();
    }
  }

  /**
   * Waits until the version is newer than {@code seen} or the timeout passes. Registers the caller as a listener
   * for the duration (the scan thread runs only while someone listens).
   *
   * @return the current rows ({@code version} tells whether they changed)
   * @throws InterruptedException when interrupted
   */
  ObjectNode await(long seen, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    synchronized (lock) {
      listeners++;
      startIfNeeded();
      try {
        while (version <= seen && !closed) {
          long left = deadline - System.currentTimeMillis();
          if (left <= 0) {
            break;
          }
          lock.wait(left);
        }
        return rows.deepCopy();
      } finally {
        listeners--;
      }
    }
  }

  private void startIfNeeded() {
    if (thread == null || !thread.isAlive()) {
      thread = new Thread(this::loop, "orch-dashboard-feed");
      thread.setDaemon(true);
      thread.start();
    }
  }

  private void loop() {
    while (!closed) {
      synchronized (lock) {
        if (listeners == 0) {
          thread = null;
          return;
        }
      }
      try {
        refresh();
      } catch (RuntimeException e) {
        LOG.warn("cannot list runs: {}", e.toString());
      }
      try {
        Thread.sleep(INTERVAL_MS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void refresh() {
    List<RunSummary> runs = orch.listRuns(null, null, null);
    StringBuilder fp = new StringBuilder();
    ObjectNode next = JsonNodeFactory.instance.objectNode();
    ArrayNode arr = next.putArray("runs");
    int n = 0;
    for (RunSummary r : runs) {
      if (n++ == MAX_ROWS) {
        break;
      }
      ObjectNode row = r.toJson();
      row.set("usage", usage(r));
      arr.add(row);
      fp.append(r.runId().value()).append(r.status().wire()).append(r.lastSeq()).append(r.summary())
          .append(r.updatedAt()).append('\n');
    }
    next.put("total", runs.size());
    synchronized (lock) {
      if (!fp.toString().equals(fingerprint)) {
        fingerprint = fp.toString();
        version++;
        next.put("version", version);
        rows = next;
        lock.notifyAll();
      }
    }
  }

  private JsonNode usage(RunSummary r) {
    if (!r.status().isTerminal()) {
      return JsonNodeFactory.instance.nullNode();
    }
    return usageOfFinished.computeIfAbsent(r.runId().value(), k -> {
      JsonNode u = Outcome.of(orch, r).usage();
      return u == null ? JsonNodeFactory.instance.nullNode() : u;
    });
  }

  @Override
  public void close() {
    closed = true;
    synchronized (lock) {
      lock.notifyAll();
    }
  }
}
