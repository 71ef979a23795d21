package dev.orch.core.internal.sanitize;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.orch.core.spi.ArtifactField;
import dev.orch.core.spi.ArtifactManifest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The event sanitizer of SPEC §5: keeps stored and published events small by moving long strings and large
 * objects out of {@code event.data} into artifact fields, leaving a preview or a summary and an
 * {@code artifact_refs} entry in their place. The constants and the order of the passes are the TS server's.
 *
 * <p>Pure and deterministic: no I/O, no clock, no state; one instance may be shared by any number of threads.
 *
 * <p>Pass 1 takes the known paths ({@link #PRIORITY_TEXT_PATHS}, then {@link #PRIORITY_STRUCTURED_PATHS}).
 * Pass 2 (aggressive), while the event is over {@link #EVENT_TARGET_BYTES}, takes the largest remaining
 * candidate (first in document order among equals). Because an object is always larger than anything inside
 * it, this in practice takes whole top-level values, as the TS server did.
 *
 * <p>Where this differs from the TS server, on purpose:
 * <ul>
 *   <li>a string is extracted only when it is longer than its preview (in UTF-16 units, JavaScript's
 *       {@code length}); the TS server also "extracted" strings over the limit in bytes but not in characters
 *       and then kept them whole in the event;
 *   <li>previews never cut a surrogate pair (SPEC §11.10): the cut moves back one unit instead;
 *   <li>the size checked against {@link #EVENT_TARGET_BYTES} is the whole stored line, as SPEC §5 says:
 *       the envelope (seq, ts, ids, backend, type, estimated at their longest, since the engine fills them in
 *       later) and {@code artifact_refs} included; the TS server measured the event without its refs;
 *   <li>a value whose last pointer token is one of {@link #PROTECTED_KEYS} is protected at any depth, and
 *       nothing inside it is rewritten; the TS server protected only those exact top-level pointers and could
 *       still rewrite values nested inside them. A protected value is never cut or replaced by a preview,
 *       but it may leave the event whole, inside an enclosing object the passes extract (the seed fixture
 *       shows this: {@code /raw_tool_use_result} carries {@code interrupted} into its artifact).
 * </ul>
 */
public final class Sanitizer {

  /** Target size of one serialized event in UTF-8 bytes; the aggressive pass runs while it is exceeded. */
  public static final int EVENT_TARGET_BYTES = 16384;
  /** An object or array on a known path is extracted when its compact JSON exceeds this many UTF-8 bytes. */
  public static final int OBJECT_INLINE_THRESHOLD_BYTES = 4096;
  /** Preview length (UTF-16 units) of command output paths. */
  public static final int COMMAND_TEXT_PREVIEW_CHARS = 4000;
  /** Preview length (UTF-16 units) of text paths and of strings on structured paths. */
  public static final int DEFAULT_TEXT_PREVIEW_CHARS = 2000;
  /** Preview length (UTF-16 units) of strings taken by the aggressive pass. */
  public static final int AGGRESSIVE_TEXT_PREVIEW_CHARS = 1000;
  /** The aggressive pass considers strings longer than this many UTF-8 bytes. */
  public static final int AGGRESSIVE_STRING_MIN_BYTES = 1000;
  /** The aggressive pass considers objects and arrays whose compact JSON exceeds this many UTF-8 bytes. */
  public static final int AGGRESSIVE_OBJECT_THRESHOLD_BYTES = 1024;
  /** How many keys an object summary lists. */
  public static final int SUMMARY_PREVIEW_KEYS = 8;
  /** How many items an array summary copies. */
  public static final int SUMMARY_PREVIEW_ITEMS = 3;
  /** Appended to every string preview. */
  public static final String TRUNCATION_SUFFIX = "\n...[truncated, see artifact_refs]";
  /** The key that holds the references in the sanitized data. */
  public static final String ARTIFACT_REFS = "artifact_refs";

  /** Pass 1 text paths and their preview lengths, in the TS server's order (the order of {@code artifact_refs}). */
  public static final Map<String, Integer> PRIORITY_TEXT_PATHS = orderedMap(
      "/stdout", COMMAND_TEXT_PREVIEW_CHARS,
      "/stderr", COMMAND_TEXT_PREVIEW_CHARS,
      "/output", COMMAND_TEXT_PREVIEW_CHARS,
      "/content", DEFAULT_TEXT_PREVIEW_CHARS,
      "/text", DEFAULT_TEXT_PREVIEW_CHARS,
      "/final_response", DEFAULT_TEXT_PREVIEW_CHARS,
      "/summary", DEFAULT_TEXT_PREVIEW_CHARS,
      "/aggregated_output", COMMAND_TEXT_PREVIEW_CHARS,
      "/input/content", DEFAULT_TEXT_PREVIEW_CHARS,
      "/input/old_string", DEFAULT_TEXT_PREVIEW_CHARS,
      "/input/new_string", DEFAULT_TEXT_PREVIEW_CHARS);

  /** Pass 1 structured paths, after the text paths; strings there get {@link #DEFAULT_TEXT_PREVIEW_CHARS}. */
  public static final List<String> PRIORITY_STRUCTURED_PATHS =
      List.of("/raw_tool_use_result", "/arguments", "/result", "/error", "/changes");

  /** The known paths parsed once (sanitizing runs for every event). */
  private static final Map<String, List<String>> KNOWN_TOKENS = knownTokens();

  private static Map<String, List<String>> knownTokens() {
    Map<String, List<String>> m = new java.util.HashMap<>();
    PRIORITY_TEXT_PATHS.keySet().forEach(p -> m.put(p, JsonPointers.parse(p)));
    PRIORITY_STRUCTURED_PATHS.forEach(p -> m.put(p, JsonPointers.parse(p)));
    return Map.copyOf(m);
  }

  /**
   * Keys whose values are never extracted. SPEC §5 lists them as pointers ({@code /command}, …); we read
   * them as key names: a value whose LAST pointer token is one of them is never a candidate, at any depth,
   * and the aggressive pass does not look inside it, so identifiers and commands are never cut wherever a
   * backend nests them. An enclosing object may still be extracted whole (then the value is in its artifact,
   * intact); forbidding that would leave e.g. a long array of {@code {status, …}} objects unshrinkable.
   */
  public static final Set<String> PROTECTED_KEYS = Set.of("command", "tool", "tool_use_id", "exit_code",
      "status", "is_error", "interrupted", "file_path", "backend_session_id", "thread_id", "context_id",
      "task_id", "agent_url", "agent_name", "conversation_id", ARTIFACT_REFS);

  static final JsonMapper MAPPER = JsonMapper.builder().build();

  /** Creates a sanitizer; it has no configuration (the constants are SPEC §5's). */
  public Sanitizer() {
  }

  /**
   * Sanitizes the data of one event.
   *
   * @param seq the event's seq (≥ 1); names the artifact directory in {@code relpath}
   * @param eventType the wire event type, e.g. {@code command_finished}; names the artifact directory
   * @param data the event's wire data object; not modified
   * @return a sanitized deep copy and the extracted fields; when nothing is extracted the copy equals
   *     {@code data} and has no {@code artifact_refs} added
   * @throws NullPointerException if {@code eventType} or {@code data} is null
   * @throws IllegalArgumentException if {@code seq < 1} or {@code eventType} is blank
   */
  public Sanitized sanitize(long seq, String eventType, ObjectNode data) {
    Objects.requireNonNull(eventType, "eventType");
    Objects.requireNonNull(data, "data");
    if (seq < 1) {
      throw new IllegalArgumentException("seq must be >= 1: " + seq);
    }
    if (eventType.isBlank()) {
      throw new IllegalArgumentException("eventType is blank");
    }
    Extraction extraction = new Extraction(seq, eventType, data.deepCopy());
    for (Map.Entry<String, Integer> path : PRIORITY_TEXT_PATHS.entrySet()) {
      extraction.extractKnown(path.getKey(), path.getValue());
    }
    for (String path : PRIORITY_STRUCTURED_PATHS) {
      extraction.extractKnown(path, DEFAULT_TEXT_PREVIEW_CHARS);
    }
    long envelope = envelopeBytes(seq, eventType);
    while (envelope + extraction.dataBytes() > EVENT_TARGET_BYTES) {
      Candidate largest = extraction.largestCandidate();
      if (largest == null || !extraction.extract(largest.slot(), largest.pointer(),
          AGGRESSIVE_TEXT_PREVIEW_CHARS, AGGRESSIVE_OBJECT_THRESHOLD_BYTES)) {
        break; // only protected or already extracted values are left
      }
    }
    return new Sanitized(extraction.data, extraction.fields);
  }

  /**
   * @return the UTF-8 bytes of a stored event line without its data value: {@code {"seq":N,"ts":…,"run_id":…,
   *     "session_id":…,"backend":…,"type":…,"data":}} with a 24-char timestamp, UUID ids and the longest backend
   *     id ({@code claude_code}); the engine fills them in after sanitizing, so their longest form is assumed
   */
  static long envelopeBytes(long seq, String eventType) {
    // every part but the seq's digits and the type is constant: measured once, then only added up
    return ENVELOPE_WITHOUT_SEQ_AND_TYPE + Long.toString(seq).length() + jsonBytes(TextNode.valueOf(eventType));
  }

  /** {@link #measureEnvelope} of seq 0 and type "", minus the "0" and the empty string's quotes. */
  private static final long ENVELOPE_WITHOUT_SEQ_AND_TYPE = measureEnvelope(0, "") - 1 - 2;

  private static long measureEnvelope(long seq, String eventType) {
    ObjectNode envelope = MAPPER.createObjectNode();
    envelope.put("seq", seq);
    envelope.put("ts", "x".repeat(24));
    envelope.put("run_id", "x".repeat(36));
    envelope.put("session_id", "x".repeat(36));
    envelope.put("backend", "x".repeat("claude_code".length()));
    envelope.put("type", eventType);
    envelope.set("data", MAPPER.createObjectNode());
    return jsonBytes(envelope) - 2; // minus the empty data object "{}"
  }

  /** @return the compact JSON text of {@code node}, as stored in events.jsonl and in .json artifacts */
  static String json(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      // A tree of JsonNodes always serializes; only a broken custom POJONode could land here.
      throw new IllegalStateException("cannot serialize event data", e);
    }
  }

  static long jsonBytes(JsonNode node) {
    return Utf8.length(json(node));
  }

  /** @return the preview of {@code s}: its first {@code maxChars} UTF-16 units (one fewer rather than half a pair) + the suffix */
  static String preview(String s, int maxChars) {
    int end = maxChars;
    if (Character.isHighSurrogate(s.charAt(end - 1)) && Character.isLowSurrogate(s.charAt(end))) {
      end--;
    }
    return s.substring(0, end) + TRUNCATION_SUFFIX;
  }

  /**
   * @return {@code {"artifact_summary":{"original_type":"object","key_count":N,"preview_keys":[≤8 keys]}}}, or for
   *     arrays {@code {"artifact_summary":{"original_type":"array","item_count":N,"preview":[first 3 items]}}}
   *     (the TS server's key names)
   */
  static ObjectNode summary(ContainerNode<?> value) {
    ObjectNode wrapper = MAPPER.createObjectNode();
    ObjectNode summary = wrapper.putObject("artifact_summary");
    if (value instanceof ArrayNode array) {
      summary.put("original_type", "array");
      summary.put("item_count", array.size());
      ArrayNode items = summary.putArray("preview");
      for (int i = 0; i < Math.min(SUMMARY_PREVIEW_ITEMS, array.size()); i++) {
        items.add(array.get(i).deepCopy());
      }
    } else {
      summary.put("original_type", "object");
      summary.put("key_count", value.size());
      ArrayNode keys = summary.putArray("preview_keys");
      Iterator<String> names = value.fieldNames();
      for (int i = 0; i < SUMMARY_PREVIEW_KEYS && names.hasNext(); i++) {
        keys.add(names.next());
      }
    }
    return wrapper;
  }

  private static Map<String, Integer> orderedMap(Object... pairs) {
    Map<String, Integer> map = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put((String) pairs[i], (Integer) pairs[i + 1]);
    }
    return Collections.unmodifiableMap(map);
  }

  /** A value the aggressive pass may take, with its size (UTF-8 bytes of a string, or of an object's JSON). */
  record Candidate(String pointer, Slot slot, long size) {
  }

  /** The mutable state of one {@link #sanitize} call. */
  private static final class Extraction {
    private final ObjectNode data;
    private final long seq;
    private final String eventType;
    private final List<ArtifactField> fields = new ArrayList<>();
    private final Set<String> extracted = new HashSet<>();
    private ObjectNode refs;

    Extraction(long seq, String eventType, ObjectNode data) {
      this.data = data;
      this.seq = seq;
      this.eventType = eventType;
    }

    void extractKnown(String pointer, int previewChars) {
      JsonPointers.locate(data, KNOWN_TOKENS.get(pointer), pointer)
          .ifPresent(slot -> extract(slot, pointer, previewChars, OBJECT_INLINE_THRESHOLD_BYTES));
    }

    /** @return true if the value was moved out (a string longer than the preview, or JSON above the threshold) */
    boolean extract(Slot slot, String pointer, int previewChars, int objectThresholdBytes) {
      if (extracted.contains(pointer)) {
        return false;
      }
      JsonNode value = slot.get();
      if (value != null && value.isTextual()) {
        String text = value.textValue();
        if (text.length() <= previewChars) {
          return false;
        }
        slot.set(TextNode.valueOf(preview(text, previewChars)));
        record(pointer, "text/plain", Utf8.encode(text), text.length());
        return true;
      }
      if (value instanceof ContainerNode<?> container) {
        byte[] content = Utf8.encode(json(container));
        if (content.length <= objectThresholdBytes) {
          return false;
        }
        slot.set(summary(container));
        record(pointer, "application/json", content, -1);
        return true;
      }
      return false;
    }

    private void record(String pointer, String mime, byte[] content, long totalChars) {
      extracted.add(pointer);
      fields.add(new ArtifactField(pointer, mime, content, totalChars));
      if (refs == null) {
        refs = MAPPER.createObjectNode();
        data.set(ARTIFACT_REFS, refs); // replaces a stale incoming value in place, else goes last
      }
      ObjectNode ref = refs.putObject(pointer);
      ref.put("field_path", pointer);
      ref.put("relpath", ArtifactManifest.relpath(seq, eventType));
      ref.put("mime", mime);
      ref.put("encoding", "utf-8");
      ref.put("total_bytes", content.length);
      if (totalChars >= 0) {
        // an int when it fits, as Jackson parses it, so a stored event read back compares equal
        if (totalChars <= Integer.MAX_VALUE) {
          ref.put("total_chars", (int) totalChars);
        } else {
          ref.put("total_chars", totalChars);
        }
      }
      ref.put("chunk_count", ArtifactManifest.chunkCount(content.length));
      ref.put("truncated", true);
    }

    long dataBytes() {
      return jsonBytes(data);
    }

    /** @return the largest extractable value, the first in document order among equals; null if none */
    Candidate largestCandidate() {
      Candidate[] best = new Candidate[1];
      visitChildren(data, "", candidate -> {
        if (best[0] == null || candidate.size() > best[0].size()) {
          best[0] = candidate;
        }
      });
      return best[0];
    }

    private void visitChildren(ContainerNode<?> container, String pointer, Consumer<Candidate> sink) {
      if (container instanceof ObjectNode object) {
        Iterator<Map.Entry<String, JsonNode>> entries = object.properties().iterator();
        while (entries.hasNext()) {
          Map.Entry<String, JsonNode> entry = entries.next();
          if (!PROTECTED_KEYS.contains(entry.getKey())) {
            visit(Slot.field(object, entry.getKey()), entry.getValue(),
                pointer + "/" + JsonPointers.escape(entry.getKey()), sink);
          }
        }
      } else {
        ArrayNode array = (ArrayNode) container;
        for (int i = 0; i < array.size(); i++) {
          visit(Slot.item(array, i), array.get(i), pointer + "/" + i, sink);
        }
      }
    }

    private void visit(Slot slot, JsonNode value, String pointer, Consumer<Candidate> sink) {
      boolean open = !extracted.contains(pointer);
      if (value.isTextual()) {
        String text = value.textValue();
        long size = Utf8.length(text);
        if (open && size > AGGRESSIVE_STRING_MIN_BYTES && text.length() > AGGRESSIVE_TEXT_PREVIEW_CHARS) {
          sink.accept(new Candidate(pointer, slot, size));
        }
      } else if (value instanceof ContainerNode<?> container) {
        long size = jsonBytes(container);
        if (open && size > AGGRESSIVE_OBJECT_THRESHOLD_BYTES) {
          sink.accept(new Candidate(pointer, slot, size));
        }
        visitChildren(container, pointer, sink);
      }
    }
  }
}
