package dev.orch.cli.internal;

import dev.orch.core.Orchestrator;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * What every command of {@code orch} and {@code peer} shares: stdout/stderr (UTF-8), the environment, the
 * terminal, and how to open the {@link Orchestrator} over the store. Not thread-safe (one per command line).
 */
public final class Cli {
  private final PrintStream out;
  private final PrintStream err;
  private final Map<String, String> env;
  private final Terminal terminal;

  /**
   * @param out where results go
   * @param err where messages, progress and errors go
   * @param env the environment (store home, colours, PEER_* identity)
   * @param terminal what out/err/in are
   */
  public Cli(PrintStream out, PrintStream err, Map<String, String> env, Terminal terminal) {
    this.out = out;
    this.err = err;
    this.env = Map.copyOf(env);
    this.terminal = terminal;
  }

  /** @return a context on this process's stdout, stderr and environment */
  public static Cli ofProcess() {
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
    Map<String, String> env = System.getenv();
    return new Cli(out, err, env, Terminal.detect(env));
  }

  /**
   * Sets the log level of slf4j-simple from {@code ORCH_LOG_LEVEL} (default {@code warn}, so the engine's info
   * lines do not mix with the command's output). Call before the first logger is created.
   */
  public static void configureLogging(Map<String, String> env) {
    String level = env.get("ORCH_LOG_LEVEL");
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
        level == null || level.isBlank() ? "warn" : level.trim().toLowerCase(java.util.Locale.ROOT));
    System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
  }

  /** @return stdout */
  public PrintStream out() {
    return out;
  }

  /** @return stderr */
  public PrintStream err() {
    return err;
  }

  /** @return the environment */
  public Map<String, String> env() {
    return env;
  }

  /** @return the terminal */
  public Terminal terminal() {
    return terminal;
  }

  /**
   * Opens the orchestrator over the store (ServiceLoader: the file store and the built-in backends).
   *
   * @param reconcile whether to reconcile runs left active by dead processes now. Read-only commands pass false:
   *     they never fail runs at start (a run looked up by id is still reconciled when its owner is gone, as in any
   *     Orch process; runs of a live owner are never touched)
   * @return the orchestrator; close it
   */
  public Orchestrator open(boolean reconcile) {
    return Orchestrator.builder().environment(env).reconcileOnStart(reconcile).build();
  }

  /**
   * @param given the --cwd option or null
   * @return the absolute, normalized directory (given, else the process's working directory)
   */
  public static Path cwd(String given) {
    return (given == null || given.isBlank() ? Path.of("") : Path.of(given)).toAbsolutePath().normalize();
  }
}
