package dev.orch.store.fs.internal;

import dev.orch.core.spi.RunRecord;
import dev.orch.core.spi.SessionRecord;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Knows where runs and sessions live: the known cwds (Orch's global index, the TS server's {@code registry.json},
 * and cwds this process touched) and, for every run or session read from disk, the directory it was found in.
 * Records whose {@code cwd} differs from the directory holding them (copied stores, neutralised fixture paths)
 * therefore keep working. A bare run_id is resolved through Orch's index first (Orch's runs, cheap), then through
 * the TS registry (the TS server's runs), so a run in either is found. Thread-safe.
 */
public final class Catalog {
  private static final Logger LOG = LoggerFactory.getLogger(Catalog.class);

  private final StoreLayout layout;
  private final RunIndex index;
  private final TsRegistry registry;
  private final Map<String, Path> runDirs = new ConcurrentHashMap<>();
  private final Map<String, Path> sessionDirs = new ConcurrentHashMap<>();
  private final Set<Path> localCwds = ConcurrentHashMap.newKeySet();

  /**
   * @param layout per-cwd layout
   * @param index Orch's global index
   * @param registry the TS server's global registry (same home)
   */
  public Catalog(StoreLayout layout, RunIndex index, TsRegistry registry) {
    this.layout = layout;
    this.index = index;
    this.registry = registry;
  }

  /** @return the absolute, normalized form of a cwd */
  public static Path normalize(Path cwd) {
    return cwd.toAbsolutePath().normalize();
  }

  /** @return the directory of the run: where it was found, else {@code <cwd>/<dir>/runs/<id>} */
  public Path runDir(RunRecord run) {
    String id = run.runId().value();
    Path cached = runDirs.get(id);
    return cached != null ? cached : layout.runDir(normalize(run.cwd()), id);
  }

  /** Remembers where a run lives. */
  public void rememberRun(String runId, Path dir) {
    runDirs.put(runId, dir);
  }

  /**
   * @return the run from its remembered directory, Orch's index, the TS registry, or any known cwd; empty when not
   *     found
   */
  public Optional<RunRecord> findRun(String id) {
    if (!StoreLayout.isSafeSegment(id)) {
      return Optional.empty();
    }
    Set<Path> tried = new LinkedHashSet<>();
    Path cached = runDirs.get(id);
    Optional<RunRecord> r = cached == null ? Optional.empty() : tryDir(cached, tried);
    if (r.isEmpty()) {
      try {
        Optional<Path> cwd = index.cwdOf(id);
        if (cwd.isPresent()) {
          r = tryDir(layout.runDir(cwd.get(), id), tried);
        }
      } catch (IOException e) {
        throw StoreErrors.io("cannot read run index in", index.home(), e);
      }
    }
    if (r.isEmpty()) {
      Optional<Path> cwd = registryCwd(id);
      if (cwd.isPresent()) {
        r = tryDir(layout.runDir(cwd.get(), id), tried);
      }
    }
    for (Iterator<Path> it = knownCwds().iterator(); r.isEmpty() && it.hasNext(); ) {
      r = tryDir(layout.runDir(it.next(), id), tried);
    }
    return r;
  }

  private Optional<RunRecord> tryDir(Path dir, Set<Path> tried) {
    return tried.add(dir) ? readRun(dir) : Optional.empty();
  }

  /** The TS registry's cwd of a run; a registry that cannot be read counts as not knowing it (warned). */
  private Optional<Path> registryCwd(String id) {
    try {
      return registry.cwdOf(id);
    } catch (IOException e) {
      LOG.warn("cannot read {}: {}", registry.file(), e.getMessage());
      return Optional.empty();
    }
  }

  /** @return the runs of one cwd, or of every known cwd when null; malformed run files are skipped */
  public List<RunRecord> listRuns(Path cwd) {
    Map<String, RunRecord> out = new LinkedHashMap<>();
    for (Path c : cwdsFor(cwd)) {
      Path runs = layout.runsDir(c);
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(runs, Files::isDirectory)) {
        for (Path dir : ds) {
          readRun(dir).ifPresent(r -> out.putIfAbsent(r.runId().value(), r));
        }
      } catch (NoSuchFileException | NotDirectoryException e) {
        continue;
      } catch (IOException e) {
        if (!Files.isDirectory(runs)) {
          // a cwd that cannot hold a store (e.g. a name too long) holds no runs: a filter, not a store fault
          continue;
        }
        throw StoreErrors.io("cannot list", runs, e);
      }
    }
    return new ArrayList<>(out.values());
  }

  /** @return the run in that directory; empty when run.json is missing or malformed (warned) */
  public Optional<RunRecord> readRun(Path dir) {
    Path file = dir.resolve(StoreLayout.RunFiles.RUN);
    byte[] bytes = AtomicFiles.readIfExists(file);
    if (bytes == null) {
      return Optional.empty();
    }
    try {
      RunRecord r = RunJson.fromJson(JsonSupport.parse(bytes, 0, bytes.length));
      runDirs.put(r.runId().value(), dir);
      return Optional.of(r);
    } catch (IOException | RuntimeException e) {
      LOG.warn("skipping malformed run file {}: {}", file, e.getMessage());
      return Optional.empty();
    }
  }

  /** @return the {@code sessions/} directory of a session: where it was found, else that of its cwd */
  public Path sessionsDir(SessionRecord s) {
    StoreLayout.checkId("session_id", s.sessionId().value());
    return sessionDirs.getOrDefault(s.sessionId().value(), layout.sessionsDir(normalize(s.cwd())));
  }

  /** Remembers where a session lives. */
  public void rememberSession(String sessionId, Path dir) {
    sessionDirs.put(sessionId, dir);
  }

  /** @return the remembered {@code sessions/} directory of a session, or null */
  public Path rememberedSessionDir(String sessionId) {
    return sessionDirs.get(sessionId);
  }

  /** Adds a cwd to those this process knows (in addition to the index). */
  public void rememberCwd(Path cwd) {
    localCwds.add(normalize(cwd));
  }

  /** @return the cwd itself (remembered when its store directory exists), or every known cwd when null */
  public Set<Path> cwdsFor(Path cwd) {
    if (cwd == null) {
      return knownCwds();
    }
    Path c = normalize(cwd);
    if (Files.isDirectory(layout.root(c))) {
      localCwds.add(c);
    }
    return Set.of(c);
  }

  /** @return the cwds of Orch's index and of the TS registry, plus those this process touched */
  public Set<Path> knownCwds() {
    Set<Path> all = new LinkedHashSet<>();
    try {
      all.addAll(index.cwds());
    } catch (IOException e) {
      throw StoreErrors.io("cannot read run index in", index.home(), e);
    }
    try {
      all.addAll(registry.cwds());
    } catch (IOException e) {
      LOG.warn("cannot read {}: {}", registry.file(), e.getMessage());
    }
    all.addAll(localCwds);
    return all;
  }
}
