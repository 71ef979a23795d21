package dev.orch.core.spi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A change signal keeps a change raised while its follower was busy and wakes a waiting follower")
class ChangeSignalTest {

  @Test
  @DisplayName("a change raised before the wait is seen at once, and only once")
  void raisedBefore() throws Exception {
    ChangeSignal s = new ChangeSignal();
    s.raise();
    s.raise();
    assertThat(s.await(60_000)).isTrue();
    assertThat(s.await(0)).as("lowered by the wait that saw it").isFalse();
  }

  @Test
  @DisplayName("without a change the wait ends on its timer")
  void timeout() throws Exception {
    assertThat(new ChangeSignal().await(5)).isFalse();
  }

  @Test
  @DisplayName("a change raised by another thread wakes the waiter")
  void wakes() throws Exception {
    ChangeSignal s = new ChangeSignal();
    Thread raiser = new Thread(() -> {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      s.raise();
    });
    raiser.start();
    assertThat(s.await(60_000)).isTrue();
    raiser.join();
  }
}
