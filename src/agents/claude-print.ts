// The `claude-print` agent (SPEC §1): Claude Code headless (`claude -p`), its events as JSON lines on
// stdout, copied to the worker's state folder. It shares claude.ts's hooks, tools and install facts.
import type { Agent } from './types.js';
import {
  CLAUDE_INSTALL,
  CLAUDE_LIMIT_WORDS,
  CLAUDE_PROGRAM,
  CLAUDE_TOOLS,
  claudeAdditions,
  claudeRehearsal,
  claudeStream,
  hookEvents,
} from './claude.js';

export const claudePrint: Agent<'claude-print'> = {
  name: 'claude-print',
  // The prompt comes before --allowedTools (which takes several values). acceptEdits: edits in the
  // worktree; the listed tools: commit and protocol.
  preset: {
    command: [
      'claude',
      '-p',
      '{prompt}',
      '--output-format',
      'stream-json',
      '--verbose',
      '--permission-mode',
      'acceptEdits',
      '--allowedTools',
      ...CLAUDE_TOOLS,
    ],
    exitsWhenDone: true,
  },
  parsesOptions: true,
  modelArgs: (model) => ['--model', model],
  launch: (w) => claudeAdditions(w, true),
  rehearse: claudeRehearsal,
  read(o) {
    const stream = claudeStream(o.events, o.eventsAt);
    // Not idle when its turn stops: a headless Claude exits.
    const live = [...stream.events, ...hookEvents(o.hooks, false)].sort((a, b) => a.at - b.at);
    return { ...(stream.result && { result: stream.result }), events: live };
  },
  printsResultOnExit: true,
  limitWords: CLAUDE_LIMIT_WORDS,
  program: CLAUDE_PROGRAM,
  install: CLAUDE_INSTALL,
};
