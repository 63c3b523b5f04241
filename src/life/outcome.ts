// The one place that decides what a worker's facts mean (SPEC §1): whether it still runs, how it
// ended, why, and what wo must write down. Pure: the run loop, `status`, `collect`, `kill` and `clean`
// gather the facts (files, tmux, the wrapper's exit record) and all ask `decide`.

import type { AgentEvent, AgentResult } from '../agents/types.js';
import { AGENT_WORDS_MAX, agentWords, clip } from './reasons.js';
import type {
  DecidedOutcome,
  FinalStatus,
  LiveState,
  Outcome,
  RunStep,
  StatusWord,
  WorkerState,
} from './state.js';
import { LIMIT_WORDS } from '../agents/index.js';

export type { AgentEvent, AgentResult, Usage } from '../agents/types.js';

/** Reason of a worker whose session vanished without a final status (SPEC §1). */
export const LOST_REASON = 'session ended without status';

/** Reason of an agent that exited 0 having left no status, no commit and no passing verify (SPEC §1). */
export const NOTHING_DONE = 'the agent ended without reporting or committing';

/**
 * For an observer that did not start the session itself: a worker whose status file says `running`
 * but whose session is not there yet is starting (the status is written just before the session is
 * created), not crashed, for this long.
 */
export const START_GRACE_MS = 5000;

/**
 * A hooks-based agent from which no hook has come this long after its start sits on a screen wo does
 * not know (a dialog of a new version, a key prompt): it is `waiting`, with these words (SPEC §1).
 */
export const SILENT_MS = 30_000;
export const UNKNOWN_SCREEN = 'the agent shows a screen wo does not know';

/** The words of the status file (SPEC §1). */
export type WorkerStatus = StatusWord;

export interface StatusRead {
  /** undefined: no file, or an empty one (not yet written). */
  status?: WorkerStatus;
  /** Set when the file held another word: the status is then `failed`. */
  reason?: string;
}

/** Interprets the status file's text: trimmed; empty = not yet written; other words = failed. */
export function parseStatus(text: string | undefined): StatusRead {
  const word = (text ?? '').trim();
  if (word === '') return {};
  if (word === 'running' || word === 'done' || word === 'failed') return { status: word };
  return { status: 'failed', reason: `unknown status "${clip(word, 40)}"` };
}

/** Everything wo knows about one worker at one moment. */
export interface WorkerFacts {
  /** The status file's text; undefined when there is no file. */
  statusText?: string;
  /** The result file's text; undefined when there is none. */
  resultText?: string;
  /** Recorded by the session wrapper when the agent's process exited. */
  exit?: ExitRecord;
  /**
   * What tmux says of the session: `alive` (its program runs), `gone` (no session, or its pane's
   * program ended), `unknown` (not asked since the session started: no crash can be concluded).
   */
  session: 'alive' | 'gone' | 'unknown';
  /**
   * How long ago the status file was written, for an observer that did not start the session (see
   * START_GRACE_MS). Undefined when the observer knows the session was created.
   */
  statusAgeMs?: number;
  /** wo ended the worker itself (a timeout, Ctrl-C, `wo kill`), for this reason. */
  stoppedBy?: string;
  /** The plan's `verify` command, and how it ended once it has run. */
  verify?: { command: string; exitCode?: number; output?: string };
  /** What the agent's own output says of how it ended (its final result event), parsed by its adapter. */
  agentResult?: AgentResult;
  /** The agent's live events (its hooks or event stream), oldest first, parsed by its adapter. */
  agentEvents?: AgentEvent[];
  /**
   * For an observer outside the run loop (`wo status`): where the run that wrote it says the worker
   * is (its run-state file), and the id of the run that is live now (the run lock's; undefined when
   * none is). The step counts only while the run that wrote it is live.
   */
  run?: { runId: string; step: RunStep; liveRunId?: string; message?: string; resetsAt?: string };
  /**
   * A hooks-based agent, for the run that started it: since when its hooks should speak (its start),
   * the time now, and how long a silence means a screen wo does not know (SILENT_MS).
   */
  silence?: { since: number; now: number; afterMs: number };
  /**
   * The adapter the agent follows (its preset's name, or a custom agent's `adapter`); undefined for a
   * plain command. With `committed`: whether its branch moved since the attempt started (undefined:
   * not known, e.g. a session adopted from an earlier runner).
   */
  adapter?: string;
  committed?: boolean;
  /**
   * Branches other than the worker's own (and other than the run's workers') that moved, appeared or
   * went while it ran (SPEC §9: its sandbox may reach its neighbours' refs): it is then `failed`.
   */
  movedBranches?: string[];
}

