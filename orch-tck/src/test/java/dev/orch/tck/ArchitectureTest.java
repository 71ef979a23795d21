package dev.orch.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orch.core.testing.Peers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The dependency rules of CONVENTIONS 13, checked on the module poms (declared dependencies) and on the main
 * sources (imports): orch-core depends on no backend, store or server; backends depend on no other backend and
 * on no server; the store depends on no backend.
 */
@DisplayName("Module architecture")
class ArchitectureTest {
  private static final List<String> BACKENDS = List.of("orch-backend-codex", "orch-backend-claude",
      "orch-backend-a2a");
  private static final List<String> SERVERS = List.of("orch-mcp-stdio", "orch-test-agents", "orch-cli");

  static List<String> forbiddenFor(String module) {
    List<String> out = new ArrayList<>();
    if (module.equals("orch-core")) {
      out.addAll(BACKENDS);
      out.addAll(SERVERS);
      out.add("orch-store-fs");
    } else if (module.equals("orch-store-fs")) {
      out.addAll(BACKENDS);
      out.addAll(SERVERS);
    } else if (BACKENDS.contains(module)) {
      BACKENDS.stream().filter(b -> !b.equals(module)).forEach(out::add);
      out.addAll(SERVERS);
    }
    return out;
  }

  private static String packageOf(String module) {
    switch (module) {
      case "orch-backend-codex": return "dev.orch.backend.codex";
      case "orch-backend-claude": return "dev.orch.backend.claude";
      case "orch-backend-a2a": return "dev.orch.backend.a2a";
      case "orch-mcp-stdio": return "dev.orch.mcp";
      case "orch-test-agents": return "dev.orch.agents";
      case "orch-cli": return "dev.orch.cli";
      case "orch-store-fs": return "dev.orch.store.fs";
      default: throw new IllegalArgumentException(module);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"orch-core", "orch-store-fs", "orch-backend-codex", "orch-backend-claude",
      "orch-backend-a2a"})
  @DisplayName("declares no forbidden module dependency (any scope) and imports no forbidden package")
  void noForbiddenDependencies(String module) throws Exception {
    Path dir = Peers.repoRoot().resolve(module);
    Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(dir.resolve("pom.xml").toFile());
    NodeList deps = pom.getElementsByTagName("dependency");
    List<String> declared = new ArrayList<>();
    for (int i = 0; i < deps.getLength(); i++) {
      Element d = (Element) deps.item(i);
      declared.add(d.getElementsByTagName("artifactId").item(0).getTextContent().trim());
    }
    List<String> forbidden = forbiddenFor(module);
    assertThat(declared).as("dependencies of %s", module).doesNotContainAnyElementsOf(forbidden);
    List<String> badImports = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir.resolve("src/main/java"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).collect(Collectors.toList())) {
        for (String line : Files.readAllLines(f)) {
          for (String m : forbidden) {
            if (line.startsWith("import " + packageOf(m) + ".")) {
              badImports.add(f.getFileName() + ": " + line);
            }
          }
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    assertThat(badImports).as("imports of forbidden modules in %s", module).isEmpty();
  }
}
