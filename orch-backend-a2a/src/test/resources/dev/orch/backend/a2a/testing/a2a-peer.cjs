'use strict';
// An independent A2A agent for Orch's tests: @a2a-js/sdk 1.3.0 (A2A 1.0 natively) + express, with the v0.3
// compatibility layer switched on so that the A2A Java SDK 0.3.3 (protocol 0.3.0) can talk to it.
//
// Behaviour is chosen by keywords in the text of the first message of a task:
//   [ask]    -> input-required ("What is your name?"); the next message in the same task completes it
//   [auth]   -> auth-required; the next message in the same task completes it
//   [taskwait] -> input-required delivered inside a task object (not a status-update)
//   [reject] -> rejected        [fail] -> failed ("remote exploded")
//   [slow]   -> works for up to 30 s, stops with canceled when tasks/cancel arrives
//   [pause]  -> works 1.5 s, then answers
//   [drop]   -> sends working, then destroys the connection
//   [hold]   -> sends working, then waits until GET /_release (or tasks/cancel), then answers "released: <text>"
//   [usage]  -> like the default, and the completed status-update carries metadata.usage (token counts, cost, model)
//   anything else -> working message, an artifact (text, plus a data part when output_schema is in the
//                    message metadata), then completed with a final agent message
// Every JSON-RPC request is recorded (method, headers, params) and served on GET /_log.
// Usage: node a2a-peer.cjs [--no-streaming]; prints "PORT <n>" when listening on 127.0.0.1.

const http = require('http');
const express = require('express');
const { Role, TaskState } = require('@a2a-js/sdk');
const { DefaultRequestHandler, InMemoryTaskStore, AgentEvent } = require('@a2a-js/sdk/server');
const { agentCardHandler, jsonRpcHandler, UserBuilder } = require('@a2a-js/sdk/server/express');
const { duplicateInterfacesForLegacy } = require('@a2a-js/sdk/compat/v0_3');

const streaming = !process.argv.includes('--no-streaming');
const log = [];
const cancelled = new Set();
let released = false;
const openSockets = new Set();

function textPart(text) {
  return { content: { $case: 'text', value: text }, metadata: undefined, filename: '', mediaType: 'text/plain' };
}

function dataPart(data) {
  return { content: { $case: 'data', value: data }, metadata: undefined, filename: '', mediaType: 'application/json' };
}

function agentMessage(ctx, text) {
  return {
    role: Role.ROLE_AGENT, messageId: crypto.randomUUID(), parts: [textPart(text)], taskId: ctx.taskId,
    contextId: ctx.contextId, extensions: [], metadata: {}, referenceTaskIds: [],
  };
}

// What a [usage] task reports with its completed status (Orch reads metadata.usage, docs/backend-a2a.md).
const USAGE = { input_tokens: 1500, cached_input_tokens: 500, output_tokens: 250, reasoning_output_tokens: 50,
  total_tokens: 1750, cost_usd: 0.0123, model: 'remote-model-1', turns: 2 };

function status(ctx, state, text, metadata) {
  return AgentEvent.statusUpdate({
    taskId: ctx.taskId, contextId: ctx.contextId,
    status: { state, timestamp: new Date().toISOString(), message: text ? agentMessage(ctx, text) : undefined },
    metadata: metadata || {},
  });
}

