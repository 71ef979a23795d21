package dev.orch.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCMessage;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCNotification;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

@DisplayName("The benchmark's block-reading MCP stdio client transport")
class LineClientTransportTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  @Test
  @DisplayName("hands over every line as one SDK message, whole, however the lines fall across 64 KiB reads:"
      + " long lines, multi-byte characters cut by a read, several lines in one read, blank lines skipped")
  void framesLinesAcrossReads() throws Exception {
    List<String> texts = new ArrayList<>();
    texts.add("é€😀\"\\\n\t".repeat(30_000)); // ~ 0.5 MB on the wire, escapes and 2-, 3- and 4-byte characters
    for (int i = 0; i < 50; i++) {
      texts.add("short " + i + " ü");
    }
    texts.add("x".repeat(65_536 - 60)); // ends near a block edge
    texts.add("€".repeat(100_000));
    StringBuilder wire = new StringBuilder();
    for (String t : texts) {
      ObjectNode n = JSON.createObjectNode().put("jsonrpc", "2.0").put("method", "notifications/message");
      n.putObject("params").put("data", t);
      wire.append(JSON.writeValueAsString(n)).append('\n');
      if (t.startsWith("short 7")) {
        wire.append("\n   \n");
      }
    }
    Path file = tmp.resolve("lines.jsonl");
    Files.writeString(file, wire, StandardCharsets.UTF_8);

    List<JSONRPCMessage> got = new CopyOnWriteArrayList<>();
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    LineClientTransport transport = new LineClientTransport(List.of("cat", file.toString()), Map.of(),
        new JacksonMcpJsonMapper(JSON), line -> { });
    transport.setExceptionHandler(errors::add);
    transport.connect(m -> m.doOnNext(got::add).then(Mono.empty())).block();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (got.size() < texts.size() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    transport.closeGracefully().block();

    assertThat(errors).isEmpty();
    assertThat(got).hasSize(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      JSONRPCNotification n = (JSONRPCNotification) got.get(i);
      assertThat(n.method()).isEqualTo("notifications/message");
      assertThat(((Map<?, ?>) n.params()).get("data")).as("message %d", i).isEqualTo(texts.get(i));
    }
  }
}
