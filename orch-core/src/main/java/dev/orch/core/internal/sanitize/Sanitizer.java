package dev.orch.core.internal.sanitize;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** Placeholder pass-through replaced by the SPEC §5 sanitizer (branch sanitizer). */
public final class Sanitizer {
  public Sanitized sanitize(long seq, String eventType, ObjectNode data) {
    return new Sanitized(data.deepCopy(), List.of());
  }
}
