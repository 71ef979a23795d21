package dev.orch.core;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The shared Jackson mapper of orch-core (thread-safe once configured). */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {
  }
}
