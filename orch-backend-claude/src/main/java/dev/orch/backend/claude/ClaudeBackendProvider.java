package dev.orch.backend.claude;

import dev.orch.backend.claude.internal.ClaudeBackend;
import dev.orch.core.spi.Backend;
import dev.orch.core.spi.BackendContext;
import dev.orch.core.spi.BackendDescriptor;
import dev.orch.core.spi.BackendProvider;
import dev.orch.core.spi.Capability;
import java.util.EnumSet;

/**
 * The {@code claude_code} backend (SPEC §4, §7, §8): drives the native Claude Code CLI in bidirectional
 * stream-json mode the way the official Agent SDK does, with permission prompts routed to {@code continue_run}
 * and idle session processes kept alive for fast resumes; runs outlive their Orch process and are re-attached
 * (SPEC §12.8). Configuration: {@link ClaudeConfig}. Registered in
 * {@code META-INF/services/dev.orch.core.spi.BackendProvider}; no work happens in the constructor.
 */
public final class ClaudeBackendProvider implements BackendProvider {
  /** The backend id of {@code spawn_run}. */
  public static final String ID = "claude_code";
  /** The Claude Code release this backend was built and tested against. */
  public static final String TESTED_CLI_VERSION = "2.1.197";

  /** Creates the provider (no work). */
  public ClaudeBackendProvider() {
    // ServiceLoader needs a public no-arg constructor
  }

  @Override
  public BackendDescriptor descriptor() {
    return new BackendDescriptor(ID, version(),
        EnumSet.of(Capability.STREAMING, Capability.RESUME, Capability.CANCEL, Capability.CONTINUE,
            Capability.STRUCTURED_OUTPUT, Capability.PROFILES, Capability.REATTACH),
        "dev.orch:orch-backend-claude",
        "Claude Code CLI " + TESTED_CLI_VERSION + " in stream-json mode (permission prompts, live resume)");
  }

  @Override
  public Backend create(BackendContext context) {
    return new ClaudeBackend(context);
  }

  private static String version() {
    String v = ClaudeBackendProvider.class.getPackage().getImplementationVersion();
    return v != null ? v : "0.1.0-SNAPSHOT";
  }
}
