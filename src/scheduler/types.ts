// The contract between the scheduler (pure logic: concurrency, needs, retries, timeouts,
// interrupts) and the worker driver (side effects: git, tmux, files). The scheduler emits
// events and does no terminal output.
import type { WorkerSpec } from '../plan/types.js';
import type { Usage } from '../agents/types.js';
import type { DecidedOutcome, Outcome } from '../life/state.js';

export type { Outcome };

/** How one attempt ended, as the driver saw it. */
export interface AttemptEnd {
  /** done | failed | crashed, as read from the protocol files and tmux. */
  outcome: DecidedOutcome;
  reason?: string;
  exitCode?: number;
  /**
   * When the driver noticed the end (clock time), if it knows better than the moment `done`
   * resolves: bookkeeping after noticing is not part of the worker's time.
   */
  noticedAt?: number;
  /** Tokens and cost its agent reported for this attempt; absent when it reported none. */
  usage?: Usage;
  /**
   * The attempt ended on its provider's rate limit (what the agent said, SPEC §1 `rate-limited`): the
   * scheduler runs it again after the reset, without spending one of its `retries`.
   */
  rateLimit?: RateLimit;
}

/** A provider's rate limit, as an agent reported it. */
export interface RateLimit {
  /** When it resets (epoch ms), when the agent said so. */
  resetsAt?: number;
  /** The agent's own words. */
  message: string;
}

export interface AttemptHandle {
  /** True when a live session was found and adopted instead of started. */
  adopted: boolean;
  /** Resolves when the worker reaches a final state (status file, process exit, session gone). */
  done: Promise<AttemptEnd>;
  /**
   * Ends the attempt early: Ctrl-C to the agent, then kill the session, and record
   * `failed` with this reason in the status and result files. `done` then resolves.
   */
  stop(reason: string): Promise<void>;
  /**
   * An agent that stays live at its prompt when it hits its provider's limit (interactive Claude
   * Code): `listener` is told each time the attempt turns rate-limited (at once when it already is).
   */
  onRateLimit?(listener: (limit: RateLimit) => void): void;
  /** Tells a rate-limited live attempt to go on (after the reset). Does nothing when it is no longer limited. */
  resume?(): Promise<void>;
  /**
   * An agent that waits a limit out by itself and goes on alone (Claude Code's own retries, SPEC §1):
   * `listener` is told each time it says it will retry, and once it works again. Nothing is resumed;
   * other workers of its agent are held until the retry's time, or, when it said none, until it goes
   * on (at most AGENT_WAIT_MAX_MS an attempt).
   */
  onAgentWait?(listener: AgentWaitListener): void;
}

/** Told by a live attempt whose agent waits its limit out by itself (AttemptHandle.onAgentWait). */
export interface AgentWaitListener {
  /** It says it will retry: at `resetsAt` when it says when. */
  waits(limit: RateLimit): void;
  /** It works again after such a wait. */
  wentOn(): void;
}

export interface PrepareOptions {
  /**
   * Aborted when the worker's timeout passes or the run is cancelled, with the reason (a string):
   * prepare then ends its `setup`, with every process it started, and throws.
   */
  signal?: AbortSignal;
}

export interface WorkerDriver {
  /** Makes sure the worktree exists (create, copy, setup). Throwing fails the attempt. */
  prepare(worker: WorkerSpec, options?: PrepareOptions): Promise<void>;
  /** Starts an attempt (or adopts a live session). Throwing fails the attempt. */
  start(worker: WorkerSpec, attempt: number): Promise<AttemptHandle>;
}

export interface Clock {
  now(): number;
  /** Calls fn after ms; returns a function that cancels it. */
  setTimer(fn: () => void, ms: number): () => void;
}

