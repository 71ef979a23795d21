package dev.orch.core.internal.sanitize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orch.core.internal.sanitize.Utf8Slices.Slice;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class Utf8SlicesTest {
  private static final String MIXED = "a€漢😀b\u00e9\uD83C\uDF89字z"; // 1, 3, 3, 4, 1, 2, 4, 3, 1 bytes
  private static final byte[] BYTES = MIXED.getBytes(StandardCharsets.UTF_8);

  private static String strict(byte[] bytes) throws CharacterCodingException {
    return StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(bytes)).toString();
  }

  @Test
  @DisplayName("An offset inside a 4-byte character moves forward to the next character and is reported")
  void offsetInsideFourByteCharacter() {
    byte[] bytes = "a😀b".getBytes(StandardCharsets.UTF_8); // 61 F0 9F 98 80 62
    for (int inside = 2; inside <= 4; inside++) {
      Slice slice = Utf8Slices.slice(bytes, inside, 100);
      assertThat(slice.offset()).isEqualTo(5);
      assertThat(slice.text()).isEqualTo("b");
      assertThat(slice.returnedBytes()).isEqualTo(1);
      assertThat(slice.hasMore()).isFalse();
    }
  }

  @Test
  @DisplayName("A limit of 1 on a 3-byte character returns that whole character, so reading progresses")
  void limitSmallerThanCharacter() {
    byte[] bytes = "漢字".getBytes(StandardCharsets.UTF_8);
    Slice slice = Utf8Slices.slice(bytes, 0, 1);
    assertThat(slice.text()).isEqualTo("漢");
    assertThat(slice.returnedBytes()).isEqualTo(3);
    assertThat(slice.hasMore()).isTrue();
    assertThat(slice.nextOffset()).isEqualTo(3);
    Slice next = Utf8Slices.slice(bytes, slice.nextOffset(), 2);
    assertThat(next.text()).isEqualTo("字");
    assertThat(next.hasMore()).isFalse();
  }

  @Test
  @DisplayName("An end inside a character moves back to the character's start")
  void endMovesBack() {
    Slice slice = Utf8Slices.slice("ab漢c".getBytes(StandardCharsets.UTF_8), 0, 4);
    assertThat(slice.text()).isEqualTo("ab");
    assertThat(slice.hasMore()).isTrue();
  }

  @Test
  @DisplayName("An offset at or past the end gives empty content and has_more false")
  void offsetPastEnd() {
    for (long offset : new long[] {BYTES.length, BYTES.length + 1L, 1L << 40}) {
      Slice slice = Utf8Slices.slice(BYTES, offset, 65536);
      assertThat(slice.returnedBytes()).isZero();
      assertThat(slice.hasMore()).isFalse();
      assertThat(slice.offset()).isEqualTo(offset);
    }
    Slice empty = Utf8Slices.slice(new byte[0], 0, 10);
    assertThat(empty.returnedBytes()).isZero();
    assertThat(empty.hasMore()).isFalse();
  }

  @Test
  @DisplayName("An offset inside the last character gives empty content at the end, has_more false")
  void offsetInsideLastCharacter() {
    byte[] bytes = "a漢".getBytes(StandardCharsets.UTF_8);
    Slice slice = Utf8Slices.slice(bytes, 2, 10);
    assertThat(slice.offset()).isEqualTo(bytes.length);
    assertThat(slice.returnedBytes()).isZero();
    assertThat(slice.hasMore()).isFalse();
  }

  @Test
  @DisplayName("Paging with every limit from 1 to 12 decodes strictly and reassembles the text exactly")
  void pagingReassembles() throws CharacterCodingException {
    for (int limit = 1; limit <= 12; limit++) {
      StringBuilder text = new StringBuilder();
      long offset = 0;
      int reads = 0;
      Slice slice;
      do {
        slice = Utf8Slices.slice(BYTES, offset, limit);
        assertThat(slice.offset()).as("limit %d", limit).isEqualTo(offset);
        assertThat(slice.returnedBytes()).isLessThanOrEqualTo(Math.max(limit, 4)).isPositive();
        text.append(strict(slice.content()));
        offset = slice.nextOffset();
        reads++;
      } while (slice.hasMore());
      assertThat(text.toString()).as("limit %d", limit).isEqualTo(MIXED);
      assertThat(offset).isEqualTo(BYTES.length);
      assertThat(reads).isLessThanOrEqualTo(BYTES.length);
    }
  }

  @Test
  @DisplayName("The smallest window a store reads gives the same slices as the whole content; a smaller one is refused")
  void windowMatchesWhole() {
    for (int offset = 0; offset <= BYTES.length; offset++) {
      for (int limit = 1; limit <= 16; limit++) {
        long end = Utf8Slices.windowEnd(offset, limit, BYTES.length);
        byte[] window = Arrays.copyOfRange(BYTES, offset, (int) end);
        Slice whole = Utf8Slices.slice(BYTES, offset, limit);
        Slice windowed = Utf8Slices.slice(window, offset, BYTES.length, offset, limit);
        assertThat(windowed.offset()).isEqualTo(whole.offset());
        assertThat(windowed.content()).isEqualTo(whole.content());
        assertThat(windowed.hasMore()).isEqualTo(whole.hasMore());
      }
    }
    byte[] big = "x".repeat(100).getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> Utf8Slices.slice(Arrays.copyOf(big, 19), 0, 100, 0, 20))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not cover");
    assertThatThrownBy(() -> Utf8Slices.slice(Arrays.copyOf(big, 11), 0, 100, 0, 4))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not cover");
    assertThatThrownBy(() -> Utf8Slices.slice(Arrays.copyOfRange(big, 10, 100), 10, 100, 5, 20))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("Invalid UTF-8 (e.g. content cut by the TS server) still pages to the end without error")
  void invalidBytesProgress() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80}); // stray continuations
    out.writeBytes("ok".getBytes(StandardCharsets.UTF_8));
    out.writeBytes(new byte[] {(byte) 0xE6, (byte) 0xBC}); // a 3-byte character cut at the end
    byte[] bytes = out.toByteArray();
    ByteArrayOutputStream read = new ByteArrayOutputStream();
    long offset = 0;
    Slice slice;
    do {
      slice = Utf8Slices.slice(bytes, offset, 1);
      read.writeBytes(slice.content());
      offset = slice.nextOffset();
    } while (slice.hasMore());
    assertThat(offset).isEqualTo(bytes.length);
    // at most 3 stray bytes are skipped per read; the cut character at the end is returned as it is
    assertThat(read.toByteArray()).containsExactly((byte) 0x80, (byte) 'o', (byte) 'k', (byte) 0xE6, (byte) 0xBC);
  }

  @Test
  @DisplayName("A store reads no byte past offset + limit for a limit of 8 or more (a 256 KiB slice ends on its chunk)")
  void windowEndsAtLimit() {
    assertThat(Utf8Slices.windowEnd(65536, 262144, 1L << 30)).isEqualTo(65536 + 262144);
    assertThat(Utf8Slices.windowEnd(0, 8, 100)).isEqualTo(8);
    assertThat(Utf8Slices.windowEnd(0, 7, 100)).isEqualTo(7 + Utf8Slices.WINDOW_SLACK_BYTES);
    assertThat(Utf8Slices.windowEnd(95, 262144, 100)).isEqualTo(100);
    // a 4-byte character across the end of a 256 KiB window: cut before it, from the window's own bytes
    byte[] content = new byte[262144 + 8];
    Arrays.fill(content, (byte) 'x');
    byte[] emoji = "😀".getBytes(StandardCharsets.UTF_8);
    System.arraycopy(emoji, 0, content, 262144 - 2, 4);
    Slice slice = Utf8Slices.slice(Arrays.copyOf(content, 262144), 0, content.length, 0, 262144);
    assertThat(slice.returnedBytes()).isEqualTo(262144 - 2);
    assertThat(slice.hasMore()).isTrue();
    Slice next = Utf8Slices.slice(content, slice.nextOffset(), 262144);
    assertThat(next.text()).startsWith("😀x");
  }

  @Test
  @DisplayName("Stray continuation bytes just before the end are returned as they are, not backed over")
  void strayContinuationBeforeEnd() {
    byte[] bytes = {'a', 'b', (byte) 0x80, (byte) 0x80, 'z', 'z', 'z', 'z', 'z', 'z'};
    Slice slice = Utf8Slices.slice(bytes, 0, 4);
    assertThat(slice.content()).containsExactly('a', 'b', 0x80, 0x80);
    Slice rest = Utf8Slices.slice(bytes, slice.nextOffset(), 100);
    assertThat(rest.text()).isEqualTo("zzzzzz");
  }

  @Test
  @DisplayName("A negative offset or a limit below 1 is rejected")
  void rejectsBadArguments() {
    assertThatThrownBy(() -> Utf8Slices.slice(BYTES, -1, 10)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Utf8Slices.slice(BYTES, 0, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
