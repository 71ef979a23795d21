package dev.orch.mcp.internal;

import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A few reusable buffers for rendering large answers (issue 8, get_event_artifact through MCP): a 256 KiB artifact
 * slice becomes a 270 KB pretty text and a 522 KB JSON-RPC line, and building each in fresh growing buffers made
 * about 3 MB of garbage per slice. With the launcher's small heap ({@code -XX:+UseSerialGC -Xms16m}) the buffers in
 * flight were promoted by every young collection and filled the old generation, so full collections followed.
 * Buffers taken from here are kept between answers instead.
 *
 * <p>Bounded: at most {@code capacity} idle buffers are kept, and a buffer that grew past what {@code keep} accepts
 * is dropped when given back, so memory stays at most {@code capacity ×} the largest kept size. A thread that finds
 * none idle gets a new one. Thread-safe.
 *
 * @param <T> the buffer type
 */
public final class BufferPool<T> {
  private final ArrayBlockingQueue<T> idle;
  private final Supplier<T> create;
  private final Predicate<T> keep;

  /**
   * @param capacity the most idle buffers kept (≥ 1)
   * @param create makes an empty buffer
   * @param keep whether a given-back buffer (already emptied by the caller) is small enough to keep
   */
  public BufferPool(int capacity, Supplier<T> create, Predicate<T> keep) {
    this.idle = new ArrayBlockingQueue<>(capacity);
    this.create = Objects.requireNonNull(create, "create");
    this.keep = Objects.requireNonNull(keep, "keep");
  }

  /** @return an idle buffer, or a new one when none is idle */
  public T take() {
    T b = idle.poll();
    return b != null ? b : create.get();
  }

  /**
   * Gives a buffer back; the caller must have emptied it and must not use it afterwards.
   *
   * @param buffer a buffer from {@link #take}
   */
  public void give(T buffer) {
    if (keep.test(buffer)) {
      idle.offer(buffer);
    }
  }
}
