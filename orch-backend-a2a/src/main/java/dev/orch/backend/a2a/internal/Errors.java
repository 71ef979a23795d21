package dev.orch.backend.a2a.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.a2a.spec.JSONRPCError;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Turns SDK and transport failures into one clear, single-line reason for {@code run_failed}. */
final class Errors {
  private Errors() {
  }

  /**
   * @param t the failure (any depth of causes), may be null
   * @return a one-line description: the most telling facts of the cause chain, most specific last
   */
  static String describe(Throwable t) {
    if (t == null) {
      return "unknown error";
    }
    List<String> parts = new ArrayList<>();
    Set<Throwable> seen = new HashSet<>();
    for (Throwable c = t; c != null && seen.add(c); c = c.getCause()) {
      String s = clean(one(c));
      String core = clean(c instanceof JsonProcessingException j ? j.getOriginalMessage() : null);
      boolean known = parts.stream().anyMatch(p -> p.contains(s) || (!core.isEmpty() && p.contains(core)));
      if (!s.isBlank() && !known) {
        parts.removeIf(s::contains);
        parts.add(s);
      }
    }
    return parts.isEmpty() ? t.getClass().getSimpleName() : String.join(": ", parts);
  }

  /** Drops Jackson's location noise and collapses white space. */
  private static String clean(String s) {
    if (s == null) {
      return "";
    }
    return s.replaceAll("\\s*at \\[Source: [^\\]]*\\]", "")
        .replaceAll("\\s*\\(through reference chain: [^)]*\\)", "")
        .replaceAll("\\s+", " ").trim();
  }

  private static String one(Throwable c) {
    if (c instanceof HttpConnectTimeoutException) {
      return "connect timed out";
    }
    if (c instanceof ConnectException) {
      return "connection refused";
    }
    if (c instanceof UnknownHostException || c instanceof UnresolvedAddressException) {
      return "unknown host" + (c.getMessage() == null ? "" : " " + c.getMessage());
    }
    if (c instanceof HttpTimeoutException) {
      return c.getMessage() == null ? "timed out" : c.getMessage();
    }
    if (c instanceof JSONRPCError e) {
      return "JSON-RPC error " + e.getCode() + ": " + e.getMessage()
          + (e.getData() == null ? "" : " (" + e.getData() + ")");
    }
    if (c instanceof JsonProcessingException e) {
      return "malformed response (" + e.getOriginalMessage() + ")";
    }
    String m = c.getMessage();
    if (m == null) {
      return c.getClass().getSimpleName();
    }
    // the SDK prefixes nested exceptions' toString(): keep the text, drop Java class names
    return m.replaceAll("(?:[a-z][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*(?:Exception|Error): ?", "").trim();
  }
}
