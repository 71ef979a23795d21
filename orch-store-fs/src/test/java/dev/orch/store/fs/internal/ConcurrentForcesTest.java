package dev.orch.store.fs.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Forces of a batch's artifact files and directories are issued together and all end before the call")
class ConcurrentForcesTest {
  @TempDir
  Path dir;

  @Test
  @DisplayName("many files and directories are forced; an empty list is nothing to do")
  void forcesAll() throws Exception {
    List<Path> files = new ArrayList<>();
    List<Path> dirs = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      Path d = Files.createDirectories(dir.resolve("d" + i));
      dirs.add(d);
      files.add(Files.writeString(d.resolve("f"), "content " + i));
    }
    ConcurrentForces.files(files);
    ConcurrentForces.directories(dirs);
    ConcurrentForces.files(List.of());
    assertThat(Files.readString(files.get(39))).isEqualTo("content 39");
  }

  @Test
  @DisplayName("a file that cannot be forced fails the call with its own error, every other force still done;"
      + " two failures: the first thrown, the other suppressed in it")
  void failures() throws Exception {
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      files.add(Files.writeString(dir.resolve("f" + i), "x"));
    }
    files.add(3, dir.resolve("missing-a"));
    assertThatThrownBy(() -> ConcurrentForces.files(files)).isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("missing-a");
    files.add(dir.resolve("missing-b"));
    assertThatThrownBy(() -> ConcurrentForces.files(files)).isInstanceOf(NoSuchFileException.class)
        .satisfies(e -> assertThat(e.getMessage() + " " + e.getSuppressed()[0].getMessage())
            .contains("missing-a").contains("missing-b"));
  }

  @Test
  @DisplayName("an interrupted caller still waits for every force, and keeps its interrupt flag")
  void interruptedCaller() throws Exception {
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      files.add(Files.writeString(dir.resolve("f" + i), "x"));
    }
    Thread.currentThread().interrupt();
    try {
      ConcurrentForces.files(files);
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }
}
