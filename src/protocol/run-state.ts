// Where a worker is in the run that holds it (SPEC §1 live states before and after the agent runs:
// queued, preparing, verifying): written whole by the run loop to the worker's state folder, read
// by `wo status`, which believes it only while that run is live (the run lock names it). What the
// step means for the worker's state is decided in outcome.ts.
import { join } from 'node:path';
import { writeFileAtomic } from '../fsutil.js';
import { RUN_STEPS, type RunStep } from '../life/state.js';

export type { RunStep } from '../life/state.js';

/** The file's content: which run wrote it, the step, and when. */
export interface RunState {
  run_id: string;
  step: RunStep;
  at: string;
  /** `rate-limited`: the agent's words, and when the limit resets (ISO 8601) when it said so. */
  message?: string;
  resets_at?: string;
}

/** What a `rate-limited` step says besides the step. */
export interface RunStepNote {
  message?: string;
  resetsAt?: string;
}

export const RUN_STATE_FILE = 'run-state.json';

export function runStatePath(stateDir: string): string {
  return join(stateDir, RUN_STATE_FILE);
}

/** Writes the worker's step in this run, whole (a reader never sees half of it). */
export async function writeRunState(
  stateDir: string,
  runId: string,
  step: RunStep,
  at: number,
  note: RunStepNote = {},
): Promise<void> {
  const state: RunState = {
    run_id: runId,
    step,
    at: new Date(at).toISOString(),
    ...(note.message !== undefined && { message: note.message }),
    ...(note.resetsAt !== undefined && { resets_at: note.resetsAt }),
  };
  await writeFileAtomic(runStatePath(stateDir), `${JSON.stringify(state)}\n`);
}

/** The file's text as a RunState; undefined for no file or one wo did not write. */
export function parseRunState(text: string | undefined): RunState | undefined {
  try {
    const s = JSON.parse(text ?? '') as Partial<RunState>;
    if (typeof s?.run_id !== 'string' || !(RUN_STEPS as readonly unknown[]).includes(s.step))
      return undefined;
    return {
      run_id: s.run_id,
      step: s.step as RunStep,
      at: typeof s.at === 'string' ? s.at : '',
      ...(typeof s.message === 'string' && { message: s.message }),
      ...(typeof s.resets_at === 'string' && { resets_at: s.resets_at }),
    };
  } catch {
    // Not JSON (half-written or broken): no run step known.
    return undefined;
  }
}
