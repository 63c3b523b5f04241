// The `claude-print` agent (SPEC §1): Claude Code headless (`claude -p`), its events as JSON lines on
// stdout, copied to the worker's state folder. It shares claude.ts's hooks, tools and install facts.
import type { Agent, PermissionDenial } from './types.js';
import { jsonLines, rec, str } from './files.js';
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
    const denials = permissionDenials(o.events);
    const result = stream.result && (denials.length ? { ...stream.result, denials } : stream.result);
    return { ...(result && { result }), events: live };
  },
  printsResultOnExit: true,
  limitWords: CLAUDE_LIMIT_WORDS,
  program: CLAUDE_PROGRAM,
  install: CLAUDE_INSTALL,
};

/** How much of a denied tool's input the report keeps. */
const WANTED_CHARS = 300;

/**
 * The tool uses `claude -p` denied (anything not allowed: it cannot ask), from its final result
 * event's `permission_denials`: the tool, and what it wanted (its command, file or URL).
 */
export function permissionDenials(text: string | undefined): PermissionDenial[] {
  let last: unknown[] = [];
  for (const e of jsonLines(text)) {
    if (e.type === 'result' && Array.isArray(e.permission_denials)) last = e.permission_denials;
  }
  return last.map((d) => {
    const input = rec(rec(d).tool_input);
    const named = str(input.command) ?? str(input.file_path) ?? str(input.url) ?? str(input.path);
    const wanted = (named ?? JSON.stringify(input)).replace(/\s+/g, ' ').trim();
    return {
      tool: str(rec(d).tool_name) ?? 'unknown tool',
      wanted: wanted.length > WANTED_CHARS ? `${wanted.slice(0, WANTED_CHARS - 1)}…` : wanted,
    };
  });
}
