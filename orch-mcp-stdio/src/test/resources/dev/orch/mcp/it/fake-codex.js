#!/usr/bin/env node
// A scripted stand-in for `codex exec --json` (Orch tests only), for cases driven by timing or by file changes that a
// mock model cannot script. It takes codex's arguments (--cd <dir>, resume <thread_id>), reads the prompt from stdin
// until EOF, then follows the directives found at the start of prompt lines, in order:
//   RUN: <shell command>     run it with bash in the run's directory (output discarded, failure fails the turn)
//   WAIT_FOR: <path>         wait until the file exists (absolute, or relative to the run's directory)
//   FAIL: <message>          end the turn as failed with that message (turn.failed, exit code 1)
//   ANSWER: <text>           the final agent message (default: "fake codex done")
//   ANSWER_CWD               the final agent message is the run's directory
//   ECHO_PROMPT              the final agent message is the whole prompt received
// and prints codex's JSONL events: thread.started (the resumed thread id, or a new one), turn.started, one
// agent_message item, turn.completed with usage.
'use strict';
const fs = require('fs');
const path = require('path');
const cp = require('child_process');
const crypto = require('crypto');

const args = process.argv.slice(2);
let cwd = process.cwd();
let resume = null;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--cd') cwd = args[++i];
  else if (args[i] === 'resume') resume = args[++i];
}
const prompt = fs.readFileSync(0, 'utf8');
const emit = (o) => fs.writeSync(1, JSON.stringify(o) + '\n');
// asynchronous, so that the event loop stays free to act on SIGTERM / SIGINT like a real CLI
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  emit({ type: 'thread.started', thread_id: resume || crypto.randomUUID() });
  emit({ type: 'turn.started' });
  let answer = 'fake codex done';
  for (const raw of prompt.split('\n')) {
    const line = raw.trim();
    const m = /^(RUN|WAIT_FOR|FAIL|ANSWER):\s?(.*)$/.exec(line);
    if (line === 'ANSWER_CWD') answer = cwd;
    else if (line === 'ECHO_PROMPT') answer = prompt;
    if (!m) continue;
    if (m[1] === 'RUN') {
      try {
        cp.execSync(m[2], { cwd, stdio: 'ignore', shell: '/bin/bash' });
      } catch (e) {
        emit({ type: 'turn.failed', error: { message: 'command failed: ' + m[2] } });
        process.exit(1);
      }
    } else if (m[1] === 'WAIT_FOR') {
      const file = path.resolve(cwd, m[2]);
      while (!fs.existsSync(file)) await sleep(20);
    } else if (m[1] === 'FAIL') {
      emit({ type: 'turn.failed', error: { message: m[2] } });
      process.exit(1);
    } else if (m[1] === 'ANSWER') {
      answer = m[2];
    }
  }
  emit({ type: 'item.completed', item: { id: 'item_0', type: 'agent_message', text: answer } });
  emit({ type: 'turn.completed', usage: { input_tokens: 10, cached_input_tokens: 0, output_tokens: 5 } });
}

main();
