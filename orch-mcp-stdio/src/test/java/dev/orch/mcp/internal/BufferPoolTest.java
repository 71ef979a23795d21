package dev.orch.mcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Large answers are rendered in a few reused buffers, bounded in number and size")
class BufferPoolTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  @DisplayName("a given-back buffer is taken again; at most `capacity` are kept; one grown past the limit is dropped")
  void bounded() {
    AtomicInteger made = new AtomicInteger();
    BufferPool<ReusableBytes> pool = new BufferPool<>(2, () -> {
      made.incrementAndGet();
      return new ReusableBytes(16);
    }, b -> b.capacity() <= 1024);
    ReusableBytes a = pool.take();
    ReusableBytes b = pool.take();
    ReusableBytes c = pool.take();
    assertThat(made).hasValue(3);
    pool.give(a);
    pool.give(b);
    pool.give(c); // a third idle one is not kept
    assertThat(pool.take()).isSameAs(a);
    assertThat(pool.take()).isSameAs(b);
    assertThat(made).hasValue(3);
    assertThat(pool.take()).isNotIn(a, b, c);
    assertThat(made).hasValue(4);

    ReusableBytes big = pool.take();
    big.write(new byte[4096], 0, 4096);
    big.reset();
    pool.give(big); // grew to 4 KiB, over the 1 KiB kept
    assertThat(pool.take()).isNotSameAs(big);
  }

  @Test
  @DisplayName("a pretty text rendered after a larger one holds nothing of it, and equals Jackson's own rendering")
  void prettyTextAfterLargerText() throws Exception {
    ResultRenderer renderer = new ResultRenderer(JSON);
    ObjectNode large = JSON.createObjectNode().put("content", "log line \"quoted\"\n".repeat(20_000));
    ObjectNode small = JSON.createObjectNode().put("content", "ok \uD83D\uDE00").put("n", 1);
    for (int i = 0; i < 3; i++) {
      String text = renderer.prettyText(large);
      assertThat(JSON.readTree(text)).isEqualTo(large);
      assertThat(renderer.prettyText(small)).isEqualTo("{\n  \"content\": \"ok \uD83D\uDE00\",\n  \"n\": 1\n}");
    }
  }
}
