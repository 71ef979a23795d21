package dev.orch.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Linux /proc readings: a process's RSS and the machine's description for the report header. */
public final class Procfs {
  private Procfs() {
  }

  /**
   * @param pid a live process
   * @return its VmRSS, bytes
   * @throws IllegalStateException when /proc/&lt;pid&gt;/status cannot be read (process gone, not Linux)
   */
  public static long rss(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      throw new IllegalStateException("cannot read the RSS of process " + pid + ": " + e.getMessage(), e);
    }
    throw new IllegalStateException("no VmRSS for process " + pid);
  }

  /**
   * @param pid a live process
   * @return the CPU time it has used so far (user + system, all threads), ms, in steps of the kernel's clock tick
   *     (10 ms at the usual 100 Hz)
   * @throws IllegalStateException when /proc/&lt;pid&gt;/stat cannot be read
   */
  public static long cpuMillis(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // after "pid (comm) ": state is field 3, utime field 14, stime field 15 (1-based in proc(5))
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 1000 / CLOCK_TICKS;
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("cannot read the CPU time of process " + pid + ": " + e.getMessage(), e);
    }
  }

  /** USER_HZ of Linux on every architecture Orch runs on. */
  private static final long CLOCK_TICKS = 100;

  /** @return e.g. {@code 2 CPUs (AMD EPYC), 23.5 GiB RAM, disk /dev/vda (ssd) for /tmp, Linux 6.1} */
  public static String machine(Path workDir) {
    String cpu = firstValue(Path.of("/proc/cpuinfo"), "model name");
    double memGiB = Double.parseDouble(firstValue(Path.of("/proc/meminfo"), "MemTotal").replaceAll("[^0-9]", ""))
        / 1048576.0;
    return String.format(Locale.ROOT, "%d CPUs (%s), %.1f GiB RAM, %s, kernel %s",
        Runtime.getRuntime().availableProcessors(), cpu, memGiB, disk(workDir), System.getProperty("os.version"));
  }

  private static String firstValue(Path file, String key) {
    try {
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith(key)) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException e) {
      return "unknown";
    }
    return "unknown";
  }

  /** @return the device and file system holding dir, and whether the kernel calls it rotational */
  private static String disk(Path dir) {
    try {
      String best = null;
      String bestFs = "";
      int bestLen = -1;
      String abs = dir.toRealPath().toString();
      for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
        String[] f = line.split(" ");
        if (f.length > 2 && (abs.equals(f[1]) || abs.startsWith(f[1].endsWith("/") ? f[1] : f[1] + "/"))
            && f[1].length() > bestLen) {
          best = f[0];
          bestFs = f[2];
          bestLen = f[1].length();
        }
      }
      if (best == null) {
        return "disk unknown";
      }
      String kind = "";
      if (best.startsWith("/dev/")) {
        Path rot = Path.of("/sys/block", best.substring(5).replaceAll("p?[0-9]+$", ""), "queue", "rotational");
        if (Files.exists(rot)) {
          kind = "0".equals(Files.readString(rot).trim()) ? " non-rotational" : " rotational";
        }
      }
      return "work dir on " + best + " (" + bestFs + kind + ")";
    } catch (IOException e) {
      return "disk unknown";
    }
  }
}
