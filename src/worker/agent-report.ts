// What a report says of a worker's agent (SPEC §5): its name and version, usage, the time it waited
// for a person, and the last screen of a worker that timed out or was left waiting.
import { LineFollower, readUntrusted, TailFollower, wholeLines } from '../fsutil.js';
import { readAgentFacts, readStream, registry, type AgentFacts } from '../agents/index.js';
import {
  claudeDataDirs,
  lastTurnWords,
  transcriptHas,
  transcriptPath,
  TranscriptUsage,
} from '../agents/claude.js';
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
    /** The environment the agent was given (where its data folder is); default wo's own. */
    env?: NodeJS.ProcessEnv;
  },
): Promise<AgentReport> {
  if (!o.ran)
    return { agent: o.agent ?? null, agent_version: null, usage: null, waiting_ms: null, last_screen: null };
  const [facts, kept] = await Promise.all([
    // Agent files that cannot be read leave the report's agent fields empty (null).
    readAgentFacts(stateDir, o.adapter).catch((): AgentFacts => ({})),
    // No screen kept (the session ended before wo looked): the log's end stands in below.
    readUntrusted(agentPaths(stateDir).lastScreen, { max: SCREEN_MAX, end: 'tail' }).then(
      (t) => t && wholeLines(t),
      () => undefined,
    ),
  ]);
  // A crashed worker's pane is gone with its session: the end of its log is what it last showed.
  const screen = kept ?? (o.outcome === 'crashed' && o.log ? await logScreen(o.log) : undefined);
  const live = facts.agentEvents ? liveState(facts.agentEvents, o.endedAt) : undefined;
  // An interactive Claude prints no result: its usage is in the session transcript its hooks name.
  // A worker whose agent wo does not read has no transcript: hook lines in its folder are its own writing.
  const reads = o.adapter === undefined || registry.named(o.adapter ?? '')?.read !== undefined;
  const usage = facts.agentResult?.usage ?? (reads ? await sessionUsage(stateDir, o.env) : undefined);
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

/** The most of a kept screen that is read (its end). */
const SCREEN_MAX = 1 << 20;

/**
 * The end of a transcript that is read for its last answer (whether the last turn has reached it);
 * nothing a hook names is read whole at once (SPEC §9).
 */
const TRANSCRIPT_TAIL_BYTES = 16 << 20;

/**
 * A transcript's usage is counted over all of it, read as a stream (docs/agents.md): up to this many
 * bytes, and lines of at most TRANSCRIPT_LINE_BYTES (an answer's line is small; a longer line is a
 * tool's output, which carries no usage).
 */
const TRANSCRIPT_MAX_BYTES = 1 << 30;
const TRANSCRIPT_LINE_BYTES = 16 << 20;

/**
 * A transcript a hook names, read only inside Claude Code's own data folders: anything else (a
 * device such as /dev/zero, a FIFO, a file elsewhere) is refused with a note, and reads as none.
 */
async function readTranscript(
  path: string,
  env: NodeJS.ProcessEnv,
  follower: TailFollower,
): Promise<string | undefined> {
  const t = await follower.read(path, claudeDataDirs(env));
  return t && wholeLines(t);
}

/** Counts a transcript's usage over all of it, reading only what it gained since the last count. */
class TranscriptCounter {
  private readonly count = new TranscriptUsage();
  private readonly lines = new LineFollower({
    maxLine: TRANSCRIPT_LINE_BYTES,
    maxBytes: TRANSCRIPT_MAX_BYTES,
    onLine: (line) => this.count.line(line),
    onRestart: () => this.count.reset(),
  });

  /** The usage so far; undefined when the transcript is absent, refused or holds none. */
  async usage(path: string, env: NodeJS.ProcessEnv): Promise<Usage | undefined> {
    // Read only inside Claude Code's data folders (readTranscript).
    return (await this.lines.read(path, claudeDataDirs(env))) ? this.count.usage() : undefined;
  }
}

/**
 * Usage from the Claude Code transcript named by the worker's hooks, if any, read inside the data
 * folder of `env` (the environment its agent was given).
 */
export async function sessionUsage(
  stateDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Usage | undefined> {
  // No hooks file (not an interactive Claude, or it never started): no transcript to read.
  const hooks = await readStream(agentPaths(stateDir).hooks);
  const path = transcriptPath(hooks);
  if (!path) return undefined;
  // A transcript gone, unreadable or refused: usage unknown (null).
  return new TranscriptCounter().usage(path, env).catch(() => undefined);
}

/**
 * sessionUsage once the transcript has settled: it holds the last answer its Stop hook names (a
 * turn's last request reaches the transcript after that hook, at times), or `waitMs` has passed.
 */
export async function settledSessionUsage(
  stateDir: string,
  waitMs: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Usage | undefined> {
  const deadline = Date.now() + waitMs;
  // Each look reads only what the transcript gained since the last.
  const follower = new TailFollower(TRANSCRIPT_TAIL_BYTES);
  const counter = new TranscriptCounter();
  for (;;) {
    // No hooks yet, or none readable: no transcript to wait for.
    const hooks = await readStream(agentPaths(stateDir).hooks);
    const path = transcriptPath(hooks);
    if (!path) return undefined;
    // A transcript not written yet reads as empty: waited for below, until the deadline.
    const text = await readTranscript(path, env, follower).catch(() => undefined);
    const words = lastTurnWords(hooks);
    if (!words || transcriptHas(text, words) || Date.now() >= deadline)
      // A transcript that cannot be read: usage unknown (null), as in sessionUsage.
      return counter.usage(path, env).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 50));
  }
}
