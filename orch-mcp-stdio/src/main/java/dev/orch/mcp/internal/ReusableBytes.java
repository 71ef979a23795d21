package dev.orch.mcp.internal;

import java.io.ByteArrayOutputStream;

/** A growable byte buffer whose room can be checked before it is kept for reuse in a {@link BufferPool}. */
public final class ReusableBytes extends ByteArrayOutputStream {
  /** Buffers of up to this many bytes are kept for reuse (2 MiB: a 256 KiB artifact slice's answer is ~522 KiB). */
  public static final int MAX_KEPT = 2 << 20;

  /** @param size the initial room, bytes */
  public ReusableBytes(int size) {
    super(size);
  }

  /** @return a pool of at most {@code capacity} idle buffers of up to {@link #MAX_KEPT} bytes each */
  public static BufferPool<ReusableBytes> pool(int capacity) {
    return new BufferPool<>(capacity, () -> new ReusableBytes(8192), b -> b.capacity() <= MAX_KEPT);
  }

  /** @return the bytes the buffer holds room for */
  public synchronized int capacity() {
    return buf.length;
  }
}
