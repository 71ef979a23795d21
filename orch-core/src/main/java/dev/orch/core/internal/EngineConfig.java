package dev.orch.core.internal;

import dev.orch.core.spi.BackendProvider;
import dev.orch.core.spi.RunStore;
import dev.orch.core.spi.RunStoreProvider;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * Settings gathered by {@code Orchestrator.Builder}.
 *
 * @param backends explicitly registered providers
 * @param store explicit store or null
 * @param storeProvider explicit store provider or null
 * @param discovery ServiceLoader discovery on/off
 * @param environment process environment
 * @param clock time source
 * @param classLoader for discovery
 * @param reconcileOnStart reconcile orphaned runs at start
 */
public record EngineConfig(List<BackendProvider> backends, RunStore store, RunStoreProvider storeProvider,
    boolean discovery, Map<String, String> environment, Clock clock, ClassLoader classLoader,
    boolean reconcileOnStart) {
}
