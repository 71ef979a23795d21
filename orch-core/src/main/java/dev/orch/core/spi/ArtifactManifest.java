package dev.orch.core.spi;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The manifest of one event's artifacts ({@code runs/<run_id>/artifacts/<seq6>-<type>/manifest.json}, SPEC §5):
 * {@code {seq, event_type, fields: {<pointer>: {field_path, relpath, mime, encoding, total_bytes, total_chars?,
 * chunk_count, truncated, chunks:[{file, bytes}]}}}}.
 *
 * @param seq event seq
 * @param eventType wire event type
 * @param fields entries by JSON Pointer, in insertion order
 */
public record ArtifactManifest(long seq, String eventType, Map<String, Entry> fields) {

  /** Chunk size of artifact files in bytes (SPEC §5). */
  public static final int CHUNK_BYTES = 65536;

  /** Copies fields. */
  public ArtifactManifest {
    Objects.requireNonNull(eventType, "eventType");
    fields = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fields));
  }

  /**
   * @param fieldPath JSON Pointer
   * @param relpath manifest path relative to the run directory
   * @param mime MIME type
   * @param encoding always {@code utf-8}
   * @param totalBytes size of the whole value in bytes
   * @param totalChars characters of a string value, or -1
   * @param truncated true (the event holds a preview)
   * @param chunks chunk files in order
   */
  public record Entry(String fieldPath, String relpath, String mime, String encoding, long totalBytes,
      long totalChars, boolean truncated, List<Chunk> chunks) {
    /** Copies chunks. */
    public Entry {
      chunks = List.copyOf(chunks);
    }
  }

  /**
   * @param file file name within the artifact directory
   * @param bytes size in bytes
   */
  public record Chunk(String file, long bytes) {
  }

  /** @return the directory name {@code <seq, 6 digits>-<event_type>} */
  public static String directoryName(long seq, String eventType) {
    if (seq < 0) {
      return String.format("%06d-%s", seq, eventType);
    }
    // "%06d-%s" without String.format, which cost more than the rest of sanitizing an event
    String digits = Long.toString(seq);
    StringBuilder b = new StringBuilder(8 + digits.length() + eventType.length());
    for (int i = digits.length(); i < 6; i++) {
      b.append('0');
    }
    return b.append(digits).append('-').append(eventType).toString();
  }

  /** @return the manifest path relative to the run directory, e.g. {@code artifacts/000006-command_finished/manifest.json} */
  public static String relpath(long seq, String eventType) {
    return "artifacts/" + directoryName(seq, eventType) + "/manifest.json";
  }

  /** @return the file stem of a pointer: leading '/' removed, other '/' replaced by '.' */
  public static String fileStem(String pointer) {
    String p = pointer.startsWith("/") ? pointer.substring(1) : pointer;
    return p.replace('/', '.');
  }

  /** @return the number of 65536-byte chunks needed for {@code totalBytes} (at least 1) */
  public static int chunkCount(long totalBytes) {
    return (int) Math.max(1, (totalBytes + CHUNK_BYTES - 1) / CHUNK_BYTES);
  }
}