/** The step of the run that holds the worker, when that run is live; undefined otherwise. */
export function liveRunStep(run: WorkerFacts['run']): RunStep | undefined {
  return run && run.liveRunId !== undefined && run.runId === run.liveRunId ? run.step : undefined;
}

/** Whether reset `a` is later than `b` (a time not said is never later). */
function later(a: string | undefined, b: string | undefined): boolean {
  const ta = a === undefined ? NaN : Date.parse(a);
  if (!Number.isFinite(ta)) return false;
  const tb = b === undefined ? NaN : Date.parse(b);
  return !Number.isFinite(tb) || ta > tb;
}

/** A worker's live state from its agent's events: the last event's state, and the time spent waiting. */
export function liveState(
  events: readonly AgentEvent[] | undefined,
  now: number,
): { state?: AgentEvent['state']; message?: string; since?: number; waitingMs: number; resetsAt?: string } {
  let waitingMs = 0;
  let last: AgentEvent | undefined;
  for (const e of events ?? []) {
    // Idle at its prompt after a rate limit (Claude's idle_prompt a minute later) is still the limit,
    // not a wait for a person: wo goes on with it after the reset.
    if (e.state === 'waiting' && last?.state === 'rate-limited') continue;
    if (last?.state === 'waiting') waitingMs += Math.max(0, e.at - last.at);
    // Still waiting: the agent's own words stay (its question, the command it asks to run), not the
    // generic notification that follows them ("Claude needs your permission"), until the state changes.
    if (e.state === 'waiting' && last?.state === 'waiting' && last.message) {
      last = { ...e, message: last.message };
      continue;
    }
    // The same limit said twice (claude-print's rate_limit_event, then its StopFailure hook's words,
    // which are to the minute): the latest reset stands, as at the end (endedOnLimit).
    if (e.state === 'rate-limited' && last?.state === 'rate-limited' && later(last.resetsAt, e.resetsAt)) {
      last = { ...e, resetsAt: last.resetsAt };
      continue;
    }
    last = e;
  }
  if (last?.state === 'waiting') waitingMs += Math.max(0, now - last.at);
  return {
    state: last?.state,
    message: last?.message,
    since: last?.at,
    waitingMs,
    ...(last?.state === 'rate-limited' && last.resetsAt !== undefined && { resetsAt: last.resetsAt }),
  };
}

/** What the session wrapper writes down when the agent's process exits: facts, no verdict. */
export interface ExitRecord {
  code: number;
  /** The agent's program was not found on PATH (it never ran). */
  programMissing?: string;
  /** The wrapper's own pid: it exits by itself once the record is written, so it is no leftover. */
  wrapperPid?: number;
}

/** What wo writes to the worker's files to make its decision last (status word and result). */
export interface Recording {
  status: FinalStatus;
  /** A bold first line of the result, before whatever the agent wrote. */
  headline?: string;
  /** Text after the headline (a command's output). */
  detail?: string;
  /** The agent wrote no result: quote the last lines of its output, with its exit code. */
  quoteOutput?: number;
}

/** A worker that has not ended: what it is doing. */
export interface Ongoing {
  final: false;
  state: LiveState;
  /** The agent's own words for `waiting` and `rate-limited` (its question, the limit's reset). */
  message?: string;
  /** `rate-limited`: when the limit resets (ISO 8601), when the agent said so. */
  resetsAt?: string;
}

/** A worker that has ended. */
export interface Ended {
  final: true;
  outcome: DecidedOutcome;
  /** The status word it ends with in its files. */
  status: FinalStatus;
  reason?: string;
  exitCode?: number;
  /** The agent wrote its status itself and its program may still run: end its session. */
  endSession: boolean;
  /** What to write down; undefined when the files already say it. */
  record?: Recording;
  /**
   * It ended on its provider's rate limit (the agent's error or last live state says so): the run
   * may start it again after the reset (see src/scheduler). `resetsAt`: ISO 8601, when the agent said.
   */
  rateLimited?: { message: string; resetsAt?: string };
}

export type Decision = Ongoing | Ended;

/**
 * A decision as the worker's state. `recorded`: the outcome a run wrote down for it, when that says
 * more than its files (recordedOutcome in state.ts: a timeout, an interrupt).
 */
