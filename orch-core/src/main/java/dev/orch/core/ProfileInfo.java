package dev.orch.core;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;

/**
 * A profile (system-prompt file, SPEC §7) that runs of this server used, as {@code orch://profiles} lists it.
 *
 * @param profile the profile as the runs gave it (absolute, or relative to their cwd)
 * @param path the file it resolves to (absolute)
 * @param cwd the cwd of the runs that used it
 * @param exists whether the file is there now
 * @param runs how many runs used it
 * @param lastUsedAt when the newest of them started, or null when unknown
 */
public record ProfileInfo(String profile, Path path, Path cwd, boolean exists, int runs, Instant lastUsedAt) {
  /** @throws NullPointerException for a null profile or path */
  public ProfileInfo {
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(path, "path");
  }

  /** @return {@code {profile, path, cwd, exists, runs, last_used_at}} */
  public ObjectNode toJson() {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("profile", profile);
    n.put("path", path.toString());
    n.put("cwd", cwd == null ? null : cwd.toString());
    n.put("exists", exists);
    n.put("runs", runs);
    n.put("last_used_at", lastUsedAt == null ? null : Timestamps.format(lastUsedAt));
    return n;
  }
}
