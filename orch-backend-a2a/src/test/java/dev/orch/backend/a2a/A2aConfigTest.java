package dev.orch.backend.a2a;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.OrchException;
import dev.orch.core.spi.Capability;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("remote_a2a configuration and secrets")
class A2aConfigTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static ObjectNode cfg(String url) {
    return JSON.createObjectNode().put("agent_url", url);
  }

  @Test
  @DisplayName("defaults: card path .well-known/agent-card.json, blocking true, 10 s connect, 30 s read, 10 min idle, no turn limit")
  void defaults() {
    A2aConfig c = A2aConfig.read(cfg("http://h:1"), Map.of(), null);
    assertThat(c.agentCardPath()).isEqualTo(".well-known/agent-card.json");
    assertThat(c.blocking()).isTrue();
    assertThat(c.historyLength()).isNull();
    assertThat(c.acceptedOutputModes()).isEmpty();
    assertThat(List.of(c.connectTimeoutMs(), c.readTimeoutMs(), c.idleTimeoutMs(), c.timeoutMs()))
        .containsExactly(10_000L, 30_000L, 600_000L, 0L);
    assertThat(c.cardUrl()).isEqualTo("http://h:1/.well-known/agent-card.json");
  }

  @Test
  @DisplayName("every key is read from backend_config, which wins over ORCH_A2A_* environment defaults")
  void allKeys() {
    ObjectNode n = cfg("https://agent.example/a2a/").put("agent_card_path", "card.json").put("auth_token", "t")
        .put("history_length", 5).put("blocking", false).put("connect_timeout_ms", 1).put("read_timeout_ms", 2)
        .put("idle_timeout_ms", 3).put("timeout_ms", 4);
    n.putObject("headers").put("X-A", "1");
    n.putArray("accepted_output_modes").add("text");
    A2aConfig c = A2aConfig.read(n, Map.of("ORCH_A2A_TIMEOUT_MS", "99", "ORCH_A2A_HISTORY_LENGTH", "7"), null);
    assertThat(c.cardUrl()).isEqualTo("https://agent.example/a2a/card.json");
    assertThat(c.httpHeaders()).containsExactly(Map.entry("X-A", "1"), Map.entry("Authorization", "Bearer t"));
    assertThat(c.historyLength()).isEqualTo(5);
    assertThat(c.blocking()).isFalse();
    assertThat(c.acceptedOutputModes()).containsExactly("text");
    assertThat(List.of(c.connectTimeoutMs(), c.readTimeoutMs(), c.idleTimeoutMs(), c.timeoutMs()))
        .containsExactly(1L, 2L, 3L, 4L);

    A2aConfig env = A2aConfig.read(JSON.createObjectNode(), Map.of("ORCH_A2A_AGENT_URL", "http://e:2",
        "ORCH_A2A_IDLE_TIMEOUT_MS", "1234", "ORCH_A2A_HEADERS", "{\"X-B\":\"2\"}"), null);
    assertThat(env.agentUrl()).isEqualTo("http://e:2");
    assertThat(env.idleTimeoutMs()).isEqualTo(1234L);
    assertThat(env.headers()).containsEntry("X-B", "2");
  }

  @Test
  @DisplayName("a missing agent_url is refused with the TS server's message unless a resumed session stored one")
  void missingUrl() {
    assertThatThrownBy(() -> A2aConfig.read(JSON.createObjectNode(), Map.of(), null))
        .isInstanceOf(OrchException.class)
        .hasMessage("backend_config.agent_url is required when backend is remote_a2a");
    assertThat(A2aConfig.read(JSON.createObjectNode(), Map.of(), "http://stored:3").agentUrl())
        .isEqualTo("http://stored:3");
  }

  @Test
  @DisplayName("bad values are all reported at once, each named by its key")
  void badValues() {
    ObjectNode n = cfg("ftp://h/x").put("blocking", "maybe").put("timeout_ms", -1).put("surprise", 1);
    n.putObject("headers").put("X-A", 3);
    assertThatThrownBy(() -> A2aConfig.read(n, Map.of(), null))
        .isInstanceOf(OrchException.class)
        .hasMessageContaining("Invalid remote_a2a configuration")
        .hasMessageContaining("backend_config.agent_url: expected an http(s) URL")
        .hasMessageContaining("backend_config.blocking: expected a boolean")
        .hasMessageContaining("backend_config.timeout_ms: expected an integer in [0,")
        .hasMessageContaining("backend_config.headers.X-A: expected a string")
        .hasMessageContaining("backend_config.surprise: unknown key");
    assertThatThrownBy(() -> A2aConfig.read(cfg("not a url"), Map.of(), null))
        .hasMessageContaining("backend_config.agent_url");
  }

  @Test
  @DisplayName("redact replaces auth_token and every header value, keeps the rest and leaves the input untouched")
  void redact() {
    ObjectNode n = cfg("http://h:1").put("auth_token", "SECRET-1").put("history_length", 2);
    n.putObject("headers").put("X-Api-Key", "SECRET-2").put("Cookie", "SECRET-3");
    ObjectNode r = A2aBackendProvider.redact(n);
    assertThat(r.toString()).doesNotContain("SECRET");
    assertThat(r.path("auth_token").asText()).isEqualTo("[redacted]");
    assertThat(r.path("headers").path("X-Api-Key").asText()).isEqualTo("[redacted]");
    assertThat(r.path("headers").path("Cookie").asText()).isEqualTo("[redacted]");
    assertThat(r.path("agent_url").asText()).isEqualTo("http://h:1");
    assertThat(r.path("history_length").asInt()).isEqualTo(2);
    assertThat(n.path("auth_token").asText()).isEqualTo("SECRET-1");
    assertThat(A2aBackendProvider.redact(null)).isNull();
    assertThat(A2aBackendProvider.redact(cfg("http://h:1").put("headers", "weird")).path("headers").asText())
        .isEqualTo("[redacted]");
  }

  @Test
  @DisplayName("redacted values read back from disk are not sent, and toString never shows secrets")
  void redactedNotSent() {
    ObjectNode n = A2aBackendProvider.redact(cfg("http://h:1").put("auth_token", "tok"));
    n.putObject("headers").put("X-Api-Key", "[redacted]").put("X-Plain", "p");
    A2aConfig c = A2aConfig.read(n, Map.of(), null);
    assertThat(c.httpHeaders()).containsExactly(Map.entry("X-Plain", "p"));
    A2aConfig s = A2aConfig.read(cfg("http://h:1").put("auth_token", "tok-XYZ"), Map.of(), null);
    assertThat(s.toString()).doesNotContain("tok-XYZ");
  }

  @Test
  @DisplayName("the provider describes itself as remote_a2a with streaming, resume, cancel, continue, structured output,"
      + " profiles and re-attachment")
  void descriptor() {
    var d = new A2aBackendProvider().descriptor();
    assertThat(d.id()).isEqualTo("remote_a2a");
    assertThat(d.capabilities()).containsExactlyInAnyOrder(Capability.STREAMING, Capability.RESUME,
        Capability.CANCEL, Capability.CONTINUE, Capability.STRUCTURED_OUTPUT, Capability.PROFILES,
        Capability.REATTACH);
    assertThat(java.util.ServiceLoader.load(dev.orch.core.spi.BackendProvider.class).stream()
        .map(p -> p.type().getName())).contains(A2aBackendProvider.class.getName());
  }
}
