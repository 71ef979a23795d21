'use strict';
// An independent A2A client for Orch's test agents: @a2a-js/sdk 1.3.0's Client (A2A 1.0 natively) with its v0.3
// compatibility layer (card resolver + JSON-RPC transport factory with legacyCompat), talking to the Java
// 0.3.0 JSON-RPC server of orch-test-agents.
//
// Usage: node js-a2a-client.cjs <agent base url> <cwd | -> <scenario> <prompt>
//   cwd     sent as metadata.nanobot_orchestrator.cwd; "-" sends a plain message with no metadata (a generic client)
//   send    blocking message/send, then tasks/get of the returned task
//   stream  message/stream until the stream ends, then tasks/get
//   cancel  message/stream; at the first working update tasks/cancel; then read the stream to its end, tasks/get
// Prints one JSON object on stdout: {card, result?, events?, cancel?, task}; exits 1 with {error} on failure.

const { ClientFactory, ClientFactoryOptions, JsonRpcTransportFactory, DefaultAgentCardResolver } =
  require('@a2a-js/sdk/client');
const { Role, TaskState } = require('@a2a-js/sdk');

const [baseUrl, cwd, scenario, prompt] = process.argv.slice(2);

function stateName(s) {
  return typeof s === 'number' ? TaskState[s] : s;
}

function texts(parts) {
  return (parts || []).filter((p) => p.content && p.content.$case === 'text').map((p) => p.content.value);
}

function summarizeTask(t) {
  return {
    kind: 'task', id: t.id, context_id: t.contextId, state: stateName(t.status && t.status.state),
    status_text: texts(t.status && t.status.message && t.status.message.parts).join('\n'),
    artifacts: (t.artifacts || []).map((a) => ({ id: a.artifactId, name: a.name, texts: texts(a.parts) })),
  };
}

function summarizeEvent(r) {
  const p = r.payload || {};
  switch (p.$case) {
    case 'task': return summarizeTask(p.value);
    case 'statusUpdate': return {
      kind: 'status', task_id: p.value.taskId, state: stateName(p.value.status && p.value.status.state),
      text: texts(p.value.status && p.value.status.message && p.value.status.message.parts).join('\n'),
    };
    case 'artifactUpdate': return {
      kind: 'artifact', task_id: p.value.taskId, name: p.value.artifact.name, texts: texts(p.value.artifact.parts),
    };
    case 'message': return { kind: 'message', texts: texts(p.value.parts) };
    default: return { kind: 'unknown' };
  }
}

function request(text) {
  return {
    tenant: '',
    message: {
      messageId: crypto.randomUUID(), role: Role.ROLE_USER, contextId: '', taskId: '',
      parts: [{ content: { $case: 'text', value: text }, metadata: undefined, filename: '', mediaType: 'text/plain' }],
      metadata: cwd === '-' ? undefined : { nanobot_orchestrator: { cwd } }, extensions: [], referenceTaskIds: [],
    },
    configuration: { acceptedOutputModes: ['text'], taskPushNotificationConfig: undefined, returnImmediately: false },
    metadata: undefined,
  };
}

async function main() {
  const factory = new ClientFactory(ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
    transports: [new JsonRpcTransportFactory({ legacyCompat: { enabled: true } })],
    cardResolver: new DefaultAgentCardResolver({ legacyCompat: { enabled: true } }),
  }));
  const client = await factory.createFromUrl(baseUrl);
  const card = await client.getAgentCard();
  const out = {
    card: {
      name: card.name, streaming: card.capabilities && card.capabilities.streaming,
      extensions: ((card.capabilities && card.capabilities.extensions) || [])
        .map((e) => ({ uri: e.uri, required: !!e.required })),
    },
  };
  let taskId;
  if (scenario === 'send') {
    const result = await client.sendMessage(request(prompt));
    out.result = result.id !== undefined && result.status !== undefined ? summarizeTask(result) : { kind: 'message' };
    taskId = result.id;
  } else if (scenario === 'stream' || scenario === 'cancel') {
    out.events = [];
    for await (const ev of client.sendMessageStream(request(prompt))) {
      const s = summarizeEvent(ev);
      out.events.push(s);
      taskId = taskId || s.id || s.task_id;
      if (scenario === 'cancel' && !out.cancel && s.kind === 'status' && s.state === 'TASK_STATE_WORKING') {
        // cancel from a second request while this stream stays open
        const cancelled = await client.cancelTask({ tenant: '', id: taskId, metadata: undefined });
        out.cancel = summarizeTask(cancelled);
      }
    }
  } else {
    throw new Error('unknown scenario ' + scenario);
  }
  out.task = summarizeTask(await client.getTask({ tenant: '', id: taskId, historyLength: 10 }));
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
  process.stdout.write(JSON.stringify({ error: String((e && e.stack) || e) }) + '\n');
  process.exit(1);
});
