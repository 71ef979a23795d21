package dev.orch.core;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;

/**
 * One backend as {@code list_backends} shows it (SPEC §12.1).
 *
 * @param backend the backend id, e.g. {@code codex}
 * @param availability whether it can take runs
 * @param detail one line explaining the state (what was checked, what failed, what to do), never null
 * @param version the version of what runs the work (CLI {@code --version}, remote agent card), or null
 * @param executable the resolved executable path, or null when there is none or it was not probed
 * @param capabilities the declared capabilities, lowercase (e.g. {@code resume}, {@code structured_output})
 * @param running runs of this backend holding a slot in this process now (waiting states included)
 * @param queued runs of this backend ready to start but waiting for a slot
 * @param maxRunning the backend's own cap ({@code ORCH_MAX_RUNNING_<BACKEND>}), or null when only the global cap
 *     applies
 */
public record BackendInfo(String backend, Availability availability, String detail, String version,
    String executable, List<String> capabilities, int running, int queued, Integer maxRunning) {

  /** Copies the capabilities; checks the required fields. */
  public BackendInfo {
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(availability, "availability");
    Objects.requireNonNull(detail, "detail");
    capabilities = capabilities == null ? List.of() : List.copyOf(capabilities);
  }

  /**
   * @return the wire object {@code {backend, availability_state, availability_detail, version, executable,
   *     capabilities, running, queued, max_running}} (every key present)
   */
  public ObjectNode toJson() {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("backend", backend);
    n.put("availability_state", availability.wire());
    n.put("availability_detail", detail);
    n.put("version", version);
    n.put("executable", executable);
    ArrayNode caps = n.putArray("capabilities");
    capabilities.forEach(caps::add);
    n.put("running", running);
    n.put("queued", queued);
    if (maxRunning == null) {
      n.putNull("max_running");
    } else {
      n.put("max_running", maxRunning.intValue());
    }
    return n;
  }
}
