package dev.orch.core.internal.sanitize;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * UTF-8 sizes and encoding that agree with each other and with Node's {@code Buffer.byteLength}: a lone
 * surrogate counts as, and is encoded to, U+FFFD (3 bytes). {@link String#getBytes} would write {@code ?}
 * (1 byte) instead, so sizes and artifact bytes would disagree.
 */
final class Utf8 {
  private static final byte[] REPLACEMENT = {(byte) 0xEF, (byte) 0xBF, (byte) 0xBD};

  private Utf8() {
  }

  /** @return the number of UTF-8 bytes {@link #encode} produces for {@code s} */
  static long length(CharSequence s) {
    long bytes = 0;
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3; // BMP character, or a lone surrogate written as U+FFFD
      }
    }
    return bytes;
  }

  /** @return the UTF-8 bytes of {@code s}, lone surrogates replaced by U+FFFD */
  static byte[] encode(String s) {
    CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder()
        .onMalformedInput(CodingErrorAction.REPLACE)
        .onUnmappableCharacter(CodingErrorAction.REPLACE)
        .replaceWith(REPLACEMENT);
    try {
      ByteBuffer buffer = encoder.encode(CharBuffer.wrap(s));
      byte[] out = new byte[buffer.remaining()];
      buffer.get(out);
      return out;
    } catch (CharacterCodingException e) {
      // REPLACE actions make the encoder total; reaching this is a JDK defect, not bad input.
      throw new IllegalStateException("UTF-8 encoder with REPLACE failed", e);
    }
  }
}
