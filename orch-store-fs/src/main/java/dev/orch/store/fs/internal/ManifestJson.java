package dev.orch.store.fs.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.spi.ArtifactManifest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code artifacts/<seq6>-<type>/manifest.json} (SPEC §5), snake_case: {@code {seq, event_type, fields:
 * {<pointer>: {field_path, relpath, mime, encoding, total_bytes, total_chars (strings only), chunk_count,
 * truncated, chunks:[{file, bytes}]}}}}.
 */
public final class ManifestJson {
  private ManifestJson() {
  }

  /** @return the manifest object */
  public static ObjectNode toJson(ArtifactManifest m) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("seq", m.seq());
    n.put("event_type", m.eventType());
    ObjectNode fields = n.putObject("fields");
    for (Map.Entry<String, ArtifactManifest.Entry> e : m.fields().entrySet()) {
      ArtifactManifest.Entry f = e.getValue();
      ObjectNode o = fields.putObject(e.getKey());
      o.put("field_path", f.fieldPath());
      o.put("relpath", f.relpath());
      o.put("mime", f.mime());
      o.put("encoding", f.encoding());
      o.put("total_bytes", f.totalBytes());
      if (f.totalChars() >= 0) {
        o.put("total_chars", f.totalChars());
      }
      o.put("chunk_count", f.chunks().size());
      o.put("truncated", f.truncated());
      ArrayNode chunks = o.putArray("chunks");
      for (ArtifactManifest.Chunk c : f.chunks()) {
        chunks.addObject().put("file", c.file()).put("bytes", c.bytes());
      }
    }
    return n;
  }

  /** @throws IllegalArgumentException when seq, event_type or fields is missing or malformed */
  public static ArtifactManifest fromJson(JsonNode n) {
    if (n == null || !n.isObject() || !n.path("seq").canConvertToLong() || !n.path("event_type").isTextual()
        || !n.path("fields").isObject()) {
      throw new IllegalArgumentException("manifest misses seq, event_type or fields");
    }
    Map<String, ArtifactManifest.Entry> fields = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = n.get("fields").properties().iterator();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode f = e.getValue();
      List<ArtifactManifest.Chunk> chunks = new ArrayList<>();
      for (JsonNode c : f.path("chunks")) {
        if (!c.path("file").isTextual()) {
          throw new IllegalArgumentException("chunk without file in field " + e.getKey());
        }
        chunks.add(new ArtifactManifest.Chunk(c.get("file").asText(), c.path("bytes").asLong(0)));
      }
      fields.put(e.getKey(), new ArtifactManifest.Entry(f.path("field_path").asText(e.getKey()),
          f.path("relpath").asText(""), f.path("mime").asText("text/plain"), f.path("encoding").asText("utf-8"),
          f.path("total_bytes").asLong(0), f.has("total_chars") ? f.get("total_chars").asLong(-1) : -1,
          f.path("truncated").asBoolean(true), chunks));
    }
    return new ArtifactManifest(n.get("seq").asLong(), n.get("event_type").asText(), fields);
  }
}
