package dev.orch.core.internal;

import dev.orch.core.OrchException;
import dev.orch.core.spi.Backend;
import dev.orch.core.spi.BackendContext;
import dev.orch.core.spi.BackendDescriptor;
import dev.orch.core.spi.BackendProvider;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backends of one Orchestrator (CONVENTIONS 3): explicit registrations first, then ServiceLoader discovery
 * (optional). Two providers with one id fail fast naming both classes and their jars; a provider that throws
 * while loading or creating becomes a diagnostic and the others keep working; an unknown id names the known
 * ones and, for the built-ins, the artifact to add.
 */
public final class BackendRegistry implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BackendRegistry.class);
  private static final Map<String, String> BUILT_IN_ARTIFACTS = Map.of(
      "codex", "dev.orch:orch-backend-codex",
      "claude_code", "dev.orch:orch-backend-claude",
      "remote_a2a", "dev.orch:orch-backend-a2a");

  private final Map<String, BackendDescriptor> descriptors = new TreeMap<>();
  private final Map<String, Backend> backends = new TreeMap<>();
  private final List<String> diagnostics = new ArrayList<>();
  private final Map<String, String> failures = new TreeMap<>();

  /**
   * @param explicit providers registered on the builder
   * @param discovery whether to load {@code META-INF/services/dev.orch.core.spi.BackendProvider}
   * @param loader class loader for discovery
   * @param context passed to every provider
   * @throws OrchException UNSUPPORTED when two providers claim one id
   */
  public BackendRegistry(List<BackendProvider> explicit, boolean discovery, ClassLoader loader,
      BackendContext context) {
    Map<String, BackendProvider> chosen = new TreeMap<>();
    for (BackendProvider p : explicit) {
      add(chosen, p, true);
    }
    if (discovery) {
      Iterator<BackendProvider> it = ServiceLoader.load(BackendProvider.class, loader).iterator();
      while (true) {
        BackendProvider p;
        try {
          if (!it.hasNext()) {
            break;
          }
          p = it.next();
        } catch (ServiceConfigurationError e) {
          diagnostics.add("backend provider unavailable: " + e.getMessage());
          LOG.warn("backend provider unavailable: {}", e.toString());
          continue;
        }
        BackendProvider registered = chosen.get(safeId(p));
        if (registered != null && explicit.contains(registered)) {
          continue; // explicit registration wins over discovery of the same provider class
        }
        add(chosen, p, false);
      }
    }
    for (BackendProvider p : chosen.values()) {
      BackendDescriptor d = p.descriptor();
      try {
        backends.put(d.id(), p.create(context));
        descriptors.put(d.id(), d);
      } catch (RuntimeException | LinkageError e) {
        diagnostics.add("backend " + d.id() + " unavailable: " + e);
        failures.put(d.id(), e.toString());
        LOG.warn("backend {} could not be created", d.id(), e);
      }
    }
  }

  private String safeId(BackendProvider p) {
    try {
      return p.descriptor().id();
    } catch (RuntimeException e) {
      return "?" + p.getClass().getName();
    }
  }

  private void add(Map<String, BackendProvider> chosen, BackendProvider p, boolean explicitOne) {
    String id;
    try {
      id = p.descriptor().id();
    } catch (RuntimeException | LinkageError e) {
      diagnostics.add("backend provider " + p.getClass().getName() + " unavailable: " + e);
      return;
    }
    BackendProvider other = chosen.get(id);
    if (other != null) {
      if (other.getClass().equals(p.getClass()) && !explicitOne) {
        return;
      }
      throw new OrchException(OrchException.ErrorCode.UNSUPPORTED, "Duplicate backend id '" + id + "': "
          + describe(other) + " and " + describe(p) + ". Remove one of the jars or disable discovery.");
    }
    chosen.put(id, p);
  }

  private static String describe(BackendProvider p) {
    var source = p.getClass().getProtectionDomain().getCodeSource();
    return p.getClass().getName() + " (" + (source == null ? "unknown jar" : source.getLocation()) + ")";
  }

  /**
   * @param id backend id
   * @return the backend
   * @throws OrchException UNSUPPORTED {@code Unsupported backend: <id>. Known backends: a, b} (+ the artifact to
   *     add when the id is a built-in that is missing from the class path)
   */
  public Backend get(String id) {
    Backend b = backends.get(id);
    if (b != null) {
      return b;
    }
    String msg = "Unsupported backend: " + id + ". Known backends: "
        + (backends.isEmpty() ? "(none)" : String.join(", ", backends.keySet()));
    if (BUILT_IN_ARTIFACTS.containsKey(id)) {
      msg += ". Add " + BUILT_IN_ARTIFACTS.get(id) + " to the class path to enable it";
    }
    throw new OrchException(OrchException.ErrorCode.UNSUPPORTED, msg);
  }

  /** @return the descriptor of a registered backend, or null */
  public BackendDescriptor descriptor(String id) {
    return descriptors.get(id);
  }

  /** @return descriptors by id */
  public List<BackendDescriptor> descriptors() {
    return List.copyOf(descriptors.values());
  }

  /** @return backends whose provider failed to create its backend: id → reason (they are not registered) */
  public Map<String, String> failures() {
    return Collections.unmodifiableMap(failures);
  }

  /** @return the Maven artifact of a built-in backend id ({@code dev.orch:orch-backend-codex}), or null */
  public static String builtInArtifact(String id) {
    return BUILT_IN_ARTIFACTS.get(id);
  }

  /** @return load problems, never fatal */
  public List<String> diagnostics() {
    return Collections.unmodifiableList(diagnostics);
  }

  @Override
  public void close() {
    for (Map.Entry<String, Backend> e : backends.entrySet()) {
      try {
        e.getValue().close();
      } catch (RuntimeException ex) {
        LOG.warn("closing backend {} failed", e.getKey(), ex);
      }
    }
  }
}
