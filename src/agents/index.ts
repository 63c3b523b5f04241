// The agent adapters of SPEC §1, one module per agent program: how it is started unattended (the
// arguments wo adds for one worker), where its live state comes from, how its outcome and usage are
// read. What those facts mean is decided in src/worker/outcome.ts.
import { readFile, stat } from 'node:fs/promises';
import type { AgentDef } from '../plan/types.js';
import type { AgentEvent, AgentResult } from './types.js';
import { claudeStream, hookEvents, hookSettings } from './claude.js';
import { codexArgs, codexStream } from './codex.js';
import { agentPaths, jsonLines } from './files.js';

export const ADAPTERS = ['claude', 'claude-print', 'codex', 'aider', 'shell'] as const;
export type AdapterName = (typeof ADAPTERS)[number];

/** The adapter an agent follows: its own `adapter`, the preset's name, or none (a plain command). */
export function adapterOf(name: string, def: AgentDef): AdapterName | undefined {
  if (def.adapter) return def.adapter;
  return (ADAPTERS as readonly string[]).includes(name) ? (name as AdapterName) : undefined;
}

/** Adapters whose program prints its final result (usage, cost) as it exits: worth a moment to exit by itself. */
export function printsResultOnExit(adapter: AdapterName | undefined): boolean {
  return adapter === 'claude-print' || adapter === 'codex';
}

export interface LaunchAdditions {
  /** Appended to the agent's argv. */
  args: string[];
  /** Extra variables for the session. */
  env: Record<string, string>;
  /** The session wrapper copies the agent's stdout (its event stream) to this file. */
  captureStdout?: string;
}

/** What wo adds to an agent's command for one worker, so that it works unattended and reports its state. */
export async function launchAdditions(
  adapter: AdapterName | undefined,
  w: { worktree: string; stateDir: string; verify?: string; setup?: string[]; maxCostUsd?: number },
): Promise<LaunchAdditions> {
  const paths = agentPaths(w.stateDir);
  switch (adapter) {
    case 'claude':
    case 'claude-print': {
      // The plan's own commands (setup, verify) are allowed as they are written, besides the preset's list.
      const own = [...(w.setup ?? []), ...(w.verify ? [w.verify] : [])].map((c) => `Bash(${c})`);
      // Claude Code stops a print-mode turn once it has spent this much (`--max-budget-usd`, 2.1.197:
      // "only works with --print"); the interactive program has no such cap.
      const budget =
        adapter === 'claude-print' && w.maxCostUsd !== undefined
          ? ['--max-budget-usd', String(w.maxCostUsd)]
          : [];
      return {
        args: [...(own.length ? ['--allowedTools', ...own] : []), '--settings', hookSettings(), ...budget],
        env: { WO_HOOK_FILE: paths.hooks },
        ...(adapter === 'claude-print' && { captureStdout: paths.events }),
      };
    }
    case 'codex':
      return { args: await codexArgs(w.worktree, paths.lastMessage), env: {}, captureStdout: paths.events };
    default:
      return { args: [], env: {} };
  }
}

const readIf = (path: string) => readFile(path, 'utf8').catch(() => undefined);

/** What an agent's own output says so far (any adapter: each file is read by the adapter that writes it). */
export async function readAgentFacts(
  stateDir: string,
): Promise<{ agentResult?: AgentResult; agentEvents?: AgentEvent[] }> {
  const paths = agentPaths(stateDir);
  const [events, hooks, lastMessage, eventsStat] = await Promise.all([
    readIf(paths.events),
    readIf(paths.hooks),
    readIf(paths.lastMessage),
    stat(paths.events).catch(() => undefined),
  ]);
  const at = eventsStat?.mtimeMs ?? 0;
  const first = jsonLines(events?.slice(0, 65536))[0];
  const stream =
    first?.type === 'thread.started' || (first === undefined && lastMessage !== undefined)
      ? codexStream(events, lastMessage, at)
      : events !== undefined
        ? claudeStream(events, at)
        : { events: [] };
  // A headless Claude (it has an event stream) is not idle when its turn stops: it exits.
  const live = [...stream.events, ...hookEvents(hooks, events === undefined)].sort((a, b) => a.at - b.at);
  return {
    ...(stream.result && { agentResult: stream.result }),
    ...(live.length > 0 && { agentEvents: live }),
  };
}
