package dev.orch.mcp.internal.stdio;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The line writer writes every submitted line whole and in order, and stops cleanly when the output fails")
class LineWriterTest {

  private static java.util.concurrent.ThreadFactory factory() {
    return r -> {
      Thread t = new Thread(r, "test-writer");
      t.setDaemon(true);
      return t;
    };
  }

  @Test
  @DisplayName("32 threads released at once, each writing 25 lines of 8–64 KiB: no line is torn or interleaved and "
      + "each thread's lines keep their order")
  void manyThreadsLargeLines() throws Exception {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    List<IOException> failures = new CopyOnWriteArrayList<>();
    LineWriter writer = new LineWriter(sink, factory(), failures::add);
    int threads = 32;
    int perThread = 25;
    CyclicBarrier start = new CyclicBarrier(threads);
    AtomicInteger written = new AtomicInteger();
    List<Thread> senders = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread s = new Thread(() -> {
        try {
          start.await();
          for (int i = 0; i < perThread; i++) {
            assertThat(writer.submit(line(id, i), written::incrementAndGet)).isTrue();
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      s.start();
      senders.add(s);
    }
    for (Thread s : senders) {
      s.join();
    }
    assertThat(writer.drain(60_000)).isTrue();
    assertThat(written.get()).isEqualTo(threads * perThread);
    assertThat(failures).isEmpty();

    byte[] all = sink.toByteArray();
    assertThat(all[all.length - 1]).isEqualTo((byte) '\n');
    int[] next = new int[threads];
    int lines = 0;
    int from = 0;
    for (int i = 0; i < all.length; i++) {
      if (all[i] == '\n') {
        byte[] got = Arrays.copyOfRange(all, from, i);
        String head = new String(got, 0, Math.min(got.length, 32), StandardCharsets.US_ASCII);
        String[] parts = head.split(":", 3);
        int thread = Integer.parseInt(parts[0]);
        int seq = Integer.parseInt(parts[1]);
        assertThat(seq).as("order of thread %d", thread).isEqualTo(next[thread]);
        assertThat(got).as("line %d of thread %d is whole", seq, thread).isEqualTo(line(thread, seq));
        next[thread]++;
        lines++;
        from = i + 1;
      }
    }
    assertThat(lines).isEqualTo(threads * perThread);
    writer.close();
  }

  @Test
  @DisplayName("a failing output is reported once; queued and later lines are dropped, submit says so, drain ends")
  void failure() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    OutputStream broken = new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        throw new IOException("Broken pipe");
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        throw new IOException("Broken pipe");
      }
    };
    List<IOException> failures = new CopyOnWriteArrayList<>();
    LineWriter writer = new LineWriter(broken, factory(), failures::add);
    for (int i = 0; i < 100; i++) {
      writer.submit(line(0, i), calls::incrementAndGet);
    }
    assertThat(writer.drain(10_000)).isTrue();
    assertThat(failures).hasSize(1);
    assertThat(failures.get(0)).hasMessage("Broken pipe");
    assertThat(writer.failure()).isSameAs(failures.get(0));
    assertThat(calls.get()).as("no line counts as written").isZero();
    assertThat(writer.submit(line(0, 100), calls::incrementAndGet)).isFalse();
    writer.close();
  }

  @Test
  @DisplayName("close writes what is queued, then refuses new lines")
  void closeDrains() throws Exception {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    LineWriter writer = new LineWriter(sink, factory(), e -> { });
    for (int i = 0; i < 50; i++) {
      writer.submit(("m" + i).getBytes(StandardCharsets.UTF_8), null);
    }
    writer.close();
    assertThat(writer.submit("late".getBytes(StandardCharsets.UTF_8), null)).isFalse();
    assertThat(writer.drain(10_000)).isTrue();
    String[] lines = sink.toString(StandardCharsets.UTF_8).split("\n");
    assertThat(lines).hasSize(50);
    assertThat(lines[49]).isEqualTo("m49");
  }

