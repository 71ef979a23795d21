package dev.orch.core.spi;

import java.util.Objects;

/**
 * One extracted field of an event, to be stored as chunk files (SPEC §5).
 *
 * @param pointer JSON Pointer relative to {@code event.data}, e.g. {@code /output} or {@code /input/content}
 * @param mime {@code text/plain} for strings, {@code application/json} for objects and arrays
 * @param content the full UTF-8 bytes of the original value (a string's text, or the compact JSON as the TS server writes it)
 * @param totalChars number of characters of a string value, or -1 for JSON values
 */
public record ArtifactField(String pointer, String mime, byte[] content, long totalChars) {
  /** Validates non-null fields. */
  public ArtifactField {
    Objects.requireNonNull(pointer, "pointer");
    Objects.requireNonNull(mime, "mime");
    Objects.requireNonNull(content, "content");
  }

  /** @return the file name stem of this field: the pointer without its leading slash, '/' replaced by '.' */
  public String fileStem() {
    return ArtifactManifest.fileStem(pointer);
  }
}
