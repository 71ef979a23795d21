package dev.orch.core.internal.sanitize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.spi.ArtifactField;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SanitizerTest {
  private static final JsonMapper MAPPER = JsonMapper.builder().build();
  private final Sanitizer sanitizer = new Sanitizer();

  /** The stored line as the engine writes it, with real-length ids and timestamp. */
  private static long storedLineBytes(long seq, String type, JsonNode data) throws Exception {
    ObjectNode event = MAPPER.createObjectNode();
    event.put("seq", seq);
    event.put("ts", "2026-11-21T19:35:36.160Z");
    event.put("run_id", "1bf2731e-f4f7-48ef-a4b4-9e95f0e08fd2");
    event.put("session_id", "8180bd65-e8c3-4046-aa9d-672bba9ca66d");
    event.put("backend", "claude_code");
    event.put("type", type);
    event.set("data", data);
    return MAPPER.writeValueAsBytes(event).length;
  }

  private static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("A small event passes through unchanged, without artifact_refs, and the input is not modified")
  void smallEventUnchanged() throws Exception {
    ObjectNode data = (ObjectNode) MAPPER.readTree(
        "{\"command\":\"ls\",\"output\":\"" + "o".repeat(4000) + "\",\"status\":\"completed\",\"exit_code\":0,"
            + "\"content\":\"" + "c".repeat(2000) + "\",\"result\":{\"k\":[1,2,3]},\"nested\":{\"x\":null}}");
    ObjectNode before = data.deepCopy();

    Sanitized result = sanitizer.sanitize(3, "command_finished", data);

    assertThat(result.data()).isEqualTo(before).isNotSameAs(data);
    assertThat(result.data().has("artifact_refs")).isFalse();
    assertThat(result.fields()).isEmpty();
    assertThat(data).isEqualTo(before);
  }

  @Test
  @DisplayName("Known text paths are cut at 4000 or 2000 characters, nested /input paths included, refs in pass order")
  void knownTextPaths() {
    ObjectNode data = MAPPER.createObjectNode();
    data.put("text", "t".repeat(2001));
    data.putObject("input").put("old_string", "o".repeat(2500)).put("new_string", "short");
    data.put("stderr", "e".repeat(4001));

    Sanitized result = sanitizer.sanitize(12, "tool_started", data);

    assertThat(result.data().get("stderr").asText()).isEqualTo("e".repeat(4000) + Sanitizer.TRUNCATION_SUFFIX);
    assertThat(result.data().get("text").asText()).isEqualTo("t".repeat(2000) + Sanitizer.TRUNCATION_SUFFIX);
    assertThat(result.data().at("/input/old_string").asText()).isEqualTo("o".repeat(2000) + Sanitizer.TRUNCATION_SUFFIX);
    assertThat(result.data().at("/input/new_string").asText()).isEqualTo("short");
    assertThat(result.fields()).extracting(ArtifactField::pointer)
        .containsExactly("/stderr", "/text", "/input/old_string");
    assertThat(result.data().get("artifact_refs").fieldNames()).toIterable()
        .containsExactly("/stderr", "/text", "/input/old_string");
    JsonNode ref = result.data().at("/artifact_refs/~1input~1old_string");
    assertThat(ref.get("relpath").asText()).isEqualTo("artifacts/000012-tool_started/manifest.json");
    assertThat(ref.get("total_bytes").asLong()).isEqualTo(2500);
    assertThat(result.fields().get(2).fileStem()).isEqualTo("input.old_string");
  }

  @Test
  @DisplayName("Large objects and arrays on structured paths become summaries; their compact JSON is the artifact")
  void structuredSummaries() throws Exception {
    ObjectNode data = MAPPER.createObjectNode();
    ObjectNode arguments = data.putObject("arguments");
    for (int i = 0; i < 12; i++) {
      arguments.put("key" + i, "v".repeat(400));
    }
    ArrayNode changes = data.putArray("changes");
    for (int i = 0; i < 10; i++) {
      changes.addObject().put("path", "src/file" + i + ".txt").put("diff", "d".repeat(500));
    }
    data.putArray("error").add("small");
    data.put("result", "r".repeat(2001));

    Sanitized result = sanitizer.sanitize(4, "tool_finished", data);

    assertThat(result.data().get("arguments")).isEqualTo(MAPPER.readTree("{\"artifact_summary\":{\"original_type\":"
        + "\"object\",\"key_count\":12,\"preview_keys\":[\"key0\",\"key1\",\"key2\",\"key3\",\"key4\",\"key5\","
        + "\"key6\",\"key7\"]}}"));
    JsonNode changesSummary = result.data().get("changes").get("artifact_summary");
    assertThat(changesSummary.get("original_type").asText()).isEqualTo("array");
    assertThat(changesSummary.get("item_count").asInt()).isEqualTo(10);
    assertThat(changesSummary.get("preview")).containsExactly(changes.get(0), changes.get(1), changes.get(2));
    assertThat(result.data().get("error")).isEqualTo(data.get("error"));
    assertThat(result.data().get("result").asText()).isEqualTo("r".repeat(2000) + Sanitizer.TRUNCATION_SUFFIX);

    assertThat(result.fields()).extracting(ArtifactField::pointer).containsExactly("/arguments", "/result", "/changes");
    ArtifactField args = result.fields().get(0);
    assertThat(args.mime()).isEqualTo("application/json");
    assertThat(args.totalChars()).isEqualTo(-1);
    assertThat(args.content()).isEqualTo(MAPPER.writeValueAsBytes(arguments));
    assertThat(result.data().at("/artifact_refs/~1arguments").has("total_chars")).isFalse();
  }

  @Test
  @DisplayName("A 200 KB single-line string at an unknown path is taken by the aggressive pass, whole, byte for byte")
  void aggressivePassTakesHugeUnknownString() throws Exception {
    String huge = hugeLine();
    ObjectNode data = MAPPER.createObjectNode();
    data.put("tool", "WebFetch");
    data.put("html", huge);

    Sanitized result = sanitizer.sanitize(9, "tool_finished", data);

    assertThat(storedLineBytes(9, "tool_finished", result.data())).isLessThanOrEqualTo(Sanitizer.EVENT_TARGET_BYTES);
    assertThat(result.fields()).hasSize(1);
    ArtifactField field = result.fields().get(0);
    assertThat(field.pointer()).isEqualTo("/html");
    assertThat(field.mime()).isEqualTo("text/plain");
    assertThat(field.content()).isEqualTo(huge.getBytes(StandardCharsets.UTF_8));
    assertThat(field.totalChars()).isEqualTo(huge.length());
    assertThat(result.data().get("html").asText()).isEqualTo(huge.substring(0, 1000) + Sanitizer.TRUNCATION_SUFFIX);
    assertThat(result.data().at("/artifact_refs/~1html/chunk_count").asInt())
        .isEqualTo((huge.length() + 65535) / 65536);
  }

  @Test
  @DisplayName("Largest first, as in the TS server: a huge nested string moves out inside its enclosing object")
  void aggressivePassTakesEnclosingObject() throws Exception {
    String huge = hugeLine();
    ObjectNode data = MAPPER.createObjectNode();
    ObjectNode response = data.putObject("response");
    response.put("code", 200);
    response.putObject("body").put("html", huge);

    Sanitized result = sanitizer.sanitize(9, "tool_finished", data);

    assertThat(storedLineBytes(9, "tool_finished", result.data())).isLessThanOrEqualTo(Sanitizer.EVENT_TARGET_BYTES);
    assertThat(result.fields()).extracting(ArtifactField::pointer).containsExactly("/response");
    assertThat(result.fields().get(0).content()).isEqualTo(MAPPER.writeValueAsBytes(response));
    assertThat(result.data().get("response")).isEqualTo(MAPPER.readTree(
        "{\"artifact_summary\":{\"original_type\":\"object\",\"key_count\":2,\"preview_keys\":[\"code\",\"body\"]}}"));
  }

  private static String hugeLine() {
    StringBuilder huge = new StringBuilder();
    while (huge.length() < 200 * 1024) {
      huge.append("0123456789abcdef ");
    }
    return huge.toString();
  }

  @Test
  @DisplayName("The aggressive pass takes the largest value first and stops as soon as the event fits")
  void aggressivePassLargestFirst() {
    ObjectNode data = MAPPER.createObjectNode();
    data.put("a", "a".repeat(3000));
    ArrayNode items = data.putArray("items");
    for (int i = 0; i < 40; i++) {
      items.addObject().put("id", i).put("note", "n".repeat(180)); // about 8 KB of JSON
    }
    data.put("b", "b".repeat(7000));

    Sanitized result = sanitizer.sanitize(2, "todo_updated", data);

    assertThat(result.fields()).extracting(ArtifactField::pointer).containsExactly("/items");
    assertThat(result.data().at("/items/artifact_summary/item_count").asInt()).isEqualTo(40);
    assertThat(result.data().get("a")).isEqualTo(data.get("a"));
    assertThat(result.data().get("b")).isEqualTo(data.get("b"));
  }

  @Test
  @DisplayName("The target counts the whole stored line: data just under 16384 bytes is still trimmed for the envelope")
  void targetCountsEnvelope() throws Exception {
    ObjectNode data = MAPPER.createObjectNode();
    data.put("blob", "z".repeat(16384 - 20));
    assertThat(MAPPER.writeValueAsBytes(data).length).isLessThan(Sanitizer.EVENT_TARGET_BYTES);

    Sanitized result = sanitizer.sanitize(1, "reasoning", data);

    assertThat(result.fields()).extracting(ArtifactField::pointer).containsExactly("/blob");
    assertThat(storedLineBytes(1, "reasoning", result.data())).isLessThanOrEqualTo(Sanitizer.EVENT_TARGET_BYTES);
  }

  @Test
  @DisplayName("Previews never cut a surrogate pair; lengths count UTF-16 units like JavaScript; CJK stays whole")
  void multiBytePreviews() {
    String emojiAtCut = "a".repeat(3999) + "\uD83D\uDE00".repeat(10);
    String cjk = "漢字かな".repeat(625); // 2500 chars, 7500 bytes
    String oddEmoji = "x" + "\uD83C\uDF89".repeat(60_000); // aggressive pass, cut at 1000 would split pair 500
    ObjectNode data = MAPPER.createObjectNode();
    data.put("stdout", emojiAtCut);
    data.put("content", cjk);
    data.put("party", oddEmoji);

    Sanitized result = sanitizer.sanitize(5, "agent_message", data);

    assertThat(result.data().get("stdout").asText()).isEqualTo("a".repeat(3999) + Sanitizer.TRUNCATION_SUFFIX);
    assertThat(result.data().get("content").asText()).isEqualTo(cjk.substring(0, 2000) + Sanitizer.TRUNCATION_SUFFIX);
    assertThat(result.data().get("party").asText()).isEqualTo(oddEmoji.substring(0, 999) + Sanitizer.TRUNCATION_SUFFIX);
    assertThat(result.data().at("/artifact_refs/~1stdout/total_chars").asLong()).isEqualTo(3999 + 20);
    assertThat(result.data().at("/artifact_refs/~1stdout/total_bytes").asLong()).isEqualTo(3999 + 40);
    assertThat(result.data().at("/artifact_refs/~1content/total_bytes").asLong()).isEqualTo(7500);
    assertThat(result.data().at("/artifact_refs/~1party/total_chars").asLong()).isEqualTo(120_001);
    for (ArtifactField field : result.fields()) {
      String preview = result.data().at(field.pointer()).asText();
      String kept = preview.substring(0, preview.length() - Sanitizer.TRUNCATION_SUFFIX.length());
      assertThat(utf8(field.content())).startsWith(kept);
      assertThat(kept.getBytes(StandardCharsets.UTF_8)).isEqualTo(
          Arrays.copyOf(field.content(), kept.getBytes(StandardCharsets.UTF_8).length));
      assertThat(kept.chars().filter(c -> Character.isSurrogate((char) c)).count() % 2).isZero();
    }
  }

  @Test
  @DisplayName("A string is extracted only when it has more characters than its preview, not merely more bytes")
  void charactersDecideExtraction() {
    String shortCjk = "漢".repeat(1500); // 4500 bytes, 1500 chars: its 2000-char preview would be the whole string
    ObjectNode data = MAPPER.createObjectNode();
    data.put("text", shortCjk);

    Sanitized result = sanitizer.sanitize(5, "agent_message", data);

    assertThat(result.data().get("text").asText()).isEqualTo(shortCjk);
    assertThat(result.fields()).isEmpty();
  }

  @Test
  @DisplayName("Pointers escape '~' as ~0 and '/' as ~1 in field_path, refs keys and file stems")
  void pointerEscaping() {
    ObjectNode data = MAPPER.createObjectNode();
    data.put("src/a~b.txt", "q".repeat(20_000));

    Sanitized result = sanitizer.sanitize(7, "file_changed", data);

    ArtifactField field = result.fields().get(0);
    assertThat(field.pointer()).isEqualTo("/src~1a~0b.txt");
    assertThat(field.fileStem()).isEqualTo("src~1a~0b.txt");
    assertThat(result.data().get("artifact_refs").get("/src~1a~0b.txt").get("field_path").asText())
        .isEqualTo("/src~1a~0b.txt");
    assertThat(result.data().get("src/a~b.txt").asText()).endsWith(Sanitizer.TRUNCATION_SUFFIX);
    assertThat(JsonPointers.parse(field.pointer())).containsExactly("src/a~b.txt");
    assertThat(JsonPointers.parse("/a~1b/c~0d/0")).containsExactly("a/b", "c~d", "0");
    assertThat(JsonPointers.escape("~1/")).isEqualTo("~01~1");
    assertThat(JsonPointers.unescape("~01~1")).isEqualTo("~1/");
  }

  @Test
  @DisplayName("Never-extracted keys survive even when huge; nested ones are never cut, at most carried whole by their parent")
  void protectedKeysSurvive() throws Exception {
    ObjectNode data = MAPPER.createObjectNode();
    data.put("command", "c".repeat(30_000));
    data.put("tool_use_id", "i".repeat(20_000));
    ObjectNode input = data.putObject("input");
    input.put("command", "n".repeat(3_000)).put("description", "d".repeat(2_000));
    data.putObject("tool").put("schema", "s".repeat(5_000));
    data.putObject("artifact_refs").put("stale", "r".repeat(5_000));
    data.put("notes", "x".repeat(6_000));
    ObjectNode before = data.deepCopy();

    Sanitized result = sanitizer.sanitize(8, "command_started", data);

    assertThat(result.data().get("command")).isEqualTo(before.get("command"));
    assertThat(result.data().get("tool_use_id")).isEqualTo(before.get("tool_use_id"));
    assertThat(result.data().get("tool")).isEqualTo(before.get("tool"));
    assertThat(result.fields()).extracting(ArtifactField::pointer).containsExactly("/notes", "/input");
    assertThat(MAPPER.readTree(result.fields().get(1).content())).isEqualTo(input);
    assertThat(result.data().get("artifact_refs").fieldNames()).toIterable().containsExactly("/notes", "/input");
    assertThat(Sanitizer.PROTECTED_KEYS).hasSize(16);
  }

  @Test
  @DisplayName("Sanitizing is deterministic and rejects a bad seq or event type")
  void deterministicAndValidated() {
    ObjectNode data = MAPPER.createObjectNode();
    data.put("output", "x".repeat(50_000));
    data.putArray("list").add("y".repeat(3_000)).add("z".repeat(30_000));

    Sanitized first = sanitizer.sanitize(1, "command_finished", data);
    Sanitized second = new Sanitizer().sanitize(1, "command_finished", data);

    assertThat(first.data()).isEqualTo(second.data());
    assertThat(first.fields()).hasSameSizeAs(second.fields());
    for (int i = 0; i < first.fields().size(); i++) {
      assertThat(first.fields().get(i).content()).isEqualTo(second.fields().get(i).content());
    }
    assertThatThrownBy(() -> sanitizer.sanitize(0, "x", data)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> sanitizer.sanitize(1, " ", data)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> sanitizer.sanitize(1, "x", null)).isInstanceOf(NullPointerException.class);
  }
}
