package dev.orch.core.spi;

import java.util.List;
import java.util.Objects;

/**
 * The extracted fields of one event (SPEC §5), as one element of a group commit's batch
 * ({@link RunStore#writeArtifacts(RunRecord, List)}).
 *
 * @param seq the event's seq (≥ 1)
 * @param eventType the event's wire type, e.g. {@code command_finished}
 * @param fields the fields to store
 */
public record EventArtifacts(long seq, String eventType, List<ArtifactField> fields) {
  /** @throws NullPointerException for a null type or fields; IllegalArgumentException for seq &lt; 1 */
  public EventArtifacts {
    Objects.requireNonNull(eventType, "eventType");
    fields = List.copyOf(fields);
    if (seq < 1) {
      throw new IllegalArgumentException("seq must be >= 1, was " + seq);
    }
  }
}