export function stateOf(d: Decision, recorded?: Outcome): WorkerState {
  if (!d.final)
    return {
      final: false,
      live: d.state,
      ...(d.message !== undefined && { message: d.message }),
      ...(d.resetsAt !== undefined && { resetsAt: d.resetsAt }),
    };
  return { final: true, outcome: recorded ?? d.outcome, ...(d.reason !== undefined && { reason: d.reason }) };
}

/** The bold first line of a result that wo wrote (`**timed out after 1m**`), as a reason. */
export function headlineOf(result: string | undefined): string | undefined {
  const m = /^\*\*(.+)\*\*\s*$/.exec(result?.split('\n', 1)[0] ?? '');
  return m?.[1];
}

/** The agent's error, in its own words, as a one-line reason. */
function agentErrorReason(r: AgentResult): string {
  const shown = agentWords(r.message, AGENT_WORDS_MAX);
  return shown ? `the agent reported an error: ${shown}` : 'the agent reported an error';
}

/**
 * A headless agent that exited on its provider's rate limit: its last live state is `rate-limited`,
 * or its error result's words name the limit. With the latest reset the agent said, when it said one.
 */
function endedOnLimit(f: WorkerFacts): Ended['rateLimited'] {
  const events = f.agentEvents ?? [];
  const words = f.agentResult?.isError ? agentWords(f.agentResult.message) : undefined;
  const lastLimited = events[events.length - 1]?.state === 'rate-limited';
  if (!lastLimited && !(words && LIMIT_WORDS.test(words))) return undefined;
  const limits = events.filter((e) => e.state === 'rate-limited');
  // The latest reset it said: an exact one (Claude's rate_limit_event) is never earlier than the same
  // reset in words, which are to the minute ("resets 5:48pm"); waiting longer is the safe error.
  const said = limits
    .map((e) => e.resetsAt)
    .filter((t): t is string => t !== undefined && Number.isFinite(Date.parse(t)))
    .sort((a, b) => Date.parse(a) - Date.parse(b))
    .pop();
  const message = words || limits[limits.length - 1]?.message || 'rate limit';
  return { message, ...(said !== undefined && { resetsAt: said }) };
}

/** Why an exit code ended a worker as failed. */
function exitReason(exit: ExitRecord): string {
  if (exit.programMissing !== undefined)
    return `${exit.programMissing}: command not found (is the agent installed and on PATH?)`;
  return `exit code ${exit.code}`;
}

/**
 * The reason of a worker while which branches not its own moved (SPEC §9). wo cannot tell which of
 * the workers running at that time moved them: each of them is failed, and the words say so.
 */
export function movedReason(branches: readonly string[]): string {
  const more = branches.length > 5 ? ` and ${branches.length - 5} more` : '';
  const one = branches.length === 1;
  return `branch${one ? '' : 'es'} ${branches.slice(0, 5).join(', ')}${more} moved while it ran, and a worker may commit only to its own branch (every worker running then is failed; see git reflog ${one ? branches[0] : 'BRANCH'})`;
}

/**
 * Decides a worker's state from its facts. Every rule of SPEC §1 about outcomes is here, and SPEC §9's:
 * a worker that moved another branch is `failed`, however it ended (unless wo stopped it: that says more).
 */
export function decide(f: WorkerFacts): Decision {
  const d = decideOwn(f);
  const moved = f.movedBranches ?? [];
  if (!d.final || moved.length === 0 || f.stoppedBy !== undefined) return d;
  const reason = movedReason(moved);
  return {
    ...d,
    outcome: 'failed',
    status: 'failed',
    reason,
    rateLimited: undefined,
    record: { ...d.record, status: 'failed', headline: reason },
  };
}

