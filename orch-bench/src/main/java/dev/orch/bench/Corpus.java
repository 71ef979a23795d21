package dev.orch.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The big stores of issue 8 item 4, grown on disk from small template runs that a real server wrote (so every file
 * has the server's own format), while no server runs:
 * <ul>
 *   <li>{@link #copyRuns}: one cwd with many runs, each a copy of a template run directory with a new run id
 *       (one in every {@code count / 100} marked {@code failed}: the 100 runs list_runs is asked for);</li>
 *   <li>{@link #extendEvents}: a run whose {@code events.jsonl} is regenerated with many events (agent messages
 *       between the template's first events and its terminal event) and whose run.json names the new last seq;</li>
 *   <li>{@link #growArtifact}: a run whose command output artifact is regrown to a given size in 64 KiB chunks, its
 *       manifest and event updated.</li>
 * </ul>
 * Writing them through the store API would fsync every file (minutes for 100 000 runs); copying is what a store
 * written by an older Orch or by the TS server looks like to a new process: run directories without any index.
 */
final class Corpus {
  /** The per-cwd store directory (SPEC §6 default). */
  static final String STORE_DIR = ".nanobot-orchestrator";
  private static final ObjectMapper JSON = new ObjectMapper();

  private Corpus() {
  }

  /** @return {@code <cwd>/.nanobot-orchestrator/runs/<runId>} */
  static Path runDir(Path cwd, String runId) {
    return cwd.resolve(STORE_DIR).resolve("runs").resolve(runId);
  }

  /**
   * Copies the template run {@code count - 1} times into its own cwd (the template is the count-th run); every
   * {@code max(1, count / 100)}-th copy is marked failed.
   *
   * @return how many copies are marked failed
   */
  static int copyRuns(Path cwd, String templateId, int count) throws IOException {
    Path template = runDir(cwd, templateId);
    String runJson = Files.readString(template.resolve("run.json"));
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(template, Files::isRegularFile)) {
      ds.forEach(files::add);
    }
    List<byte[]> contents = new ArrayList<>();
    for (Path f : files) {
      contents.add(Files.readAllBytes(f));
    }
    int failed = 0;
    int every = Math.max(1, count / 100);
    for (int i = 1; i < count; i++) {
      String id = UUID.randomUUID().toString();
      Path dir = Files.createDirectory(template.resolveSibling(id));
      for (int f = 0; f < files.size(); f++) {
        String name = files.get(f).getFileName().toString();
        if (name.equals("run.json")) {
          String json = runJson.replace(templateId, id);
          if (i % every == 0) {
            json = json.replaceFirst("\"status\"\\s*:\\s*\"completed\"", "\"status\" : \"failed\"");
            failed++;
          }
          Files.writeString(dir.resolve(name), json);
        } else if (!name.startsWith(".")) {
          Files.write(dir.resolve(name), new String(contents.get(f), StandardCharsets.UTF_8).replace(templateId, id)
              .getBytes(StandardCharsets.UTF_8));
        }
      }
    }
    return failed;
  }

  /**
   * Rewrites the template run's events.jsonl with {@code total} events: the template's events before its
   * terminal one, agent messages up to seq {@code total - 1}, then the terminal event as seq {@code total}; sets
   * {@code lastSeq} in run.json.
   */
  static void extendEvents(Path cwd, String runId, int total) throws IOException {
    Path dir = runDir(cwd, runId);
    List<String> lines = Files.readAllLines(dir.resolve("events.jsonl"));
    String last = lines.get(lines.size() - 1);
    List<String> head = lines.subList(0, lines.size() - 1);
    String message = head.stream().filter(l -> l.contains("\"type\":\"agent_message\"")).findFirst()
        .orElseThrow(() -> new IllegalStateException("the template run has no agent_message"));
    String messageRest = message.substring(message.indexOf(','));
    String lastRest = last.substring(last.indexOf(','));
    Path tmp = dir.resolve("events.jsonl.bench");
    try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      for (String l : head) {
        w.write(l);
        w.write('\n');
      }
      for (long seq = head.size() + 1; seq < total; seq++) {
        w.write("{\"seq\":");
        w.write(Long.toString(seq));
        w.write(messageRest);
        w.write('\n');
      }
      w.write("{\"seq\":" + total + lastRest + "\n");
    }
    Files.move(tmp, dir.resolve("events.jsonl"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    ObjectNode run = (ObjectNode) JSON.readTree(dir.resolve("run.json").toFile());
    run.put("lastSeq", total);
    JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("run.json").toFile(), run);
  }

  /** An artifact grown by {@link #growArtifact}. */
  record Artifact(long seq, String fieldPath, long totalBytes, Path directory) {
  }

  /**
   * Regrows the first artifact field of the run to {@code bytes} bytes of text (ASCII log lines) in chunks of
   * 64 KiB named like the store names them, then rewrites the manifest and the event's {@code artifact_refs}.
   */
  static Artifact growArtifact(Path cwd, String runId, long bytes) throws IOException {
    Path dir = runDir(cwd, runId);
    Path artifactDir;
    try (Stream<Path> s = Files.list(dir.resolve("artifacts"))) {
      artifactDir = s.filter(Files::isDirectory).sorted().findFirst()
          .orElseThrow(() -> new IllegalStateException("the template run has no artifact"));
    }
    ObjectNode manifest = (ObjectNode) JSON.readTree(artifactDir.resolve("manifest.json").toFile());
    String pointer = manifest.path("fields").fieldNames().next();
    ObjectNode field = (ObjectNode) manifest.path("fields").get(pointer);
    String first = field.path("chunks").get(0).path("file").asText();
    String stem = first.substring(0, first.length() - ".0001.txt".length());
    byte[] chunk = chunkText();
    int count = (int) ((bytes + chunk.length - 1) / chunk.length);
    ArrayNode chunks = JSON.createArrayNode();
    for (int i = 1; i <= count; i++) {
      String name = String.format("%s.%04d.txt", stem, i);
      int len = (int) Math.min(chunk.length, bytes - (long) (i - 1) * chunk.length);
      try (OutputStream out = Files.newOutputStream(artifactDir.resolve(name))) {
        out.write(chunk, 0, len);
      }
      chunks.addObject().put("file", name).put("bytes", len);
    }
    field.put("total_bytes", bytes).put("total_chars", bytes).put("chunk_count", count).set("chunks", chunks);
    JSON.writerWithDefaultPrettyPrinter().writeValue(artifactDir.resolve("manifest.json").toFile(), manifest);
    long seq = manifest.path("seq").asLong();
    Path events = dir.resolve("events.jsonl");
    List<String> lines = new ArrayList<>(Files.readAllLines(events));
    for (int i = 0; i < lines.size(); i++) {
      JsonNode e = JSON.readTree(lines.get(i));
      if (e.path("seq").asLong() == seq && e.path("data").path("artifact_refs").has(pointer)) {
        ObjectNode ref = (ObjectNode) e.path("data").path("artifact_refs").get(pointer);
        ref.put("total_bytes", bytes).put("total_chars", bytes).put("chunk_count", count);
        lines.set(i, JSON.writeValueAsString(e));
      }
    }
    Files.write(events, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
    return new Artifact(seq, pointer, bytes, artifactDir);
  }

  /** @return 64 KiB of numbered ASCII log lines */
  private static byte[] chunkText() {
    byte[] out = new byte[65536];
    byte[] line = "build step 0000: compiling module sources, 42 files, no warnings so far......\n"
        .getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < out.length; i++) {
      out[i] = line[i % line.length];
    }
    return out;
  }
}
