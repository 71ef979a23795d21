package dev.orch.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * The bare-JVM baseline of the start-up figure: reads one line from stdin, answers one JSON-RPC-shaped line on
 * stdout (what a server does for {@code initialize}, without any library), then waits for stdin to end so that its
 * idle RSS can be read.
 */
public final class Echo {
  private Echo() {
  }

  /**
   * @param args ignored
   * @throws IOException when stdin cannot be read
   */
  public static void main(String[] args) throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line = in.readLine();
    System.out.println("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"echo\":" + (line == null ? 0 : line.length()) + "}}");
    System.out.flush();
    while (in.readLine() != null) {
      // idle until the benchmark closes stdin
    }
  }
}
