package dev.orch.core.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.AgentMessage;
import dev.orch.core.OrchException;
import dev.orch.core.Role;
import dev.orch.core.RunOptions;
import dev.orch.core.RunId;
import dev.orch.core.RunStatus;
import dev.orch.core.SessionId;
import dev.orch.core.SessionMode;
import dev.orch.core.SpawnRequest;
import dev.orch.core.spi.RunRecord;
import dev.orch.core.spi.RunSpec;
import dev.orch.core.spi.SessionRecord;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * A validated spawn_run (or continue_run resume) request (SPEC §2 tool 1 rules, §7 profiles): the checks that
 * need no backend, and the builders of the run record and the backend's {@link RunSpec}.
 */
final class SpawnPlan {
  private final String backend;
  private final Role role;
  private final Path cwd;
  private final SessionMode mode;
  private final SessionRecord existingSession;
  private final String nickname;
  private final String prompt;
  private final AgentMessage inputMessage;
  private final String profile;
  private final String systemPrompt;
  private final ObjectNode outputSchema;
  private final ObjectNode metadata;
  private final ObjectNode backendConfig;
  private final RunOptions options;

  private SpawnPlan(String backend, Role role, Path cwd, SessionMode mode, SessionRecord existingSession,
      String nickname, String prompt, AgentMessage inputMessage, String profile, String systemPrompt,
      ObjectNode outputSchema, ObjectNode metadata, ObjectNode backendConfig, RunOptions options) {
    this.backend = backend;
    this.role = role;
    this.cwd = cwd;
    this.mode = mode;
    this.existingSession = existingSession;
    this.nickname = nickname;
    this.prompt = prompt;
    this.inputMessage = inputMessage;
    this.profile = profile;
    this.systemPrompt = systemPrompt;
    this.outputSchema = outputSchema;
    this.metadata = metadata == null ? JsonNodeFactory.instance.objectNode() : metadata.deepCopy();
    this.backendConfig = backendConfig == null ? JsonNodeFactory.instance.objectNode() : backendConfig.deepCopy();
    this.options = options == null ? RunOptions.DEFAULT : options;
  }

  /**
   * Validates a spawn request.
   *
   * @param profiles where profiles may be read from (SPEC §7, issue 9 item 5)
   * @throws OrchException with the SPEC §2 and §7 messages; nothing is persisted or started before it returns
   */
  static SpawnPlan prepare(SpawnRequest req, BackendRegistry registry, RunResolver resolver, SessionLines lines,
      Profiles profiles) {
    Path cwd = checkCwd(req.cwd());
    String prompt = req.prompt() == null || req.prompt().isBlank() ? null : req.prompt();
    if (prompt == null && req.inputMessage() == null) {
      throw OrchException.invalid("Either prompt or input_message is required");
    }
    registry.get(req.backend());
    Capabilities.require(registry.descriptor(req.backend()), req.sessionMode() == SessionMode.RESUME,
        req.outputSchema() != null, req.profile() != null);
    SessionRecord existing = null;
    if (req.sessionMode() == SessionMode.RESUME) {
      if (req.sessionId() == null || req.sessionId().isBlank()) {
        throw OrchException.invalid("session_id is required when session_mode is resume");
      }
      SessionId sid = new SessionId(req.sessionId());
      existing = resolver.session(sid, cwd)
          .orElseThrow(() -> OrchException.notFound("Unknown session_id: " + req.sessionId()));
      if (!existing.backend().equals(req.backend())) {
        throw OrchException.conflict("Session " + sid + " is bound to backend " + existing.backend() + ", not "
            + req.backend());
      }
      if (!Cwds.same(existing.cwd(), cwd)) {
        throw OrchException.conflict("Session " + sid + " belongs to cwd " + existing.cwd() + ", not " + cwd);
      }
      requireResumable(existing, lines);
    }
    for (RunId dep : req.options().dependsOn()) {
      if (resolver.byId(dep).isEmpty()) {
        throw OrchException.notFound("depends_on: Unknown run_id: " + dep);
      }
    }
    String nickname = req.nickname() == null || req.nickname().isBlank() ? null : req.nickname().trim();
    String systemPrompt = req.profile() == null ? null : profiles.systemPrompt(req.profile(), cwd);
    String text = prompt != null ? prompt : req.inputMessage().render();
    return new SpawnPlan(req.backend(), req.role(), cwd, req.sessionMode(), existing, nickname, text,
        req.inputMessage(), req.profile(), systemPrompt, req.outputSchema(), req.metadata(), req.backendConfig(),
        req.options());
  }

  /**
   * A session can be resumed when its backend conversation is known, or when a run of it is still active or queued
   * here (the id is then read when the resumed run leaves the line).
   *
   * @throws OrchException CONFLICT {@code Session <id> has no backend session id yet}
   */
  static void requireResumable(SessionRecord session, SessionLines lines) {
    if (session.backendSessionId() == null && !lines.busy(session.sessionId())) {
      throw OrchException.conflict("Session " + session.sessionId() + " has no backend session id yet");
    }
  }

