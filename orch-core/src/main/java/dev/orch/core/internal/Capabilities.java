package dev.orch.core.internal;

import dev.orch.core.OrchException;
import dev.orch.core.spi.BackendDescriptor;
import dev.orch.core.spi.Capability;

/**
 * The core checks what a backend declares (CONVENTIONS 3) before asking it for something it cannot do: resume
 * ({@link Capability#RESUME}), structured output ({@link Capability#STRUCTURED_OUTPUT}), profiles
 * ({@link Capability#PROFILES}) and live continue_run input ({@link Capability#CONTINUE}).
 */
final class Capabilities {
  private Capabilities() {
  }

  /**
   * @throws OrchException UNSUPPORTED naming the backend and the missing capability
   */
  static void require(BackendDescriptor d, boolean resume, boolean outputSchema, boolean profile) {
    if (resume) {
      check(d, Capability.RESUME, "resume sessions");
    }
    if (outputSchema) {
      check(d, Capability.STRUCTURED_OUTPUT, "honour output_schema");
    }
    if (profile) {
      check(d, Capability.PROFILES, "apply profiles");
    }
  }

  /** @throws OrchException UNSUPPORTED when the backend takes no input while a run waits */
  static void requireLiveInput(BackendDescriptor d) {
    check(d, Capability.CONTINUE, "take continue_run input while a run waits");
  }

  private static void check(BackendDescriptor d, Capability c, String what) {
    if (d != null && !d.has(c)) {
      throw new OrchException(OrchException.ErrorCode.UNSUPPORTED, "Backend " + d.id() + " cannot " + what
          + " (it does not declare the " + c + " capability)");
    }
  }
}
