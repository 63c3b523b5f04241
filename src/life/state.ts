// One worker's life (SPEC §1, §5) in one vocabulary: the status file's word, the live states, the
// run's steps, the outcome a run ends it with, and how one view's word follows from another. The
// words are SPEC's wire values (.worker-status, run-state.json, .worktree.json, report.json,
// `wo status --json`): never rename one. Pure: outcome.ts decides, the scheduler ends, views show.
// A room of its own, importing nothing: the scheduler and worker/ both speak it, and neither may
// import the other's room.

/** The status file's words (SPEC §1): the agent's, or wo's once it decided. */
export type StatusWord = 'running' | 'done' | 'failed';
export type FinalStatus = Exclude<StatusWord, 'running'>;

/** How a run ended a worker (SPEC §5), in the order summaries list them. */
export const OUTCOMES = ['done', 'failed', 'timeout', 'crashed', 'skipped', 'interrupted'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/**
 * The outcomes a worker's own facts decide (outcome.ts's decide(), a driver's attempt end); the run
 * adds the others, for a worker it stopped (timeout, interrupted) or never started (skipped).
 */
export type DecidedOutcome = Extract<Outcome, 'done' | 'failed' | 'crashed'>;

/** What a worker that has not ended is doing (SPEC §1 live states). */
export type LiveState =
  'queued' | 'preparing' | 'starting' | 'working' | 'waiting' | 'rate-limited' | 'verifying';

/**
 * The run's step for one worker (run-state.json): `running` while its agent runs, `rate-limited`
 * while the run waits between its attempts for its agent's limit to reset, `ended` once the run is
 * done with it. Seen from outside the run, a step stands for the live state of the same name.
 */
export const RUN_STEPS = ['queued', 'preparing', 'running', 'rate-limited', 'verifying', 'ended'] as const;
export type RunStep = (typeof RUN_STEPS)[number];

/** One worker at one moment: live, with what it is doing, or ended, with its outcome and why. */
export type WorkerState =
  | { final: false; live: LiveState; message?: string; resetsAt?: string }
  | { final: true; outcome: Outcome; reason?: string };

export function isOutcome(word: unknown): word is Outcome {
  return (OUTCOMES as readonly unknown[]).includes(word);
}

/** Whether a status word says the worker ended (undefined: no status file, or an empty one). */
export function isFinalStatus(word: StatusWord | undefined): word is FinalStatus {
  return word === 'done' || word === 'failed';
}

/** The status file's word for an outcome: only `done` is done. */
export function statusOf(outcome: Outcome): FinalStatus {
  return outcome === 'done' ? 'done' : 'failed';
}

/** `wo status`'s and `wo collect`'s word: the outcome once it ended, `running` before (its live state apart). */
export function endedWord(state: WorkerState): Outcome | 'running' {
  return state.final ? state.outcome : 'running';
}

/** The step a run's event puts a worker in (run-state.json); undefined: the event changes no step. */
export function runStepOf(
  // Any scheduler event's type: only these four move a step.
  event: string,
): RunStep | undefined {
  if (event === 'queued' || event === 'preparing') return event;
  if (event === 'started') return 'running';
  return event === 'finished' ? 'ended' : undefined;
}

/** What `wo run` wrote into .worktree.json's `worker` about the start it ran (see metadata.ts). */
export interface RecordedRun {
  run_id?: string | null;
  status?: string;
  outcome?: string;
  outcome_run_id?: string;
}

/**
 * The outcome of a worker that ended with status `status`: the one the run that last started it
 * recorded (SPEC §5: `timeout`, `crashed`, `interrupted`… as the report says) when that record is
 * about this start and this final status; otherwise the status word itself.
 */
export function recordedOutcome(status: FinalStatus, worker: RecordedRun | undefined): Outcome {
  const current =
    worker?.outcome_run_id !== undefined &&
    worker.outcome_run_id === worker.run_id &&
    worker.status === status;
  return current && isOutcome(worker.outcome) ? worker.outcome : status;
}
