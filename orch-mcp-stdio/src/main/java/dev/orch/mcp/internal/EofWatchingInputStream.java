package dev.orch.mcp.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Passes stdin through to the MCP transport and runs a callback once when it ends (EOF or a read error). The SDK
 * does not stop the process on stdin EOF while other non-daemon threads live (REAL-PEERS "MCP peers"); this is how
 * Orch notices the client went away (SPEC §10).
 */
public final class EofWatchingInputStream extends FilterInputStream {
  private final Runnable onEnd;
  private final AtomicBoolean ended = new AtomicBoolean();

  /**
   * @param in the stream to watch (stdin)
   * @param onEnd called once, on the reading thread, at EOF or on the first read error
   */
  public EofWatchingInputStream(InputStream in, Runnable onEnd) {
    super(in);
    this.onEnd = onEnd;
  }

  @Override
  public int read() throws IOException {
    try {
      int b = super.read();
      if (b < 0) {
        end();
      }
      return b;
    } catch (IOException e) {
      end();
      throw e;
    }
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    try {
      int n = super.read(b, off, len);
      if (n < 0) {
        end();
      }
      return n;
    } catch (IOException e) {
      end();
      throw e;
    }
  }

  private void end() {
    if (ended.compareAndSet(false, true)) {
      onEnd.run();
    }
  }
}
