// The registry of agents (SPEC §1): every agent wo knows, listed once. Each is one object of the
// contract in types.ts, in a file of its own: its preset, what wo adds per worker, how its output is
// read, its limits' words, login and version checks, resume keys and install facts. Presets
// (src/plan/presets.ts), the schema's enum (a test holds it to this list), preflight and doctor
// derive from it. What the facts read here mean is decided in src/life/outcome.ts.
import { stat, writeFile } from 'node:fs/promises';
import { readUntrustedText, TailFollower, wholeLines } from '../fsutil.js';
import type { Agent, AgentEvent, AgentResult, LaunchAdditions, WorkerLaunch } from './types.js';
import { claude } from './claude.js';
import { claudePrint } from './claude-print.js';
import { codex } from './codex.js';
import { aider } from './aider.js';
import { shell } from './shell.js';
import { agentPaths, reportedUsage } from './files.js';

export type { LaunchAdditions } from './types.js';

/** Every agent wo knows, in the order the docs list them; the first is the default agent. */
export const AGENTS = [claude, claudePrint, codex, aider, shell] as const;

/** An agent's name: a preset's, and the value of a custom agent's `adapter`. */
export type AdapterName = (typeof AGENTS)[number]['name'];

/** The name of the agent a worker gets when neither it, the plan's defaults nor the config names one. */
export const DEFAULT_AGENT: AdapterName = AGENTS[0].name;

/** A plan's agent as far as the registry looks at it (src/plan/types.ts AgentDef). */
export interface AgentDefLike {
  command?: readonly string[];
  adapter?: string;
}

/** What an agent's own output says so far. */
export interface AgentFacts {
  agentResult?: AgentResult;
  agentEvents?: AgentEvent[];
}

/** The agents wo knows, and what derives from the list; `createRegistry` lets a test add its own. */
export interface Registry {
  readonly agents: readonly Agent[];
  /** The agent of this name, if wo knows one. */
  named(name: string): Agent | undefined;
  /** The agent a worker's agent follows: its own `adapter`, the preset of its name, or none (a plain command). */
  adapterOf: (name: string, def: AgentDefLike) => Agent | undefined;
  /** Each agent's preset, by its name: its argv, how it finishes, and itself as its adapter. */
  presets(): Record<string, { command: string[]; exitsWhenDone: boolean; adapter: string }>;
  /**
   * What the worker's agent's own output says so far, read by the agent that wrote it: `agent`, the
   * adapter wo knows from the plan (null: none, a plain command or `shell`), or else its recorded name.
   */
  readAgentFacts: (stateDir: string, agent?: string | null) => Promise<AgentFacts>;
  /**
   * Every agent's words for its provider's limit, as one pattern: a headless agent's error result
   * that says them ended on its limit (src/life/outcome.ts reads the result without its agent).
   */
  limitWords: RegExp;
}

/** An agent's preset: its argv, how it finishes, and itself as its adapter. */
export function presetOf<N extends string>(
  a: Agent<N>,
): { command: string[]; exitsWhenDone: boolean; adapter: N } {
  return { command: [...a.preset.command], exitsWhenDone: a.preset.exitsWhenDone, adapter: a.name };
}

/**
 * How much of an agent's event stream and hooks is kept: their tails, followed as they grow (each
 * look reads only what was added). What a stream says that matters is at its end (a result, the
 * latest state); a stream of any size costs its new bytes and this much memory (SPEC §9).
 */
export const STREAM_TAIL_BYTES = 1 << 20;
const streams = new TailFollower(STREAM_TAIL_BYTES);

/** The most of an agent's last message, and of the adapter's name, that is read. */
const MESSAGE_MAX = 1 << 20;
const NAME_MAX = 256;

// Absent or unreadable agent files say nothing yet: status and collect read half-written state.
// A FIFO, device or link in their place is refused, with a note (fsutil's readUntrusted).
const readIf = (path: string, max: number) => readUntrustedText(path, max).catch(() => undefined);

/** The whole lines of the end of a growing agent file (its hooks, its events), read from where the last read ended. */
export const readStream = (path: string): Promise<string | undefined> =>
  streams.read(path).then(
    (t) => t && wholeLines(t),
    () => undefined,
  );

export function createRegistry(agents: readonly Agent[]): Registry {
  const byName = new Map(agents.map((a) => [a.name, a]));
  const named = (name: string) => byName.get(name);
  return {
    agents,
    named,
    limitWords: new RegExp(
      agents.flatMap((a) => (a.limitWords ? [`(?:${a.limitWords.source})`] : [])).join('|'),
      'i',
    ),
    adapterOf: (name, def) => named(def.adapter ?? name),
    presets: () => Object.fromEntries(agents.map((a) => [a.name, presetOf(a)])),
    async readAgentFacts(stateDir, known) {
      const paths = agentPaths(stateDir);
      // The plan's word when the caller has it: the adapter file is in a folder a worker can write,
      // and a `shell` worker that names an adapter there must not get live states (SPEC §9).
      const agent = named(
        known !== undefined ? (known ?? '') : ((await readIf(paths.adapter, NAME_MAX))?.trim() ?? ''),
      );
      // Nothing to ask: a plain command, or an agent whose output wo does not read.
      if (!agent?.read) return {};
      const [events, hooks, lastMessage, eventsStat, debugLog] = await Promise.all([
        readStream(paths.events),
        readStream(paths.hooks),
        readIf(paths.lastMessage, MESSAGE_MAX),
        // No events file yet: its age is unknown (0).
        stat(paths.events).catch(() => undefined),
        // Only what its last lines say matters (its latest error, its latest request).
        readStream(paths.debugLog),
      ]);
      const reading = agent.read({
        events,
        eventsAt: eventsStat?.mtimeMs ?? 0,
        hooks,
        lastMessage,
        ...(debugLog !== undefined && { debugLog }),
      });
      const live = [...reading.events].sort((a, b) => a.at - b.at);
      const result = reading.result?.usage
        ? { ...reading.result, usage: reportedUsage(reading.result.usage) }
        : reading.result;
      return {
        ...(result && { agentResult: result }),
        ...(live.length > 0 && { agentEvents: live }),
      };
    },
  };
}

/** The registry of the agents above. */
export const registry: Registry = createRegistry(AGENTS);

export const adapterOf = registry.adapterOf;
export const readAgentFacts = registry.readAgentFacts;
export const LIMIT_WORDS = registry.limitWords;

/** Notes in the worker's state folder which agent writes its output there, for readAgentFacts to ask. */
export async function recordAdapter(stateDir: string, agent: Agent): Promise<void> {
  await writeFile(agentPaths(stateDir).adapter, `${agent.name}\n`);
}

/** What wo adds to an agent's command for one worker, so that it works unattended and reports its state. */
export async function launchAdditions(agent: Agent | undefined, w: WorkerLaunch): Promise<LaunchAdditions> {
  return (await agent?.launch?.(w)) ?? { args: [], env: {} };
}

/**
 * The arguments that tell a worker's agent its model (SPEC §11): its adapter's own way, or none when
 * it names no model, follows no adapter, or its command takes the model itself as `{model}`.
 */
export function modelArgs(agent: Agent | undefined, def: AgentDefLike, model: string | undefined): string[] {
  if (model === undefined || def.command?.some((a) => a.includes('{model}'))) return [];
  return agent?.modelArgs?.(model) ?? [];
}
