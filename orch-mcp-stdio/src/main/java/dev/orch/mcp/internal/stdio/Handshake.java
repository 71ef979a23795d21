package dev.orch.mcp.internal.stdio;

import java.util.List;
import java.util.Objects;

/**
 * What the server answers to {@code initialize} (MCP "Lifecycle"): its {@code serverInfo}, {@code instructions} and
 * {@code capabilities}. The transport uses it to answer the client's first {@code initialize} as soon as the line
 * arrives, before the MCP server is built ({@link EarlyInput}); the SDK session then handles the same request and
 * its answer, which must be identical, is not written a second time.
 *
 * @param name {@code serverInfo.name}
 * @param version {@code serverInfo.version}
 * @param instructions {@code instructions}, or null for none
 * @param capabilitiesJson the {@code capabilities} object as compact JSON, exactly as the SDK serializes the
 *     server's {@code ServerCapabilities} (field order included), e.g.
 *     {@code {"logging":{},"tools":{"listChanged":false}}}
 */
public record Handshake(String name, String version, String instructions, String capabilitiesJson) {
  /**
   * The MCP protocol versions the stdio transport supports, oldest first: the MCP Java SDK 2.1.0's default list
   * ({@code McpServerTransportProviderBase.protocolVersions()}), kept here as constants so that the early answer
   * needs no SDK class at start-up; {@code EarlyInitializeTest} checks both lists are equal.
   */
  public static final List<String> PROTOCOL_VERSIONS = List.of("2024-11-05", "2025-03-26", "2025-06-18",
      "2025-11-25");

  /** @throws NullPointerException when name, version or capabilitiesJson is null */
  public Handshake {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(capabilitiesJson, "capabilitiesJson");
  }

  /**
   * The protocol version to answer with, as the SDK's {@code McpAsyncServer} negotiates it (MCP "Version
   * negotiation"): the client's when the server supports it, else the newest the server supports.
   *
   * @param requested the client's {@code protocolVersion} (null when absent)
   * @param supported the versions the transport supports, oldest first (never empty)
   * @return the version for the answer
   */
  public static String negotiate(String requested, List<String> supported) {
    return requested != null && supported.contains(requested) ? requested : supported.get(supported.size() - 1);
  }
}
