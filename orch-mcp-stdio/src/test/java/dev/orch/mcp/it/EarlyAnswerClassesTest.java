package dev.orch.mcp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a server process loads before it answers {@code initialize} (issue 8, start-up): the early answer
 * ({@code EarlyInput}, {@code InitializeLine}) must not bootstrap {@code java.lang.invoke} for a lambda, a method
 * reference or an indy string concatenation — the JVM's first one costs several ms, which came before the answer
 * until the early path was written without them — nor load Jackson (about 20 ms). Checked in the JVM's own class-loading log of a real server
 * process whose stdin is a file holding one {@code initialize} line, so that {@code main} answers it before
 * anything else runs.
 */
@DisplayName("The early initialize answer bootstraps no lambda and loads no Jackson")
class EarlyAnswerClassesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Loaded right after the early answer was written ({@code EarlyInput.maybeAnswer}). */
  private static final String ANSWERED = "dev.orch.mcp.internal.stdio.EarlyInput$Answered";

  @TempDir
  Path tmp;

  @Test
  @DisplayName("no lambda, method reference or string-concatenation bootstrap and no Jackson class is loaded before "
      + "the answer")
  void noInvokeDynamicBeforeTheAnswer() throws Exception {
    Path in = tmp.resolve("in.jsonl");
    Files.writeString(in, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
        + "\"2025-06-18\",\"capabilities\":{\"roots\":{\"listChanged\":true}},\"clientInfo\":{\"name\":\"t\","
        + "\"version\":\"1\"}}}\n");
    Path out = tmp.resolve("out.jsonl");
    Path classes = tmp.resolve("classes.log");
    List<String> cmd = new ArrayList<>(ServerProcesses.command());
    // after the command's -Xlog:disable, which would turn it off again
    int mainArgs = cmd.contains("-jar") ? cmd.indexOf("-jar") : cmd.indexOf("-cp");
    cmd.add(mainArgs, "-Xlog:class+load=info:file=" + classes);
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile())
        .redirectInput(in.toFile()).redirectOutput(out.toFile())
        .redirectError(tmp.resolve("err.log").toFile());
    pb.environment().putAll(ServerProcesses.isolatedEnv(tmp));
    Process process = pb.start();
    // stdin ends after the early-answered initialize: the server exits without building the rest
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exited").isTrue();
    assertThat(process.exitValue()).isZero();

    List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
    assertThat(lines).hasSize(1);
    JsonNode answer = JSON.readTree(lines.get(0));
    assertThat(answer.at("/id").asInt()).isEqualTo(1);
    assertThat(answer.at("/result/serverInfo/name").asText()).isEqualTo("orch");

    List<String> loaded = Files.readAllLines(classes, StandardCharsets.UTF_8).stream()
        .map(EarlyAnswerClassesTest::className).toList();
    int main = loaded.indexOf("dev.orch.mcp.OrchMcpServer");
    int answered = loaded.indexOf(ANSWERED);
    assertThat(main).as("the server's main class was loaded").isPositive();
    assertThat(answered).as("%s was loaded (the early path answered)", ANSWERED).isGreaterThan(main);
    // the JVM loads a few java.lang.invoke classes for itself before main (e.g. StringConcatFactory); what a first
    // lambda or indy concatenation adds is the metafactory, its spun classes and the lambda-form generator
    List<String> early = loaded.subList(main, answered);
    assertThat(early).as("the early answer's own class").contains("dev.orch.mcp.internal.stdio.InitializeLine");
    assertThat(early).as("classes loaded between main and the answer")
        .noneMatch(c -> c.contains("$$Lambda$") || c.startsWith("java.lang.invoke.LambdaForm$MH/")
            || c.startsWith("java.lang.invoke.LambdaForm$DMH/"))
        // nor Jackson: its first use costs ~20 ms even from the start-up archive (InitializeLine's class doc)
        .noneMatch(c -> c.startsWith("com.fasterxml.jackson."))
        .doesNotContain("java.lang.invoke.LambdaMetafactory", "java.lang.invoke.InnerClassLambdaMetafactory",
            "java.lang.invoke.InvokerBytecodeGenerator", "java.lang.runtime.ObjectMethods");
  }

  /** @return the class name of one {@code -Xlog:class+load} line ({@code [..][info][class,load] NAME source: …}) */
  private static String className(String line) {
    int end = line.indexOf(" source:");
    String head = end < 0 ? line : line.substring(0, end);
    return head.substring(head.lastIndexOf(' ') + 1);
  }
}
