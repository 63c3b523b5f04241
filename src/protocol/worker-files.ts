// The file system as the deciding code sees it: a worker's facts read in one go, and a decision
// written down (status word and result). Behind an interface so the run loop and the inspecting
// commands can be tested with a fake in memory.
import { stat } from 'node:fs/promises';
import { readUntrustedText } from '../fsutil.js';
import { lastLines, readEndedTail } from './lastline.js';
import { updateMeta } from './metadata.js';
import { readAgentFacts } from '../agents/index.js';
import type { AgentEvent, AgentResult, ExitRecord, Recording } from '../life/outcome.js';
import {
  parseRunState,
  runStatePath,
  writeRunState,
  type RunState,
  type RunStep,
  type RunStepNote,
} from './run-state.js';
import {
  exitFile,
  parseExit,
  protocolPaths,
  READ_MAX,
  readResult,
  writeResult,
  writeStatus,
} from './protocol.js';

/** What a worker's files say at one moment (the facts `decide` needs from the file system). */
export interface FileFacts {
  statusText?: string;
  /** When the status file was last written, ms. */
  statusWrittenMs?: number;
  resultText?: string;
  exit?: ExitRecord;
  /** When the wrapper recorded the exit, ms. */
  exitedAtMs?: number;
  /** What the agent's own output says (its adapter reads it from wo's state folder). */
  agentResult?: AgentResult;
  agentEvents?: AgentEvent[];
  /** Where the run that wrote it says the worker is (its run-state file in wo's state folder). */
  runState?: RunState;
}

/** The file system as the deciding code sees it: read a worker's facts, write down a decision. */
export interface WorkerFiles {
  /** `agent`: the adapter wo knows from the plan (null: none), asked instead of the state folder's note. */
  read(loc: { worktree: string; stateDir: string; agent?: string | null }): Promise<FileFacts>;
  record(loc: { worktree: string; stateDir: string }, r: Recording): Promise<void>;
  /** Notes the end in `.worktree.json` (when it has a worker record: one wo started). */
  finished(
    worktree: string,
    end: { status: 'done' | 'failed'; exitCode?: number; at: number },
  ): Promise<void>;
  /** Writes where the run is with the worker (its run-state file), for `wo status`. */
  runStep?(stateDir: string, runId: string, step: RunStep, at: number, note?: RunStepNote): Promise<void>;
}

// Status reads half-written state: a file that cannot be read (gone, or being replaced) is not there yet.
const missingAsUndefined = <T>(p: Promise<T>): Promise<T | undefined> => p.catch(() => undefined);

/** The real file system. */
export const diskFiles: WorkerFiles = {
  async read(loc) {
    const paths = protocolPaths(loc.worktree);
    const exitPath = exitFile(loc.stateDir);
    const [statusText, statusStat, resultText, exitText, exitStat, agent, runText] = await Promise.all([
      missingAsUndefined(readUntrustedText(paths.status, READ_MAX.status)),
      missingAsUndefined(stat(paths.status)),
      missingAsUndefined(readUntrustedText(paths.result, READ_MAX.result)),
      missingAsUndefined(readUntrustedText(exitPath, READ_MAX.record)),
      missingAsUndefined(stat(exitPath)),
      // Agent files that cannot be read add nothing; the protocol files still decide.
      readAgentFacts(loc.stateDir, loc.agent).catch(() => ({})),
      missingAsUndefined(readUntrustedText(runStatePath(loc.stateDir), READ_MAX.record)),
    ]);
    const runState = parseRunState(runText);
    const exit = parseExit(exitText);
    return {
      ...agent,
      statusText,
      statusWrittenMs: statusStat?.mtimeMs,
      resultText,
      exit,
      exitedAtMs: exit && exitStat?.mtimeMs,
      ...(runState && { runState }),
    };
  },
  runStep: writeRunState,
  async record(loc, r) {
    // No result yet (or unreadable): the record starts a new one.
    const previous = (await readResult(loc.worktree).catch(() => undefined))?.trim();
    const parts: string[] = [];
    if (r.headline !== undefined) parts.push(`**${r.headline}**`);
    if (r.detail) parts.push(r.detail);
    if (r.quoteOutput !== undefined) {
      // A log gone or unreadable: the result says the worker exited silently, with nothing quoted.
      const tail = await readEndedTail(protocolPaths(loc.worktree).log, QUOTE_TAIL_BYTES).catch(
        () => undefined,
      );
      parts.push(exitedSilently(r.quoteOutput, tail ? lastLines(tail, QUOTED_LINES) : []));
    }
    if (previous) parts.push(previous);
    if (parts.length > (previous ? 1 : 0)) await writeResult(loc.worktree, `${parts.join('\n\n')}\n`);
    await writeStatus(loc.worktree, r.status);
  },
  async finished(worktree, end) {
    await updateMeta(worktree, {
      worker: {
        finished_at: new Date(end.at).toISOString(),
        status: end.status,
        exit_code: end.exitCode ?? null,
      },
    });
  },
};

/** How much of the log's end is read to quote an agent that wrote no result, and how many lines. */
const QUOTE_TAIL_BYTES = 65536;
const QUOTED_LINES = 20;

/** The result wo writes for an agent that exited without writing one: its exit code and last lines. */
export function exitedSilently(code: number, lines: string[]): string {
  return [
    `The agent exited with code ${code} without writing a result.`,
    '',
    'Last output:',
    '',
    '```',
    ...lines,
    '```',
  ].join('\n');
}