  @Test
  @DisplayName("a thread that may wait for the output writes its own line when the output is idle; other threads "
      + "hand theirs to the writer thread")
  void directWrite() throws Exception {
    GatedSink sink = new GatedSink();
    sink.open.countDown();
    LineWriter writer = new LineWriter(sink, factory(), t -> t.getName().startsWith("tool-"), e -> { });
    List<String> callbackThreads = new CopyOnWriteArrayList<>();
    Thread tool = new Thread(() -> writer.submit(bytes("answer"),
        () -> callbackThreads.add(Thread.currentThread().getName())), "tool-1");
    tool.start();
    tool.join();
    Thread other = new Thread(() -> writer.submit(bytes("notification"), null), "committer-1");
    other.start();
    other.join();
    assertThat(writer.drain(10_000)).isTrue();
    assertThat(sink.text()).isEqualTo("answer\nnotification\n");
    assertThat(sink.lineThreads).containsExactly("tool-1", "test-writer");
    assertThat(callbackThreads).containsExactly("tool-1");
    writer.close();
  }

  @Test
  @DisplayName("a client that stops reading blocks at most the one thread writing directly: later lines of any "
      + "thread are queued at once and written after it, in order, when the client reads again")
  void stalledClient() throws Exception {
    GatedSink sink = new GatedSink();
    LineWriter writer = new LineWriter(sink, factory(), t -> t.getName().startsWith("tool-"), e -> { });
    Thread first = new Thread(() -> writer.submit(bytes("first"), null), "tool-1");
    first.start();
    assertThat(sink.writing.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    // the output is stuck in the first write; these must return without waiting for it
    java.util.concurrent.ExecutorService others = java.util.concurrent.Executors.newFixedThreadPool(2, r ->
        new Thread(r, "tool-2"));
    java.util.concurrent.Future<Boolean> second = others.submit(() -> writer.submit(bytes("second"), null));
    assertThat(second.get(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    java.util.concurrent.Future<Boolean> third = others.submit(() -> writer.submit(bytes("third"), null));
    assertThat(third.get(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(writer.submit(bytes("fourth"), null)).isTrue();
    assertThat(first.isAlive()).as("the direct writer waits for the client").isTrue();
    assertThat(writer.drain(200)).isFalse();
    sink.open.countDown();
    assertThat(writer.drain(10_000)).isTrue();
    first.join(10_000);
    assertThat(sink.text()).isEqualTo("first\nsecond\nthird\nfourth\n");
    assertThat(sink.lineThreads).containsExactly("tool-1", "test-writer", "test-writer", "test-writer");
    others.shutdown();
    writer.close();
  }

  @Test
  @DisplayName("a write failure on a direct write is reported once; later lines are refused")
  void directFailure() throws Exception {
    List<IOException> failures = new CopyOnWriteArrayList<>();
    OutputStream broken = new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        throw new IOException("Broken pipe");
      }
    };
    LineWriter writer = new LineWriter(broken, factory(), t -> true, failures::add);
    AtomicInteger calls = new AtomicInteger();
    assertThat(writer.submit(bytes("lost"), calls::incrementAndGet)).isTrue();
    assertThat(writer.drain(10_000)).isTrue();
    assertThat(failures).hasSize(1);
    assertThat(calls.get()).isZero();
    assertThat(writer.submit(bytes("later"), calls::incrementAndGet)).isFalse();
    writer.close();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * An output that holds every write until {@link #open} is counted down (a client that does not read), and records
   * which thread wrote each line.
   */
  private static final class GatedSink extends OutputStream {
    final java.util.concurrent.CountDownLatch open = new java.util.concurrent.CountDownLatch(1);
    final java.util.concurrent.CountDownLatch writing = new java.util.concurrent.CountDownLatch(1);
    final List<String> lineThreads = new CopyOnWriteArrayList<>();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      writing.countDown();
      try {
        open.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
      synchronized (bytes) {
        for (int i = off; i < off + len; i++) {
          if (b[i] == '\n') {
            lineThreads.add(Thread.currentThread().getName());
          }
        }
        bytes.write(b, off, len);
      }
    }

    String text() {
      synchronized (bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
      }
    }
  }

  /** A line of 8–64 KiB whose every byte depends on (thread, seq): a torn or mixed line cannot match. */
  private static byte[] line(int thread, int seq) {
    String head = thread + ":" + seq + ":";
    int size = 8 * 1024 + ((thread * 7919 + seq * 104729) % (56 * 1024));
    byte[] b = new byte[size];
    byte[] h = head.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(h, 0, b, 0, h.length);
    for (int i = h.length; i < size; i++) {
      b[i] = (byte) ('a' + (thread + seq + i) % 26);
    }
    return b;
  }
}
