package dev.orch.backend.codex;

import dev.orch.backend.codex.internal.CodexBackend;
import dev.orch.core.spi.Backend;
import dev.orch.core.spi.BackendContext;
import dev.orch.core.spi.BackendDescriptor;
import dev.orch.core.spi.BackendProvider;
import dev.orch.core.spi.Capability;
import java.util.EnumSet;

/**
 * Provider of the {@code codex} backend (SPEC §1, §4, §8): runs the native Codex CLI as
 * {@code codex exec --json}, maps its JSONL events, resumes threads, cancels by process-tree kill, supports
 * output schemas and profiles, and re-attaches runs that outlived their Orch process (SPEC §12.8). Registered in {@code META-INF/services/dev.orch.core.spi.BackendProvider}.
 * Configuration: {@link CodexConfig} ({@code backend_config} keys or {@code ORCH_CODEX_*}).
 */
public final class CodexBackendProvider implements BackendProvider {
  /** The backend id. */
  public static final String ID = "codex";

  /** Public no-arg constructor for {@link java.util.ServiceLoader}; does no work. */
  public CodexBackendProvider() {
  }

  /** @return id {@code codex}, artifact {@code dev.orch:orch-backend-codex} */
  @Override
  public BackendDescriptor descriptor() {
    String version = CodexBackendProvider.class.getPackage().getImplementationVersion();
    return new BackendDescriptor(ID, version == null ? "dev" : version,
        EnumSet.of(Capability.STREAMING, Capability.RESUME, Capability.CANCEL, Capability.STRUCTURED_OUTPUT,
            Capability.PROFILES, Capability.REATTACH),
        "dev.orch:orch-backend-codex", "Codex CLI (codex exec --json)");
  }

  /** @return a new backend using the context's environment and threads */
  @Override
  public Backend create(BackendContext context) {
    return new CodexBackend(context);
  }
}
