// Where an agent's own output is kept in wo's state folder (.wo/workers/<feature>/): written by the
// session (the wrapper's copy of its stdout, its hooks, its last message), read by its adapter.
import { join } from 'node:path';
import type { Usage } from './types.js';

export const AGENT_FILES = {
  /** The name of the agent (adapter) that writes the rest, written at launch: it is asked to read them. */
  adapter: 'adapter',
  /** The agent's stdout (its JSON event stream), copied by the session wrapper. */
  events: 'events.jsonl',
  /** One line per Claude Code hook, appended by the hook command wo passes with --settings. */
  hooks: 'hooks.jsonl',
  /** Codex's last message (`codex exec -o`). */
  lastMessage: 'last-message.md',
  /** What the worker's terminal showed when it timed out or was left waiting (tmux capture-pane). */
  lastScreen: 'last-screen.txt',
  /** Interactive Claude Code's own debug output (--debug-file): its API errors and requests. */
  debugLog: 'claude-debug.log',
} as const;

export const agentPaths = (stateDir: string) => ({
  adapter: join(stateDir, AGENT_FILES.adapter),
  events: join(stateDir, AGENT_FILES.events),
  hooks: join(stateDir, AGENT_FILES.hooks),
  lastMessage: join(stateDir, AGENT_FILES.lastMessage),
  lastScreen: join(stateDir, AGENT_FILES.lastScreen),
  debugLog: join(stateDir, AGENT_FILES.debugLog),
});

/** Parses JSON lines, skipping any that are not whole JSON objects (a line being written, other output). */
export function jsonLines(text: string | undefined): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const line of (text ?? '').split('\n')) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    try {
      const v: unknown = JSON.parse(t);
      if (v && typeof v === 'object' && !Array.isArray(v)) out.push(v as Record<string, unknown>);
    } catch {
      // half a line, or not JSON
    }
  }
  return out;
}

export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** A count or cost an agent reported: a number that is not negative, or null (SPEC §9: a reported -1e9 is no discount). */
const reported = (v: unknown): number | null => {
  const n = num(v);
  return n !== null && n >= 0 ? n : null;
};

/**
 * The one normalisation of what an agent says it used, whichever adapter parsed it: a field that is
 * negative or not a number is unknown (null), so that no stream can lower the run's cost total.
 */
export function reportedUsage(u: Usage): Usage {
  return {
    input_tokens: reported(u.input_tokens),
    output_tokens: reported(u.output_tokens),
    cache_read_tokens: reported(u.cache_read_tokens),
    cost_usd: reported(u.cost_usd),
  };
}
export const rec = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
