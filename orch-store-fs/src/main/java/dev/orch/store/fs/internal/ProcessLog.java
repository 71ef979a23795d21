package dev.orch.store.fs.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.Timestamps;
import dev.orch.core.spi.ProcessRef;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code runs/<run_id>/processes.jsonl}: one line {@code {"pid", "started_at"}} per child process of the run,
 * appended durably so a later process can kill the children of a dead owner (SPEC §10).
 */
public final class ProcessLog {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessLog.class);

  private ProcessLog() {
  }

  /** Appends one line and fsyncs it. @throws IOException on write failure */
  public static void append(Path file, ProcessRef process) throws IOException {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("pid", process.pid());
    n.put("started_at", process.startedAt() == null ? null : Timestamps.format(process.startedAt()));
    Files.createDirectories(file.getParent());
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND)) {
      AtomicFiles.writeFully(ch, ByteBuffer.wrap(JsonSupport.line(n)));
      ch.force(false);
    }
  }

  /** @return the recorded processes; incomplete and malformed lines are skipped. @throws IOException on read failure */
  public static List<ProcessRef> read(Path file) throws IOException {
    List<ProcessRef> out = new ArrayList<>();
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return out;
    }
    int from = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] != '\n') {
        continue;
      }
      if (i > from) {
        try {
          JsonNode n = JsonSupport.parse(bytes, from, i - from);
          String started = RunJson.text(n, "started_at");
          if (!n.path("pid").canConvertToLong()) {
            throw new IOException("no pid");
          }
          out.add(new ProcessRef(n.get("pid").asLong(), started == null ? null : Timestamps.parse(started)));
        } catch (IOException | IllegalArgumentException e) {
          LOG.warn("skipping malformed line of {}: {}", file, e.getMessage());
        }
      }
      from = i + 1;
    }
    return out;
  }
}