function textOf(message) {
  return message.parts.filter((p) => p.content && p.content.$case === 'text').map((p) => p.content.value).join('\n');
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class PeerExecutor {
  constructor() {
    this.cancelTask = async (taskId) => {
      cancelled.add(taskId);
    };
  }

  async execute(ctx, bus) {
    const msg = ctx.userMessage;
    const text = textOf(msg);
    const existing = ctx.task;
    const first = existing ? (textOf(existing.history[0] || msg)) : text;
    const submitted = existing ?? {
      id: ctx.taskId, contextId: ctx.contextId,
      status: { state: TaskState.TASK_STATE_SUBMITTED, timestamp: new Date().toISOString(), message: undefined },
      artifacts: [], history: [msg], metadata: {},
    };
    if (!existing && first.includes('[taskwait]')) {
      bus.publish(AgentEvent.task({
        ...submitted,
        status: { state: TaskState.TASK_STATE_INPUT_REQUIRED, timestamp: new Date().toISOString(),
          message: agentMessage(ctx, 'Which colour, please?') },
      }));
      bus.finished();
      return;
    }
    bus.publish(AgentEvent.task(submitted));
    if (existing && (first.includes('[ask]') || first.includes('[auth]') || first.includes('[taskwait]'))) {
      bus.publish(status(ctx, TaskState.TASK_STATE_WORKING, 'Thanks, finishing'));
      await this.answer(ctx, bus, msg, 'Hello, ' + text);
      return;
    }
    if (first.includes('[ask]')) {
      bus.publish(status(ctx, TaskState.TASK_STATE_INPUT_REQUIRED, 'What is your name?'));
    } else if (first.includes('[auth]')) {
      bus.publish(status(ctx, TaskState.TASK_STATE_AUTH_REQUIRED, 'Please sign in at https://auth.example'));
    } else if (first.includes('[reject]')) {
      bus.publish(status(ctx, TaskState.TASK_STATE_REJECTED, 'I will not do that'));
    } else if (first.includes('[fail]')) {
      bus.publish(status(ctx, TaskState.TASK_STATE_WORKING, 'Trying'));
      bus.publish(status(ctx, TaskState.TASK_STATE_FAILED, 'remote exploded'));
    } else if (first.includes('[slow]')) {
      bus.publish(status(ctx, TaskState.TASK_STATE_WORKING, 'Working slowly'));
      for (let i = 0; i < 300; i++) {
        if (cancelled.has(ctx.taskId)) {
          bus.publish(status(ctx, TaskState.TASK_STATE_CANCELED, 'Cancelled on request'));
          bus.finished();
          return;
        }
        await sleep(100);
      }
      await this.answer(ctx, bus, msg, 'slow answer');
      return;
    } else if (first.includes('[pause]')) {
      bus.publish(status(ctx, TaskState.TASK_STATE_WORKING, 'Pausing'));
      await sleep(1500);
      await this.answer(ctx, bus, msg, 'after pause');
      return;
    } else if (first.includes('[hold]')) {
      bus.publish(status(ctx, TaskState.TASK_STATE_WORKING, 'Holding until released'));
      while (!released) {
        if (cancelled.has(ctx.taskId)) {
          bus.publish(status(ctx, TaskState.TASK_STATE_CANCELED, 'Cancelled on request'));
          bus.finished();
          return;
        }
        await sleep(50);
      }
      await this.answer(ctx, bus, msg, 'released: ' + text);
      return;
    } else if (first.includes('[drop]')) {
      bus.publish(status(ctx, TaskState.TASK_STATE_WORKING, 'About to drop'));
      await sleep(200);
      for (const s of openSockets) {
        s.destroy();
      }
      return;
    } else {
      bus.publish(status(ctx, TaskState.TASK_STATE_WORKING, 'Working on it'));
      await this.answer(ctx, bus, msg, 'Echo: ' + text, first.includes('[usage]') ? USAGE : undefined);
      return;
    }
    bus.finished();
  }

  async answer(ctx, bus, msg, answerText, usage) {
    const parts = [textPart(answerText)];
    const meta = msg.metadata || {};
    if (meta.output_schema) {
      parts.push(dataPart({ answer: answerText, schema_type: meta.output_schema.type || null }));
    }
    bus.publish(AgentEvent.artifactUpdate({
      taskId: ctx.taskId, contextId: ctx.contextId,
      artifact: { artifactId: 'answer-1', name: 'answer', description: 'The answer', parts, metadata: undefined,
        extensions: [] },
      append: false, lastChunk: true, metadata: undefined,
    }));
    bus.publish(status(ctx, TaskState.TASK_STATE_COMPLETED, answerText, usage ? { usage } : undefined));
    bus.finished();
  }
}

const app = express();
const server = http.createServer(app);
server.on('connection', (s) => {
  openSockets.add(s);
  s.on('close', () => openSockets.delete(s));
});

app.get('/_log', (req, res) => res.json(log));
app.get('/_release', (req, res) => {
  released = true;
  res.json({ released: true });
});

server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  const card = {
    name: 'JS Test Peer',
    description: 'Independent @a2a-js/sdk peer for Orch tests',
    supportedInterfaces: duplicateInterfacesForLegacy(
      [{ url: `http://127.0.0.1:${port}/a2a/jsonrpc`, protocolBinding: 'JSONRPC', tenant: '', protocolVersion: '1.0' }],
      ['JSONRPC']),
    provider: { organization: 'Orch tests', url: 'https://example.com' },
    version: '1.0.0',
    capabilities: { streaming, pushNotifications: false, extensions: [], extendedAgentCard: false },
    securitySchemes: {},
    securityRequirements: [],
    defaultInputModes: ['text'],
    defaultOutputModes: ['text'],
    skills: [{ id: 'echo', name: 'Echo', description: 'Echoes and more', tags: ['test'], examples: ['hi'],
      inputModes: ['text'], outputModes: ['text'], securityRequirements: [] }],
    documentationUrl: '',
    signatures: [],
  };
  const requestHandler = new DefaultRequestHandler(card, new InMemoryTaskStore(), new PeerExecutor());
  app.use('/.well-known/agent-card.json', agentCardHandler({ agentCardProvider: requestHandler, legacyCompat: { enabled: true } }));
  app.use('/a2a/jsonrpc', express.json(), (req, res, next) => {
    const body = req.body || {};
    const params = body.params || {};
    const message = params.message || {};
    log.push({
      method: body.method || null,
      headers: req.headers,
      task_id: message.taskId || params.id || null,
      context_id: message.contextId || null,
      metadata: message.metadata || null,
      text: Array.isArray(message.parts) ? message.parts.filter((p) => p.kind === 'text').map((p) => p.text) : [],
      configuration: params.configuration || null,
    });
    next();
  });
  app.use('/a2a/jsonrpc', jsonRpcHandler({ requestHandler, userBuilder: UserBuilder.noAuthentication, legacyCompat: { enabled: true } }));
  process.stdout.write(`PORT ${port}\n`);
});

process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => process.exit(0));
