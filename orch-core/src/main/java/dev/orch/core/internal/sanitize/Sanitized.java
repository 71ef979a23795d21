package dev.orch.core.internal.sanitize;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.spi.ArtifactField;
import java.util.List;

/** Placeholder (branch sanitizer). */
public record Sanitized(ObjectNode data, List<ArtifactField> fields) {
}
