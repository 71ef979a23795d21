package dev.orch.store.fs.internal;

import dev.orch.core.OrchException;
import dev.orch.core.spi.InboxMessage;
import dev.orch.core.spi.SessionRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Session files and inboxes inside one {@code sessions/} directory (SPEC §2 agent names, tools 9–10; SPEC §6).
 * Agent names are allocated under the cross-process lock {@code sessions/.lock}; inbox seqs under a lock on the
 * inbox file itself. Malformed session files are skipped with a warning. Stateless apart from the shared reader.
 */
public final class SessionFiles {
  private static final Logger LOG = LoggerFactory.getLogger(SessionFiles.class);
  private static final String JSON = ".json";
  private static final String INBOX = ".inbox.jsonl";

  private final SeqLineReader reader;

  /** @param reader the shared JSONL reader (its cursors make inbox polling cheap) */
  public SessionFiles(SeqLineReader reader) {
    this.reader = reader;
  }

  /**
   * Chooses the agent name and saves the session the factory builds, atomically across processes.
   *
   * @param dir the {@code sessions/} directory of the cwd
   * @param nickname requested name or null/blank
   * @return the saved session
   * @throws OrchException CONFLICT {@code Agent name is already in use: <n>}; STORE on I/O failure
   */
  public SessionRecord create(Path dir, String nickname, Function<String, SessionRecord> factory) {
    Path lock = dir.resolve(".lock");
    try {
      return FileLocks.withLock(lock, ch -> {
        Set<String> taken = new HashSet<>();
        for (SessionRecord s : list(dir)) {
          taken.add(s.agentName());
        }
        String name = chooseName(nickname, taken);
        SessionRecord session = factory.apply(name);
        save(dir, session);
        return session;
      });
    } catch (IOException e) {
      throw StoreErrors.io("cannot lock", lock, e);
    }
  }

  /** @return the trimmed nickname if free, else the smallest free {@code agent<N>}, N ≥ 1 */
  static String chooseName(String nickname, Set<String> taken) {
    String wanted = nickname == null ? "" : nickname.trim();
    if (!wanted.isEmpty()) {
      if (taken.contains(wanted)) {
        throw OrchException.conflict("Agent name is already in use: " + wanted);
      }
      return wanted;
    }
    for (int n = 1; ; n++) {
      String candidate = "agent" + n;
      if (!taken.contains(candidate)) {
        return candidate;
      }
    }
  }

  /** Replaces {@code <dir>/<session_id>.json} atomically. */
  public void save(Path dir, SessionRecord session) {
    String id = StoreLayout.checkId("session_id", session.sessionId().value());
    AtomicFiles.replace(dir.resolve(id + JSON), JsonSupport.pretty(SessionJson.toJson(session)));
  }

  /** @return the session in that directory, or empty when missing or malformed (warned) */
  public Optional<SessionRecord> read(Path dir, String sessionId) {
    if (!StoreLayout.isSafeSegment(sessionId)) {
      return Optional.empty();
    }
    return readFile(dir.resolve(sessionId + JSON));
  }

  /** @return every readable session of the directory (missing directory → empty) */
  public List<SessionRecord> list(Path dir) {
    List<SessionRecord> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + JSON)) {
      for (Path p : ds) {
        if (!p.getFileName().toString().startsWith(".")) {
          readFile(p).ifPresent(out::add);
        }
      }
    } catch (NoSuchFileException | NotDirectoryException e) {
      return out;
    } catch (IOException e) {
      if (!Files.isDirectory(dir)) {
        // a cwd that cannot hold a store (e.g. a name too long) holds no sessions: a filter, not a store fault
        return out;
      }
      throw StoreErrors.io("cannot list", dir, e);
    }
    return out;
  }

  private Optional<SessionRecord> readFile(Path file) {
    byte[] bytes = AtomicFiles.readIfExists(file);
    if (bytes == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(SessionJson.fromJson(JsonSupport.parse(bytes, 0, bytes.length)));
    } catch (IOException | RuntimeException e) {
      LOG.warn("skipping malformed session file {}: {}", file, e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * Appends to {@code <dir>/<session_id>.inbox.jsonl} with seq = last seq + 1, under a lock on the inbox file.
   * A torn last line (a writer died mid-line) is dropped first.
   *
   * @return the message with its seq
   * @throws OrchException STORE on I/O failure
   */
  public InboxMessage appendInbox(Path dir, InboxMessage message) {
    Path file = inboxFile(dir, message.toSessionId().value());
    try {
      return FileLocks.withLock(file, ch -> {
        long end = JsonlTail.completeEnd(ch);
        if (end < ch.size()) {
          LOG.warn("dropping a torn last line of {}", file);
          ch.truncate(end);
        }
        long last = JsonlTail.lastValid(ch, end, n -> n.path("seq").canConvertToLong())
            .map(n -> n.get("seq").asLong()).orElse(0L);
        InboxMessage m = message.withSeq(last + 1);
        AtomicFiles.writeFully(ch, ByteBuffer.wrap(JsonSupport.line(InboxJson.toJson(m))), end);
        ch.force(false);
        return m;
      });
    } catch (IOException e) {
      throw StoreErrors.io("cannot append to inbox", file, e);
    }
  }

  /** @return messages with seq &gt; afterSeq, oldest first, at most limit */
  public List<InboxMessage> readInbox(Path dir, String sessionId, long afterSeq, int limit) {
    Path file = inboxFile(dir, sessionId);
    try {
      return reader.read(file, afterSeq, limit, InboxJson::fromJson, InboxMessage::seq);
    } catch (IOException e) {
      throw StoreErrors.io("cannot read inbox", file, e);
    }
  }

  private static Path inboxFile(Path dir, String sessionId) {
    return dir.resolve(StoreLayout.checkId("session_id", sessionId) + INBOX);
  }
}
