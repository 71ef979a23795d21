package dev.orch.core.internal.sanitize;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.spi.ArtifactField;
import java.util.List;
import java.util.Objects;

/**
 * The result of {@link Sanitizer#sanitize}: the event data to store and publish, and the fields taken out of it.
 *
 * @param data the sanitized copy of the event data; holds {@code artifact_refs} iff {@code fields} is not empty
 *     (never null; owned by the caller, the sanitizer keeps no reference)
 * @param fields the extracted values in extraction order, the same order as the keys of {@code artifact_refs}
 *     (never null, unmodifiable, possibly empty)
 */
public record Sanitized(ObjectNode data, List<ArtifactField> fields) {
  /** Checks for null and copies {@code fields}. */
  public Sanitized {
    Objects.requireNonNull(data, "data");
    fields = List.copyOf(fields);
  }
}
