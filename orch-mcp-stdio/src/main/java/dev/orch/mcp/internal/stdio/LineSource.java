package dev.orch.mcp.internal.stdio;

import java.io.IOException;

/** Where the transport's reader takes the protocol input lines from (MCP stdio framing). Used by one thread. */
interface LineSource {
  /**
   * @return the next line, or null at EOF when nothing is left
   * @throws IOException when reading fails
   */
  LineReader.Line next() throws IOException;
}
