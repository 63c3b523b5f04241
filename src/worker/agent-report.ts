// What a report says of a worker's agent (SPEC §5): its name and version, usage, the time it waited
// for a person, and the last screen of a worker that timed out or was left waiting.
import { readFile } from 'node:fs/promises';
import { readAgentFacts, registry, type AgentFacts } from '../agents/index.js';
import { lastTurnWords, transcriptHas, transcriptPath, transcriptUsage } from '../agents/claude.js';
import { agentPaths } from '../agents/files.js';
import { stripEscapes } from '../escapes.js';
import type { PermissionDenial, Usage } from '../agents/types.js';
import { lastLines, readTail } from '../protocol/lastline.js';
import { liveState } from '../life/outcome.js';

export interface AgentReport {
  agent: string | null;
  agent_version: string | null;
  usage: Usage | null;
  waiting_ms: number | null;
  last_screen: string | null;
  /** Tool uses its agent's permissions denied (claude -p); absent when none. */
  permission_denials?: PermissionDenial[];
}

/** Reads a worker's agent facts from its state folder for the report; `endedAt` closes a wait still open. */
export async function agentReport(
  stateDir: string,
  o: {
    agent?: string;
    /** The adapter the plan gives the agent (null: none, a plain command or `shell`), when known. */
    adapter?: string | null;
    version?: string;
    endedAt: number;
    ran: boolean;
    outcome?: string;
    log?: string;
  },
): Promise<AgentReport> {
  if (!o.ran)
    return { agent: o.agent ?? null, agent_version: null, usage: null, waiting_ms: null, last_screen: null };
  const [facts, kept] = await Promise.all([
    // Agent files that cannot be read leave the report's agent fields empty (null).
    readAgentFacts(stateDir, o.adapter).catch((): AgentFacts => ({})),
    // No screen kept (the session ended before wo looked): the log's end stands in below.
    readFile(agentPaths(stateDir).lastScreen, 'utf8').catch(() => undefined),
  ]);
  // A crashed worker's pane is gone with its session: the end of its log is what it last showed.
  const screen = kept ?? (o.outcome === 'crashed' && o.log ? await logScreen(o.log) : undefined);
  const live = facts.agentEvents ? liveState(facts.agentEvents, o.endedAt) : undefined;
  // An interactive Claude prints no result: its usage is in the session transcript its hooks name.
  // A worker whose agent wo does not read has no transcript: hook lines in its folder are its own writing.
  const reads = o.adapter === undefined || registry.named(o.adapter ?? '')?.read !== undefined;
  const usage = facts.agentResult?.usage ?? (reads ? await sessionUsage(stateDir) : undefined);
  return {
    agent: o.agent ?? null,
    agent_version: o.version ?? null,
    usage: usage ?? null,
    waiting_ms: live ? Math.round(live.waitingMs) : null,
    // capture-pane prints plain text already; the stripper is the belt to its braces.
    last_screen: screen !== undefined ? stripEscapes(screen).trimEnd() : null,
    ...(facts.agentResult?.denials?.length && { permission_denials: facts.agentResult.denials }),
  };
}

/** The last lines of a worker's log as its terminal showed them. */
async function logScreen(log: string): Promise<string | undefined> {
  // No log: no screen.
  const tail = await readTail(log, 65536).catch(() => undefined);
  const lines = tail ? lastLines(tail, SCREEN_LINES) : [];
  return lines.length ? lines.join('\n') : undefined;
}

/** How many lines of a log stand for a crashed worker's screen. */
const SCREEN_LINES = 40;

/** Usage from the Claude Code transcript named by the worker's hooks, if any. */
export async function sessionUsage(stateDir: string): Promise<Usage | undefined> {
  // No hooks file (not an interactive Claude, or it never started): no transcript to read.
  const hooks = await readFile(agentPaths(stateDir).hooks, 'utf8').catch(() => undefined);
  const path = transcriptPath(hooks);
  if (!path) return undefined;
  // A transcript gone or unreadable: usage unknown (null).
  return transcriptUsage(await readFile(path, 'utf8').catch(() => undefined));
}

/**
 * sessionUsage once the transcript has settled: it holds the last answer its Stop hook names (a
 * turn's last request reaches the transcript after that hook, at times), or `waitMs` has passed.
 */
export async function settledSessionUsage(stateDir: string, waitMs: number): Promise<Usage | undefined> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    // No hooks yet, or none readable: no transcript to wait for.
    const hooks = await readFile(agentPaths(stateDir).hooks, 'utf8').catch(() => undefined);
    const path = transcriptPath(hooks);
    if (!path) return undefined;
    // A transcript not written yet reads as empty: waited for below, until the deadline.
    const text = await readFile(path, 'utf8').catch(() => undefined);
    const words = lastTurnWords(hooks);
    if (!words || transcriptHas(text, words) || Date.now() >= deadline) return transcriptUsage(text);
    await new Promise((r) => setTimeout(r, 50));
  }
}
