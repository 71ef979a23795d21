package dev.orch.agents;

import java.util.Locale;
import java.util.Optional;

/**
 * What a test agent wraps (SPEC §9): a local Orch backend ({@code codex}, {@code claude_code}) or a script.
 */
public enum Flavour {
  /** Wraps the {@code codex} backend (Codex CLI). */
  CODEX("codex", "Codex Test Agent", "codex", "Runs each task with the Codex CLI through Orch"),
  /** Wraps the {@code claude_code} backend (Claude Code CLI). */
  CLAUDE_CODE("claude_code", "Claude Code Test Agent", "claude-code",
      "Runs each task with the Claude Code CLI through Orch"),
  /** Answers from a script file (echo, ask-for-input, fail, slow), no CLI. */
  SCRIPTED("scripted", "Scripted Test Agent", "scripted",
      "Answers from a script: echo, ask for input, fail or work slowly");

  private final String id;
  private final String cardName;
  private final String skillId;
  private final String description;

  Flavour(String id, String cardName, String skillId, String description) {
    this.id = id;
    this.cardName = cardName;
    this.skillId = skillId;
    this.description = description;
  }

  /** @return the launcher's name for it, and for the backend flavours the Orch backend id */
  public String id() {
    return id;
  }

  /** @return the agent card's {@code name} */
  public String cardName() {
    return cardName;
  }

  /** @return the id of the card's one skill */
  public String skillId() {
    return skillId;
  }

  /** @return the card's description */
  public String description() {
    return description;
  }

  /** @return true for the flavours that run an Orch backend */
  public boolean wrapsBackend() {
    return this != SCRIPTED;
  }

  /**
   * @param text {@code codex}, {@code claude_code} (also {@code claude-code}, {@code claude}) or {@code scripted};
   *     case-insensitive; may be null
   * @return the flavour, or empty when the text names none
   */
  public static Optional<Flavour> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String t = text.trim().toLowerCase(Locale.ROOT).replace('-', '_');
    if (t.equals("claude")) {
      return Optional.of(CLAUDE_CODE);
    }
    for (Flavour f : values()) {
      if (f.id.equals(t)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }
}
