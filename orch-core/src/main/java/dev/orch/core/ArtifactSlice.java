package dev.orch.core;

/**
 * Output of {@link Orchestrator#readArtifact} (SPEC §2 get_event_artifact): {@code {run_id, seq, field_path,
 * mime, encoding, relpath, total_bytes, offset, returned_bytes, has_more, content}}.
 *
 * @param runId run
 * @param seq event seq
 * @param fieldPath JSON Pointer
 * @param mime MIME type
 * @param encoding {@code utf-8}
 * @param relpath manifest path relative to the run directory
 * @param totalBytes size of the whole value, bytes
 * @param offset first byte returned
 * @param returnedBytes bytes returned (never cuts a UTF-8 character: may be less than the limit)
 * @param hasMore true when bytes remain after this slice
 * @param content the text of the slice
 */
public record ArtifactSlice(RunId runId, long seq, String fieldPath, String mime, String encoding, String relpath,
    long totalBytes, long offset, long returnedBytes, boolean hasMore, String content) {
}