  /**
   * A plan for continue_run on a completed/failed run: same session, backend, role, cwd and profile.
   *
   * @param profiles where profiles may be read from; the stored profile is checked again like at spawn
   * @throws OrchException INVALID_ARGUMENT when the profile can no longer be read
   */
  static SpawnPlan resumeOf(RunRecord previous, SessionRecord session, AgentMessage message, ObjectNode config,
      Profiles profiles) {
    ObjectNode meta = JsonNodeFactory.instance.objectNode();
    meta.put("resumed_from_run_id", previous.runId().value());
    meta.put("resume_reason", "continue_run_after_terminal");
    String systemPrompt = previous.profile() == null ? null
        : profiles.systemPrompt(previous.profile(), previous.cwd());
    return new SpawnPlan(previous.backend(), previous.role() == null ? Role.WORKER : previous.role(), previous.cwd(),
        SessionMode.RESUME, session, null, message.render(), message, previous.profile(), systemPrompt, null, meta,
        config, new RunOptions(previous.options().priority(), List.of(), previous.options().limits(),
            previous.options().workspace()));
  }

  private static Path checkCwd(String text) {
    Path p;
    try {
      p = Path.of(text);
    } catch (InvalidPathException e) {
      throw OrchException.invalid("cwd is not a valid path: " + text);
    }
    if (!p.isAbsolute()) {
      throw OrchException.invalid("cwd must be an absolute path: " + text);
    }
    if (!Files.exists(p)) {
      throw OrchException.invalid("cwd does not exist: " + text);
    }
    if (!Files.isDirectory(p)) {
      throw OrchException.invalid("cwd is not a directory: " + text);
    }
    return Cwds.canonical(p);
  }

  SessionMode mode() {
    return mode;
  }

  Role role() {
    return role;
  }

  Path cwd() {
    return cwd;
  }

  String backend() {
    return backend;
  }

  String nickname() {
    return nickname;
  }

  ObjectNode metadata() {
    return metadata.deepCopy();
  }

  ObjectNode backendConfig() {
    return backendConfig.deepCopy();
  }

  SessionRecord existingSession() {
    return existingSession;
  }

  /** @return a stand-in session for validation before a new session exists */
  SessionRecord provisionalSession() {
    if (existingSession != null) {
      return existingSession;
    }
    return new SessionRecord(SessionId.random(), backend, cwd, nickname == null ? "agent" : nickname, null, null,
        null, null, null, role, null);
  }

  RunOptions options() {
    return options;
  }

  PendingStart pendingStart() {
    return new PendingStart(inputMessage, systemPrompt, backendConfig.deepCopy(), mode == SessionMode.RESUME);
  }

  /** @return what the run needs at start, with the workflow steps whose results fill its prompt (SPEC §12.6) */
  PendingStart pendingStart(java.util.Map<String, RunId> stepResults) {
    return new PendingStart(inputMessage, systemPrompt, backendConfig.deepCopy(), mode == SessionMode.RESUME,
        stepResults);
  }

  /**
   * @param more runs to wait for in addition to the request's own {@code depends_on} (a workflow's earlier steps)
   * @return this plan waiting for them too
   */
  SpawnPlan withDependencies(List<RunId> more) {
    if (more.isEmpty()) {
      return this;
    }
    List<RunId> all = new java.util.ArrayList<>(options.dependsOn());
    more.stream().filter(d -> !all.contains(d)).forEach(all::add);
    return new SpawnPlan(backend, role, cwd, mode, existingSession, nickname, prompt, inputMessage, profile,
        systemPrompt, outputSchema, metadata, backendConfig,
        new RunOptions(options.priority(), all, options.limits(), options.workspace()));
  }

  /** @return the first run.json of a run of this plan (status queued) */
  RunRecord newRecord(RunId runId, SessionRecord session, Instant now, ObjectNode redactedConfig) {
    return new RunRecord(runId, backend, role, session.sessionId(), session.agentName(), RunStatus.QUEUED, cwd,
        prompt, profile, metadata, mode == SessionMode.RESUME ? session.remoteRef() : null, now, now, null, 0,
        "Run queued", null, null, outputSchema, redactedConfig, null, options, null);
  }

  /** @return a spec for {@code Backend.validate} */
  RunSpec specFor(RunId runId, SessionRecord session, RunSpec.Resume resume) {
    RunSpec.Resume r = resume;
    if (r == null && mode == SessionMode.RESUME && existingSession != null) {
      r = new RunSpec.Resume(existingSession.backendSessionId() == null ? "pending"
          : existingSession.backendSessionId(), existingSession.remoteRef());
    }
    return new RunSpec(runId, session.sessionId(), session.agentName(), role, cwd, prompt, inputMessage,
        systemPrompt, outputSchema, backendConfig, r,
        Engine.peerEnv(session.agentName(), session.sessionId().value(), cwd.toString()), metadata);
  }

  /**
   * @param childPath {@code {PATH: <peer dir>:<PATH>}} or empty (see {@link PeerCommand})
   * @return the spec a queued run starts with
   */
  static RunSpec spec(RunRecord r, SessionRecord session, PendingStart pending, RunSpec.Resume resume,
      java.util.Map<String, String> childPath) {
    var env = new java.util.HashMap<>(Engine.peerEnv(session.agentName(), session.sessionId().value(),
        r.cwd().toString()));
    env.putAll(childPath);
    return new RunSpec(r.runId(), r.sessionId(), r.agentName(), r.role(), r.cwd(), r.prompt(), pending.inputMessage(),
        pending.systemPrompt(), r.outputSchema(), pending.backendConfig(), resume, env, r.metadata());
  }
}
