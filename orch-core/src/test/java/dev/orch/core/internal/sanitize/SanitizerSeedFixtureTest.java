package dev.orch.core.internal.sanitize;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.orch.core.spi.ArtifactField;
import dev.orch.core.testing.Peers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The seed store written by the TS server is the ground truth: rebuilding the original data of its seq-6
 * events from their artifacts and sanitizing it again must give back the stored event and artifact bytes.
 */
class SanitizerSeedFixtureTest {
  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"codex-run", "claude-run"})
  @DisplayName("Sanitizing the rebuilt original of a seed event gives the TS server's event data and artifact bytes")
  void reproducesSeedEvent(String run) throws IOException {
    Path runDir = Peers.fixtures().resolve("seed-store").resolve(run);
    JsonNode event = MAPPER.readTree(Files.readAllLines(runDir.resolve("events.jsonl")).get(5));
    assertThat(event.get("seq").asLong()).isEqualTo(6);
    String type = event.get("type").asText();
    ObjectNode stored = (ObjectNode) event.get("data");
    Path artifactDir = runDir.resolve("artifacts").resolve("000006-" + type);
    JsonNode manifest = MAPPER.readTree(artifactDir.resolve("manifest.json").toFile());

    ObjectNode original = rebuildOriginal(stored, manifest, artifactDir);
    ObjectNode input = original.deepCopy();
    Sanitized result = new Sanitizer().sanitize(6, type, original);

    assertThat(original).as("input untouched").isEqualTo(input);
    assertThat(result.data()).isEqualTo(stored);
    assertThat(list(result.data().fieldNames()))
        .as("key order, artifact_refs last").containsExactlyElementsOf(list(stored.fieldNames()));
    assertThat(MAPPER.writeValueAsString(result.data().get("artifact_refs")))
        .as("artifact_refs serialized byte for byte, key order included")
        .isEqualTo(MAPPER.writeValueAsString(stored.get("artifact_refs")));

    List<String> pointers = new ArrayList<>();
    manifest.get("fields").fieldNames().forEachRemaining(pointers::add);
    assertThat(result.fields()).extracting(ArtifactField::pointer).containsExactlyElementsOf(pointers);
    for (ArtifactField field : result.fields()) {
      JsonNode entry = manifest.get("fields").get(field.pointer());
      assertThat(entry.get("chunks")).hasSize(1);
      byte[] chunk = Files.readAllBytes(artifactDir.resolve(entry.get("chunks").get(0).get("file").asText()));
      assertThat(field.content()).as(field.pointer()).isEqualTo(chunk);
      assertThat(field.fileStem() + (field.mime().equals("application/json") ? ".0001.json" : ".0001.txt"))
          .isEqualTo(entry.get("chunks").get(0).get("file").asText());
      assertThat(field.mime()).isEqualTo(entry.get("mime").asText());
      assertThat(field.totalChars()).isEqualTo(entry.has("total_chars") ? entry.get("total_chars").asLong() : -1);
    }
  }

  /** Puts each artifact's full value back at its pointer and drops artifact_refs. */
  private static ObjectNode rebuildOriginal(ObjectNode stored, JsonNode manifest, Path artifactDir) throws IOException {
    ObjectNode original = stored.deepCopy();
    original.remove("artifact_refs");
    Iterator<Map.Entry<String, JsonNode>> fields = manifest.get("fields").properties().iterator();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      byte[] bytes = Files.readAllBytes(artifactDir.resolve(field.getValue().get("chunks").get(0).get("file").asText()));
      JsonNode value = field.getValue().get("mime").asText().equals("application/json")
          ? MAPPER.readTree(bytes) : TextNode.valueOf(new String(bytes, StandardCharsets.UTF_8));
      JsonPointers.locate(original, field.getKey()).orElseThrow().set(value);
    }
    return original;
  }

  private static <T> List<T> list(Iterator<T> iterator) {
    List<T> list = new ArrayList<>();
    iterator.forEachRemaining(list::add);
    return list;
  }
}
