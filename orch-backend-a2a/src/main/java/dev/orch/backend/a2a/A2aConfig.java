package dev.orch.backend.a2a;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.OrchException;
import dev.orch.core.spi.ConfigReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Typed configuration of one {@code remote_a2a} run (SPEC §8, CONVENTIONS 9). Read from the run's
 * {@code backend_config} (snake_case keys, wins) and the environment {@code ORCH_A2A_<KEY>} (server-wide
 * defaults, e.g. {@code ORCH_A2A_CONNECT_TIMEOUT_MS}).
 *
 * <p>Secrets ({@link #authToken()} and the values of {@link #headers()}) live only in memory; see
 * {@link A2aBackendProvider#redact(ObjectNode)} for what may be written to disk. {@link #toString()} never shows them.
 *
 * @param agentUrl the agent's base URL (http or https), never null
 * @param agentCardPath where the agent card is, resolved against {@code agentUrl} (RFC 3986), or an absolute URL;
 *     default {@code .well-known/agent-card.json}
 * @param headers extra HTTP headers sent with every request (copied, never null)
 * @param authToken bearer token sent as {@code Authorization: Bearer <token>}, or null
 * @param historyLength {@code historyLength} of {@code message/send}, or null to let the agent decide
 * @param blocking {@code configuration.blocking} of non-streaming {@code message/send} (default true); when false
 *     the run polls {@code tasks/get} until the task ends or waits
 * @param acceptedOutputModes {@code configuration.acceptedOutputModes} (copied, may be empty)
 * @param connectTimeoutMs TCP connect limit in ms (default 10000)
 * @param readTimeoutMs answer limit in ms for the agent card, {@code tasks/get} and {@code tasks/cancel}
 *     (default 30000)
 * @param idleTimeoutMs longest silence in ms on an open event stream, and the answer limit of a non-streaming
 *     {@code message/send} (default 600000)
 * @param timeoutMs limit in ms for one turn (from sending a message until the task ends or waits); 0 = none
 *     (default)
 */
public record A2aConfig(String agentUrl, String agentCardPath, Map<String, String> headers, String authToken,
    Integer historyLength, boolean blocking, List<String> acceptedOutputModes, long connectTimeoutMs,
    long readTimeoutMs, long idleTimeoutMs, long timeoutMs) {

  /** Environment prefix of server-wide settings. */
  public static final String ENV_PREFIX = "ORCH_A2A_";
  /** Default {@link #agentCardPath()}. */
  public static final String DEFAULT_CARD_PATH = ".well-known/agent-card.json";
  /** Message when no agent URL is configured (SPEC §2 spawn_run). */
  public static final String AGENT_URL_REQUIRED = "backend_config.agent_url is required when backend is remote_a2a";

  /** Copies collections; checks the URL. */
  public A2aConfig {
    Objects.requireNonNull(agentUrl, "agentUrl");
    agentCardPath = agentCardPath == null ? DEFAULT_CARD_PATH : agentCardPath;
    headers = Map.copyOf(headers == null ? Map.of() : headers);
    acceptedOutputModes = List.copyOf(acceptedOutputModes == null ? List.of() : acceptedOutputModes);
  }

  /**
   * Reads and validates the configuration, reporting every bad key at once.
   *
   * @param backendConfig the run's {@code backend_config}, or null
   * @param env the process environment (server-wide {@code ORCH_A2A_*} settings)
   * @param fallbackAgentUrl the agent URL stored with a resumed session, used when none is configured; may be null
   * @return the configuration
   * @throws OrchException INVALID_ARGUMENT with {@link #AGENT_URL_REQUIRED} when there is no agent URL, or
   *     {@code Invalid remote_a2a configuration: <key>: <problem>; ...} for wrong types, bad values, non-http(s)
   *     URLs and unknown keys
   */
  public static A2aConfig read(ObjectNode backendConfig, Map<String, String> env, String fallbackAgentUrl) {
    ConfigReader r = new ConfigReader(A2aBackendProvider.ID, backendConfig, env, ENV_PREFIX);
    String url = r.string("agent_url", null);
    String cardPath = r.string("agent_card_path", DEFAULT_CARD_PATH);
    Map<String, String> headers = r.stringMap("headers");
    String token = r.string("auth_token", null);
    Long history = r.longValue("history_length", null, 0, Integer.MAX_VALUE);
    Boolean blocking = r.bool("blocking", true);
    List<String> modes = r.stringList("accepted_output_modes");
    long connect = r.longValue("connect_timeout_ms", 10_000L, 1, 600_000);
    long read = r.longValue("read_timeout_ms", 30_000L, 1, 3_600_000);
    long idle = r.longValue("idle_timeout_ms", 600_000L, 1, 86_400_000);
    long timeout = r.longValue("timeout_ms", 0L, 0, 604_800_000);
    boolean missingUrl = url == null || url.isBlank();
    if (missingUrl && fallbackAgentUrl != null && !fallbackAgentUrl.isBlank()) {
      url = fallbackAgentUrl;
      missingUrl = false;
    }
    if (!missingUrl) {
      String problem = urlProblem(url);
      if (problem != null) {
        r.error("agent_url", problem);
      }
    }
    if (cardPath != null && cardPath.isBlank()) {
      r.error("agent_card_path", "expected a non-empty path or URL");
    }
    if (missingUrl) {
      try {
        r.finish();
      } catch (OrchException e) {
        throw OrchException.invalid(AGENT_URL_REQUIRED + "; " + e.getMessage());
      }
      throw OrchException.invalid(AGENT_URL_REQUIRED);
    }
    r.finish();
    headers = new LinkedHashMap<>(headers);
    return new A2aConfig(url.trim(), cardPath, headers, token, history == null ? null : history.intValue(), blocking,
        modes, connect, read, idle, timeout);
  }

  private static String urlProblem(String url) {
    try {
      URI u = new URI(url.trim());
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        return "expected an http(s) URL, got \"" + url + "\"";
      }
      if (u.getHost() == null || u.getHost().isEmpty()) {
        return "expected an http(s) URL with a host, got \"" + url + "\"";
      }
      return null;
    } catch (URISyntaxException e) {
      return "not a valid URL: " + e.getMessage();
    }
  }

  /**
   * Resolves the agent card URL: {@link #agentCardPath()} against {@link #agentUrl()} per RFC 3986 (an empty
   * base path counts as {@code /}), or the path itself when it is an absolute URL.
   *
   * @return the absolute card URL
   * @throws IllegalArgumentException when the path is not a valid URI reference
   */
  public String cardUrl() {
    URI base = URI.create(agentUrl);
    if (base.getRawPath() == null || base.getRawPath().isEmpty()) {
      base = URI.create(agentUrl + "/");
    }
    return base.resolve(agentCardPath.trim()).toString();
  }

  /**
   * The HTTP headers sent with every request: {@link #headers()}, then {@code Authorization: Bearer <token>} when
   * a token is set. Values equal to {@link A2aBackendProvider#REDACTED} (a configuration read back from disk) are
   * left out.
   *
   * @return a new map, never null
   */
  public Map<String, String> httpHeaders() {
    Map<String, String> out = new LinkedHashMap<>();
    headers.forEach((k, v) -> {
      if (!A2aBackendProvider.REDACTED.equals(v)) {
        out.put(k, v);
      }
    });
    if (authToken != null && !authToken.isEmpty() && !A2aBackendProvider.REDACTED.equals(authToken)) {
      out.put("Authorization", "Bearer " + authToken);
    }
    return out;
  }

  /** @return the configuration with secrets hidden */
  @Override
  public String toString() {
    return "A2aConfig[agentUrl=" + agentUrl + ", agentCardPath=" + agentCardPath + ", headers=" + headers.keySet()
        + ", authToken=" + (authToken == null ? "null" : A2aBackendProvider.REDACTED) + ", historyLength="
        + historyLength + ", blocking=" + blocking + ", acceptedOutputModes=" + acceptedOutputModes
        + ", connectTimeoutMs=" + connectTimeoutMs + ", readTimeoutMs=" + readTimeoutMs + ", idleTimeoutMs="
        + idleTimeoutMs + ", timeoutMs=" + timeoutMs + "]";
  }
}
