package dev.orch.agents.internal;

import io.a2a.server.TransportMetadata;
import io.a2a.spec.TransportProtocol;

/**
 * Tells the A2A SDK's card validator that this process serves JSON-RPC (registered in
 * {@code META-INF/services/io.a2a.server.TransportMetadata}; without it the SDK refuses a card whose preferred
 * transport is JSONRPC — REAL-PEERS "A2A peers").
 */
public final class JsonRpcTransportMetadata implements TransportMetadata {
  /** Used by {@link java.util.ServiceLoader}. */
  public JsonRpcTransportMetadata() {
  }

  @Override
  public String getTransportProtocol() {
    return TransportProtocol.JSONRPC.asString();
  }
}
