package dev.orch.core.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.OrchException;
import java.util.List;

/**
 * The {@code workspace} argument of spawn_run (SPEC §12.7): {@code {mode: "shared"|"worktree" = "shared",
 * base_ref? = "HEAD", branch? = "orch/<run_id>", cleanup?: "keep"|"on_success"|"always" = "keep"}}. Unknown keys
 * are ignored, like unknown spawn_run arguments.
 *
 * @param worktree true for {@code mode:"worktree"}
 * @param baseRef the revision the worktree's branch starts from, never null
 * @param branch the branch to create, or null for {@code orch/<run_id>}
 * @param cleanup {@code keep}, {@code on_success} or {@code always}
 */
record WorkspaceRequest(boolean worktree, String baseRef, String branch, String cleanup) {
  /** The cleanup policies. */
  static final List<String> CLEANUPS = List.of("keep", "on_success", "always");

  /**
   * @param n the object as given, or null
   * @return the request, or null when {@code n} is null (shared cwd)
   * @throws OrchException INVALID_ARGUMENT naming the field and the rule
   */
  static WorkspaceRequest parse(ObjectNode n) {
    if (n == null) {
      return null;
    }
    String mode = text(n, "mode", "shared");
    if (!mode.equals("shared") && !mode.equals("worktree")) {
      throw OrchException.invalid("workspace.mode must be \"shared\" or \"worktree\", not: " + cut(mode));
    }
    String base = text(n, "base_ref", "HEAD");
    if (base.isBlank() || base.startsWith("-") || base.contains("\0")) {
      throw OrchException.invalid("workspace.base_ref must be a revision such as HEAD, a branch, a tag or a commit id, "
          + "not: " + cut(base));
    }
    String branch = text(n, "branch", null);
    if (branch != null && branch.isBlank()) {
      throw OrchException.invalid("workspace.branch must not be blank");
    }
    String cleanup = text(n, "cleanup", "keep");
    if (!CLEANUPS.contains(cleanup)) {
      throw OrchException.invalid("workspace.cleanup must be one of keep, on_success, always, not: " + cut(cleanup));
    }
    return new WorkspaceRequest(mode.equals("worktree"), base, branch, cleanup);
  }

  private static String text(ObjectNode n, String key, String dflt) {
    JsonNode v = n.get(key);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isTextual()) {
      throw OrchException.invalid("workspace." + key + " must be a string");
    }
    return v.asText();
  }

  private static String cut(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "…" : s;
  }
}
