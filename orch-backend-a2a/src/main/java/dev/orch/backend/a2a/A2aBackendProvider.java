package dev.orch.backend.a2a;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.backend.a2a.internal.A2aBackend;
import dev.orch.core.spi.Backend;
import dev.orch.core.spi.BackendContext;
import dev.orch.core.spi.BackendDescriptor;
import dev.orch.core.spi.BackendProvider;
import dev.orch.core.spi.Capability;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * The {@code remote_a2a} backend (SPEC §4, §8): runs are tasks of a remote A2A agent (protocol 0.3.0, JSON-RPC
 * with SSE streaming) driven through the official A2A Java SDK 0.3.3.Final. Found by {@link java.util.ServiceLoader}
 * or registered explicitly; no work in the constructor. Runs outlive their Orch process: a later one re-attaches
 * through {@code tasks/resubscribe} (or {@code tasks/get}) (SPEC §12.8).
 */
public final class A2aBackendProvider implements BackendProvider {

  /** The backend id used in {@code spawn_run}. */
  public static final String ID = "remote_a2a";
  /** What secrets are replaced with before anything is written to disk. */
  public static final String REDACTED = "[redacted]";

  private static final BackendDescriptor DESCRIPTOR = new BackendDescriptor(ID, "0.1.0",
      EnumSet.of(Capability.STREAMING, Capability.RESUME, Capability.CANCEL, Capability.CONTINUE,
          Capability.STRUCTURED_OUTPUT, Capability.PROFILES, Capability.REATTACH),
      "dev.orch:orch-backend-a2a", "Remote A2A agents (protocol 0.3.0, JSON-RPC + SSE) via the A2A Java SDK");

  /** Creates the provider; does nothing else. */
  public A2aBackendProvider() {
    // ServiceLoader needs a public no-arg constructor
  }

  @Override
  public BackendDescriptor descriptor() {
    return DESCRIPTOR;
  }

  @Override
  public Backend create(BackendContext context) {
    return new A2aBackend(context);
  }

  /**
   * Hides the secrets of a {@code remote_a2a} {@code backend_config} so that it can be written to disk
   * (run.json, session files, events): {@code auth_token} and every value of {@code headers} become
   * {@value #REDACTED}. Other keys are kept as they are; a {@code headers} value that is not an object is replaced
   * by {@value #REDACTED} as a whole.
   *
   * @param backendConfig the configuration with secrets in clear; may be null
   * @return a new object (a deep copy), or null when {@code backendConfig} is null
   */
  public static ObjectNode redact(ObjectNode backendConfig) {
    if (backendConfig == null) {
      return null;
    }
    ObjectNode copy = backendConfig.deepCopy();
    if (copy.has("auth_token") && !copy.get("auth_token").isNull()) {
      copy.put("auth_token", REDACTED);
    }
    JsonNode headers = copy.get("headers");
    if (headers != null && !headers.isNull()) {
      if (headers.isObject()) {
        ObjectNode h = (ObjectNode) headers;
        List<String> names = new ArrayList<>();
        h.fieldNames().forEachRemaining(names::add);
        names.forEach(n -> h.put(n, REDACTED));
      } else {
        copy.put("headers", REDACTED);
      }
    }
    return copy;
  }
}
