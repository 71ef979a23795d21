package dev.orch.core.spi;

/**
 * A registration for change notifications ({@link DirectoryWatch#watch}, {@link RunStore#watchEventLog}); closing it
 * ends them.
 */
public interface Subscription extends AutoCloseable {
  /** Stops the notifications; idempotent, never throws. */
  @Override
  void close();
}