/** The longest delay setTimeout keeps: a longer one (or a non-number) fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    // A wait longer than setTimeout keeps (a far reset, a long rate_limit_wait) is several timers
    // in a row, so that it does not fire at once.
    let t: NodeJS.Timeout;
    const until = Date.now() + (Number.isFinite(ms) ? Math.max(0, ms) : Infinity);
    const arm = (): void => {
      const left = until - Date.now();
      t = left > MAX_TIMER_MS ? setTimeout(arm, MAX_TIMER_MS) : setTimeout(fn, Math.max(0, left));
    };
    arm();
    return () => clearTimeout(t);
  },
};

export interface AttemptRecord {
  attempt: number;
  outcome: Outcome;
  reason?: string;
  exitCode?: number;
  startedAt: number;
  finishedAt: number;
  adopted?: boolean;
  /** Tokens and cost its agent reported (AttemptEnd.usage), with those of its tries that a rate limit ended. */
  usage?: Usage;
}

/** The final record of one worker in a run. */
export interface WorkerRecord {
  feature: string;
  outcome: Outcome;
  reason?: string;
  attempts: AttemptRecord[];
  startedAt?: number;
  finishedAt?: number;
  exitCode?: number;
  /** Time it spent waiting for its agent's rate limit to reset, ms (absent: it never hit one). */
  rateLimitedMs?: number;
}

export type SchedulerEvent =
  | { type: 'queued'; feature: string; at: number }
  | { type: 'preparing'; feature: string; at: number }
  | { type: 'started'; feature: string; attempt: number; adopted: boolean; at: number }
  | {
      type: 'attempt-ended';
      feature: string;
      attempt: number;
      record: AttemptRecord;
      willRetry: boolean;
      at: number;
    }
  | {
      /** A rate limit: the worker waits until `until` (its attempt ended, or it sits at its prompt). */
      type: 'rate-limited';
      feature: string;
      attempt: number;
      message: string;
      /** When the provider said the limit resets (epoch ms); absent when it did not say. */
      resetsAt?: number;
      /**
       * When wo goes on with the worker (the reset, a little after; or the back-off's end). Absent:
       * its agent retries by itself at a time it did not say, and its other workers wait for that.
       */
      until?: number;
      at: number;
    }
  | { type: 'finished'; feature: string; record: WorkerRecord; at: number };

/**
 * A running worker's live state changed (SPEC §1 live states: working, waiting with the agent's
 * message, rate-limited, verifying), as its driver read it from the agent.
 */
export interface LiveEvent {
  type: 'live';
  feature: string;
  state: string;
  message?: string;
  at: number;
}

/** Everything said about one worker while it is scheduled: the scheduler's events and its live states. */
export type WorkerEvent = SchedulerEvent | LiveEvent;

export interface ScheduleOptions {
  workers: WorkerSpec[];
  concurrency: number;
  driver: WorkerDriver;
  /** Features already `done` outside this selection (for `needs` of `--only`/`--failed`). */
  alreadyDone?: ReadonlySet<string>;
  /** Aborting ends running attempts as `interrupted` and unstarted ones as `skipped`. */
  signal?: AbortSignal;
  /**
   * Aborting stops starting work (SPEC §4, a first Ctrl-C): unstarted workers are `skipped`, no
   * attempt is retried, and running ones go on to their own end.
   */
  drain?: AbortSignal;
  /**
   * The run's cost cap, USD (the plan's top-level `max_cost_usd`): once the attempts' reported
   * costs add up to it, no new worker or retry starts, running ones finish, and the rest are
   * `skipped` with BUDGET_SPENT's reason.
   */
  maxCostUsd?: number;
  /**
   * Best of N (SPEC §11): workers made of tries, each try one of `workers`. A group is not run: it
   * ends when `settle` says, once all its tries ended, and the workers that need it wait for that.
   */
  groups?: readonly TryGroup[];
  clock?: Clock;
  onEvent?: (event: SchedulerEvent) => void;
}

/** A best-of worker as the scheduler sees it: its tries, and how their ends are judged. */
export interface TryGroup {
  feature: string;
  /** Its tries' features (each a worker of the schedule). */
  tries: readonly string[];
  /** `until: first`: once a try ends done, the others end `interrupted` with this reason. */
  passedFirst?: (winner: string) => string;
  /** Judges the ended tries (their records, in try order): the group's outcome and reason. */
  settle(records: WorkerRecord[]): Promise<{ outcome: Outcome; reason?: string }>;
}