/** decide() without the check of other branches. */
function decideOwn(f: WorkerFacts): Decision {
  const exitCode = f.exit?.code;
  if (f.stoppedBy !== undefined) {
    return {
      final: true,
      outcome: 'failed',
      status: 'failed',
      reason: f.stoppedBy,
      exitCode,
      endSession: false, // whoever stopped it ended the session
      record: { status: 'failed', headline: f.stoppedBy },
    };
  }

  // A worker the live run has not started yet: its files (if any) are an earlier start's.
  const step = liveRunStep(f.run);
  if (step === 'queued' || step === 'preparing') return { final: false, state: step };
  // Between attempts, waiting for its agent's limit to reset: its files are the limited try's.
  if (step === 'rate-limited')
    return {
      final: false,
      state: 'rate-limited',
      ...(f.run?.message && { message: f.run.message }),
      ...(f.run?.resetsAt && { resetsAt: f.run.resetsAt }),
    };

  const file = parseStatus(f.statusText);
  let ended: Ended;
  if (file.status === 'done' || file.status === 'failed') {
    // The agent's own word (or one wo wrote down before): it stands.
    const reason =
      file.status === 'failed'
        ? (file.reason ??
          headlineOf(f.resultText) ??
          (f.exit && f.exit.code !== 0 ? exitReason(f.exit) : 'the agent reported failed'))
        : undefined;
    ended = {
      final: true,
      outcome: file.status,
      status: file.status,
      reason,
      exitCode,
      endSession: f.exit === undefined && f.session !== 'gone',
    };
  } else if (f.exit !== undefined && f.agentResult?.isError) {
    // The agent's final result event says it failed: that decides, whatever the exit code (SPEC §1).
    const reason = agentErrorReason(f.agentResult);
    const limited = endedOnLimit(f);
    ended = {
      final: true,
      outcome: 'failed',
      status: 'failed',
      reason,
      exitCode,
      endSession: false,
      ...(limited && { rateLimited: limited }),
      record: {
        status: 'failed',
        headline: reason,
        ...(!f.resultText?.trim() && { quoteOutput: f.exit.code }),
      },
    };
  } else if (f.exit !== undefined) {
    // The agent's process exited and its status still says running (or nothing): its exit code decides.
    const status = f.exit.code === 0 ? 'done' : 'failed';
    const wroteNone = !f.resultText?.trim();
    // An agent that wrote no result but ended with a message (Codex): that message is the result.
    const said = wroteNone && status === 'done' ? f.agentResult?.lastMessage?.trim() : undefined;
    const limited = status === 'failed' && f.exit.programMissing === undefined ? endedOnLimit(f) : undefined;
    // A green row must mean work was done: an agent (not `shell`) that reported nothing and committed
    // nothing failed, unless a `verify` below passes.
    const nothing =
      status === 'done' && f.adapter !== undefined && f.adapter !== 'shell' && f.committed === false;
    if (nothing && !f.verify) {
      const last = (f.agentResult?.lastMessage ?? f.agentResult?.message)?.trim();
      return {
        final: true,
        outcome: 'failed',
        status: 'failed',
        reason: NOTHING_DONE,
        exitCode,
        endSession: false,
        record: {
          status: 'failed',
          headline: NOTHING_DONE,
          ...(last ? { detail: last } : wroteNone && { quoteOutput: f.exit.code }),
        },
      };
    }
    ended = {
      final: true,
      outcome: status,
      status,
      reason: status === 'failed' ? exitReason(f.exit) : undefined,
      exitCode,
      endSession: false,
      ...(limited && { rateLimited: limited }),
      record: { status, ...(said ? { detail: said } : wroteNone && { quoteOutput: f.exit.code }) },
    };
  } else if (f.session !== 'gone') {
    if (f.silence && f.silence.now - f.silence.since >= f.silence.afterMs) {
      const since = f.silence.since;
      if (!(f.agentEvents ?? []).some((e) => e.at >= since))
        return { final: false, state: 'waiting', message: UNKNOWN_SCREEN };
    }
    const live = liveState(f.agentEvents, 0);
    if (live.state && live.state !== 'working')
      return {
        final: false,
        state: live.state,
        ...(live.message && { message: live.message }),
        ...(live.resetsAt && { resetsAt: live.resetsAt }),
      };
    return { final: false, state: 'working' };
  } else if (f.statusAgeMs !== undefined && f.statusAgeMs < START_GRACE_MS && file.status === 'running') {
    return { final: false, state: 'starting' };
  } else {
    return {
      final: true,
      outcome: 'crashed',
      status: 'failed',
      reason: LOST_REASON,
      endSession: false,
      record: { status: 'failed', headline: LOST_REASON },
    };
  }

  // The live run is verifying this worker (seen from outside the run): done is not said before verify.
  if (ended.outcome === 'done' && !f.verify && step === 'verifying')
    return { final: false, state: 'verifying' };
  // `verify` turns done into failed (SPEC §1); it runs once the agent is done, before anything is written.
  if (ended.outcome === 'done' && f.verify) {
    if (f.verify.exitCode === undefined) return { final: false, state: 'verifying' };
    if (f.verify.exitCode !== 0) {
      const reason = `verify "${f.verify.command}" failed (exit ${f.verify.exitCode})`;
      return {
        ...ended,
        outcome: 'failed',
        status: 'failed',
        reason,
        record: { ...ended.record, status: 'failed', headline: reason, detail: f.verify.output },
      };
    }
  }
  return ended;
}
