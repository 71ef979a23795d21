package dev.orch.backend.claude.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.AgentMessage;
import dev.orch.core.MessagePart;
import dev.orch.core.MessageRole;
import dev.orch.core.OrchException;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("PermissionAnswer reads continue_run input as an allow / deny answer")
class PermissionAnswerTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static AgentMessage data(String json) throws Exception {
    return new AgentMessage(MessageRole.USER, List.of(new MessagePart.Data((ObjectNode) JSON.readTree(json))), null);
  }

  @Test
  @DisplayName("text allow / deny, any case, with an optional reason")
  void text() {
    assertThat(PermissionAnswer.from(AgentMessage.userText("allow"))).isEqualTo(new PermissionAnswer(true, null, null));
    assertThat(PermissionAnswer.from(AgentMessage.userText(" Allow - looks fine ")))
        .isEqualTo(new PermissionAnswer(true, "looks fine", null));
    assertThat(PermissionAnswer.from(AgentMessage.userText("DENY: not here")))
        .isEqualTo(new PermissionAnswer(false, "not here", null));
    assertThat(PermissionAnswer.from(AgentMessage.userText("deny")).toResponse(JSON.createObjectNode(), "t1")
        .path("message").asText()).isEqualTo(PermissionAnswer.DEFAULT_DENY);
  }

  @Test
  @DisplayName("any other text denies and hands the text to the model (fail closed)")
  void freeText() {
    PermissionAnswer a = PermissionAnswer.from(AgentMessage.userText("use the Read tool instead"));
    assertThat(a.allow()).isFalse();
    assertThat(a.message()).isEqualTo("use the Read tool instead");
    assertThat(PermissionAnswer.from(AgentMessage.userText("allowance")).allow()).isFalse();
  }

  @Test
  @DisplayName("a data part gives behavior, message and updated_input")
  void dataPart() throws Exception {
    PermissionAnswer a = PermissionAnswer.from(data("{\"behavior\":\"allow\",\"updated_input\":{\"command\":\"ls\"}}"));
    ObjectNode r = a.toResponse(JSON.readTree("{\"command\":\"rm -rf x\"}"), "toolu_1");
    assertThat(r.toString()).isEqualTo("{\"behavior\":\"allow\",\"updatedInput\":{\"command\":\"ls\"},\"toolUseID\":\"toolu_1\"}");
    assertThat(PermissionAnswer.from(data("{\"behavior\":\"deny\",\"message\":\"no\"}")))
        .isEqualTo(new PermissionAnswer(false, "no", null));
  }

  @Test
  @DisplayName("a data part with a bad behavior or shapes is refused, naming the field")
  void badData() {
    assertThatThrownBy(() -> PermissionAnswer.from(data("{\"behavior\":\"maybe\"}"))).isInstanceOf(OrchException.class)
        .hasMessageContaining("behavior");
    assertThatThrownBy(() -> PermissionAnswer.from(data("{\"behavior\":\"allow\",\"updated_input\":3}")))
        .hasMessageContaining("updated_input");
    assertThatThrownBy(() -> PermissionAnswer.from(new AgentMessage(MessageRole.USER,
        List.of(new MessagePart.File("file:///x", null, null, null)), null))).hasMessageContaining("allow");
  }
}
