package dev.orch.core.spi;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code /bin/sh} wrapper of an {@link AgentProcess} and the file chores around it. The wrapper (POSIX sh,
 * tested with dash) is started as {@code setsid /bin/sh -c SCRIPT orch-agent <dir> <stdin file|fifo> <command…>}:
 *
 * <ol>
 *   <li>FIFO mode: opens the FIFO read-write first (fd 3), so that what Orch wrote into it is kept;</li>
 *   <li>the gate: reads one line from its stdin; anything but {@code go} (EOF: Orch died before recording the agent)
 *       ends it with 97 before the agent exists;</li>
 *   <li>traps TERM, INT and HUP with a no-op handler (a caught signal is reset to the default in children, while
 *       {@code trap ''} would be inherited), so group signals stop the agent while the wrapper lives on to record the
 *       exit code;</li>
 *   <li>the lifeline: a background subshell reads the rest of the wrapper's stdin; at EOF (Orch gone) it stops the
 *       group unless the {@code keep} file exists;</li>
 *   <li>FIFO mode: a holder ({@code sleep}) inherits the read-write fd so that the agent never sees EOF when Orch
 *       dies; stopping the holder (and Orch's writer) gives EOF;</li>
 *   <li>runs the agent in the foreground (a background job would get SIGINT ignored) through
 *       {@code sh -c 'echo $$ >agent.pid; exec "$@"'}, stdout and stderr to files, stdin from the file or FIFO;</li>
 *   <li>writes the exit code to {@code exit.tmp}, renames it to {@code exit}, stops the lifeline and holder, and exits
 *       with the code.</li>
 * </ol>
 *
 * <p>Hand-written because no Java library starts a process in a new session or creates FIFOs.
 */
final class AgentWrapper {
  private static final Logger LOG = LoggerFactory.getLogger(AgentWrapper.class);
  /** The gate line. */
  static final byte[] GO = "go\n".getBytes(StandardCharsets.US_ASCII);
  /** The agent's pid, written by the wrapper. */
  static final String AGENT_PID = "agent.pid";
  /** The FIFO holder's pid, written by the wrapper. */
  static final String HOLDER_PID = "holder.pid";
  /** The wrapper's own stdout and stderr. */
  static final String WRAPPER_LOG = "wrapper.log";
  /** Exit code of a wrapper whose gate was not opened. */
  static final int GATE_CLOSED = 97;

  static final String SCRIPT = String.join("\n",
      "d=$1; in=$2; shift 2",
      "if [ \"$in\" = fifo ]; then exec 3<>\"$d/stdin.fifo\" || exit 96; fi",
      "IFS= read -r gate || exit " + GATE_CLOSED,
      "[ \"$gate\" = go ] || exit " + GATE_CLOSED,
      "trap : TERM INT HUP",
      "exec 4<&0 </dev/null",
      "( while IFS= read -r _ <&4; do :; done; [ -e \"$d/keep\" ] || kill -TERM 0 ) 3>&- >/dev/null 2>&1 &",
      "w=$!",
      "exec 4<&-",
      "h=",
      "if [ \"$in\" = fifo ]; then",
      "  /bin/sh -c 'echo $$ >\"$0/holder.pid\"; exec sleep 2147483647' \"$d\" </dev/null >/dev/null 2>&1 &",
      "  h=$!",
      "  exec 3>&-",
      "  in=$d/stdin.fifo",
      "fi",
      "/bin/sh -c 'echo $$ >\"$0/agent.pid\"; exec \"$@\"' \"$d\" \"$@\" <\"$in\" >\"$d/stdout.jsonl\" 2>\"$d/stderr.log\"",
      "rc=$?",
      "echo $rc >\"$d/exit.tmp\" && mv -f \"$d/exit.tmp\" \"$d/exit\"",
      "kill $w $h 2>/dev/null",
      "exit $rc",
      "");

  private static final String SETSID = findSetsid();
  private static volatile boolean warnedNoSetsid;

  private AgentWrapper() {
  }

  /**
   * Empties the directory of an earlier agent's files and creates the output files (and the FIFO).
   *
   * @return Orch's read-write channel on the FIFO in FIFO mode (open before the wrapper starts, so that the first
   *     input can be written at once), else null
   */
  static FileChannel prepare(Path dir, boolean fifo) throws IOException {
    Files.createDirectories(dir);
    for (String f : List.of(AgentProcess.EXIT, AgentProcess.EXIT + ".tmp", AGENT_PID, HOLDER_PID, AgentProcess.KEEP,
        AgentProcess.FIFO)) {
      Files.deleteIfExists(dir.resolve(f));
    }
    Files.write(dir.resolve(AgentProcess.STDOUT), new byte[0]);
    Files.write(dir.resolve(AgentProcess.STDERR), new byte[0]);
    if (!fifo) {
      return null;
    }
    Path f = dir.resolve(AgentProcess.FIFO);
    run(List.of("mkfifo", "-m", "600", f.toString()), "mkfifo");
    return FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE);
  }

  /** @return the wrapper's process builder (stdin a pipe: the gate and the lifeline) */
  static ProcessBuilder builder(AgentProcess.Launch launch, Path dir) {
    List<String> cmd = new ArrayList<>();
    if (SETSID != null) {
      cmd.add(SETSID);
    } else if (!warnedNoSetsid) {
      warnedNoSetsid = true;
      LOG.warn("setsid (util-linux) was not found: agent processes share Orch's process group");
    }
    cmd.add("/bin/sh");
    cmd.add("-c");
    cmd.add(SCRIPT);
    cmd.add("orch-agent");
    cmd.add(dir.toString());
    cmd.add(launch.stdinFile() == null ? "fifo" : launch.stdinFile().toAbsolutePath().toString());
    cmd.addAll(launch.command());
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(launch.cwd().toFile());
    pb.environment().putAll(launch.env());
    ProcessBuilder.Redirect log = ProcessBuilder.Redirect.appendTo(dir.resolve(WRAPPER_LOG).toFile());
    return pb.redirectOutput(log).redirectError(log);
  }

  /**
   * Waits until the wrapper leads its own session (setsid ran).
   *
   * @return true when it does; false without setsid
   * @throws IOException when the wrapper exited at once or did not get its session within 5 s
   */
  static boolean awaitSession(Process p, Path dir) throws IOException {
    if (SETSID == null) {
      return false;
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (true) {
      ProcessGroups.Stat s = ProcessGroups.stat(p.pid());
      if (s != null && s.sid() == p.pid() && s.pgid() == p.pid()) {
        return true;
      }
      if (!p.isAlive()) {
        throw new IOException("the agent wrapper exited at once (" + p.exitValue() + "): "
            + tail(dir.resolve(WRAPPER_LOG), 2000));
      }
      if (s == null && !Files.isDirectory(Path.of("/proc"))) {
        return false;
      }
      if (System.nanoTime() > deadline) {
        p.destroyForcibly();
        throw new IOException("the agent wrapper did not start its own session within 5 s");
      }
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
        throw new IOException("interrupted while starting the agent", e);
      }
    }
  }

  /** @return the pid in the file, or -1 when it is missing or not a number */
  static long readPid(Path file) {
    try {
      return Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).trim());
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }

  /** @return the last {@code max} bytes of a file as text (a cut first character dropped), trimmed; "" if none */
  static String tail(Path file, int max) {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      long size = f.length();
      long from = Math.max(0, size - max);
      byte[] b = new byte[(int) (size - from)];
      f.seek(from);
      f.readFully(b);
      int start = 0;
      while (from > 0 && start < b.length && (b[start] & 0xC0) == 0x80) {
        start++; // skip the continuation bytes of a character cut at the start
      }
      return new String(b, start, b.length - start, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      return "";
    }
  }

  /** Creates or removes an empty marker file. */
  static void marker(Path file, boolean present) {
    try {
      if (present) {
        if (!Files.exists(file)) {
          Files.createFile(file);
        }
      } else {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      LOG.warn("cannot {} {}: {}", present ? "create" : "remove", file, e.toString());
    }
  }

  /** Deletes a directory and its content; failures are logged. */
  static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          LOG.debug("cannot delete {}: {}", p, e.toString());
        }
      });
    } catch (IOException e) {
      LOG.debug("cannot delete {}: {}", dir, e.toString());
    }
  }

  private static void run(List<String> cmd, String what) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException(what + " failed: " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(what + " interrupted", e);
    }
  }

  private static String findSetsid() {
    List<Path> candidates = new ArrayList<>(List.of(Path.of("/usr/bin/setsid"), Path.of("/bin/setsid")));
    String path = System.getenv("PATH");
    if (path != null) {
      for (String d : path.split(":")) {
        if (!d.isEmpty()) {
          candidates.add(Path.of(d, "setsid"));
        }
      }
    }
    return candidates.stream().filter(Files::isExecutable).findFirst().map(Path::toString).orElse(null);
  }
}
