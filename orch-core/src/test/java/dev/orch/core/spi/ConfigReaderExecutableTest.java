package dev.orch.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.OrchException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("ConfigReader.executable finds a CLI by path or on PATH and names a missing one")
class ConfigReaderExecutableTest {
  @TempDir
  Path dir;
  Path bin;
  Path tool;

  @BeforeEach
  void makeTool() throws IOException {
    bin = Files.createDirectories(dir.resolve("bin"));
    tool = Files.writeString(bin.resolve("mytool"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private static ConfigReader reader(ObjectNode perRun, Map<String, String> env) {
    return new ConfigReader("tool", perRun, env, "ORCH_TOOL_");
  }

  @Test
  @DisplayName("the default name is searched on the reader's PATH, skipping empty and missing entries")
  void defaultOnPath() {
    ConfigReader r = reader(null, Map.of("PATH", "::" + dir.resolve("nope") + ":" + bin));
    assertThat(r.executable("executable", "mytool")).isEqualTo(tool.toAbsolutePath());
    r.finish();
  }

  @Test
  @DisplayName("a value with a slash is a path; env and per-run values are read like any key")
  void explicitPath() {
    ObjectNode cfg = JsonNodeFactory.instance.objectNode().put("executable", tool.toString());
    assertThat(reader(cfg, Map.of()).executable("executable", "other")).isEqualTo(tool);
    assertThat(reader(null, Map.of("ORCH_TOOL_EXECUTABLE", tool.toString())).executable("executable", "other"))
        .isEqualTo(tool);
    assertThat(reader(null, Map.of()).executable("executable", null)).isNull();
  }

  @Test
  @DisplayName("a name not on PATH, a missing path and a file that is not executable are errors naming the key")
  void errors() throws IOException {
    ConfigReader onPath = reader(null, Map.of("PATH", dir.toString()));
    assertThat(onPath.executable("executable", "mytool")).isNull();
    assertThatThrownBy(onPath::finish).isInstanceOf(OrchException.class)
        .hasMessage("Invalid tool configuration: ORCH_TOOL_EXECUTABLE: \"mytool\" was not found on PATH (install it"
            + " or set backend_config.executable / ORCH_TOOL_EXECUTABLE to its path)");

    ObjectNode missing = JsonNodeFactory.instance.objectNode().put("executable", dir.resolve("missing").toString());
    ConfigReader r = reader(missing, Map.of());
    r.executable("executable", "mytool");
    assertThatThrownBy(r::finish).hasMessageContaining("backend_config.executable: \"" + dir.resolve("missing")
        + "\" does not exist or is not an executable file");

    Path text = Files.writeString(dir.resolve("text"), "plain");
    ConfigReader r2 = reader(JsonNodeFactory.instance.objectNode().put("executable", text.toString()), Map.of());
    assertThat(r2.executable("executable", "mytool")).isNull();
    assertThatThrownBy(r2::finish).hasMessageContaining("is not an executable file");
    assertThat(ConfigReader.findExecutable(bin.toString(), null)).as("a directory").isNull();
    assertThat(ConfigReader.findExecutable(" ", bin.toString())).isNull();
    assertThat(ConfigReader.findExecutable("mytool", null)).isNull();
  }
}
