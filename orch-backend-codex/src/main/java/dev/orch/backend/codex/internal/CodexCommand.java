package dev.orch.backend.codex.internal;

import dev.orch.backend.codex.CodexConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the codex command line and the stdin prompt (SPEC §7, §8; REAL-PEERS "Codex against a mock Responses
 * API"). Pure functions. Not API.
 */
public final class CodexCommand {
  private CodexCommand() {
  }

  /**
   * Builds {@code <codex> exec --json [-c k=v…] [-c sandbox_workspace_write.network_access=…] [--model M]
   * --sandbox <mode> --cd <cwd> --skip-git-repo-check [--output-schema <file>] [-c approval_policy="…"]
   * [extra_args…] [resume <thread_id>]}. Options must come before {@code resume} (codex parses the rest as the
   * sub-command's arguments). No prompt argument: the prompt goes to stdin.
   *
   * @param config the run's configuration
   * @param cwd the run's working directory (absolute)
   * @param outputSchemaFile the schema file, or null without output schema
   * @param resumeThreadId the thread to resume, or null for a new thread
   * @return the argument list, executable first
   */
  public static List<String> arguments(CodexConfig config, Path cwd, Path outputSchemaFile, String resumeThreadId) {
    List<String> args = new ArrayList<>();
    args.add(config.executable().toString());
    args.add("exec");
    args.add("--json");
    config.config().forEach((key, value) -> {
      args.add("-c");
      args.add(key + "=" + Toml.value(value));
    });
    if (config.networkAccess() != null) {
      args.add("-c");
      args.add("sandbox_workspace_write.network_access=" + config.networkAccess());
    }
    if (config.model() != null) {
      args.add("--model");
      args.add(config.model());
    }
    args.add("--sandbox");
    args.add(config.sandbox());
    args.add("--cd");
    args.add(cwd.toString());
    args.add("--skip-git-repo-check");
    if (outputSchemaFile != null) {
      args.add("--output-schema");
      args.add(outputSchemaFile.toString());
    }
    if (config.approvalPolicy() != null) {
      args.add("-c");
      args.add("approval_policy=" + Toml.string(config.approvalPolicy()));
    }
    args.addAll(config.extraArgs());
    if (resumeThreadId != null) {
      args.add("resume");
      args.add(resumeThreadId);
    }
    return args;
  }

  /**
   * The text written to codex's stdin. Without a system prompt it is the prompt unchanged; with one (SPEC §7
   * profiles) it is:
   *
   * <pre>
   * System instructions for this run:
   * &lt;SYSTEM_PROMPT&gt;
   * {systemPrompt}
   * &lt;/SYSTEM_PROMPT&gt;
   *
   * User request:
   * {prompt}
   * </pre>
   *
   * @param prompt the run's prompt, never null
   * @param systemPrompt the profile's system prompt, or null
   * @return the stdin text
   */
  public static String stdinPrompt(String prompt, String systemPrompt) {
    if (systemPrompt == null || systemPrompt.isBlank()) {
      return prompt;
    }
    return "System instructions for this run:\n<SYSTEM_PROMPT>\n" + systemPrompt.strip() + "\n</SYSTEM_PROMPT>\n\n"
        + "User request:\n" + prompt;
  }
}
