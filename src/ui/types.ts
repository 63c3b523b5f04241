// What `wo run` drives: a progress view fed with the run's worker events.
import type { PredictedConflict } from '../report/types.js';
import type { Outcome, WorkerEvent } from '../scheduler/types.js';

export interface ProgressView {
  /** Called once, before the first event, with the selected features in plan order. */
  start(features: string[]): void;
  /**
   * A worker event: the scheduler's, or a running worker's live state (SPEC §1 live states:
   * working, waiting with the agent's message, rate-limited, verifying); `waiting` is announced at once.
   */
  onEvent(event: WorkerEvent): void;
  /**
   * A best-of worker's tries were judged (SPEC §11): the worker's outcome, which the header and the
   * summary count in place of its tries'.
   */
  judged?(feature: string, outcome: Outcome): void;
  /** A conflict the radar predicts (SPEC §10), shown at once, worded by radarText. */
  radar?(conflict: PredictedConflict, at: number): void;
  /**
   * A notice for the person (the first Ctrl-C's): a view that redraws shows it as part of what it
   * draws, so that no redraw erases it, and returns true; false: the caller prints it.
   */
  notice?(text: string): boolean;
  /** Ends the view (after the scheduler resolved) and prints the summary line. Idempotent. */
  stop(): Promise<void>;
}

/** Returns the last line a worker printed, or undefined; called at most once a second per running worker. */
export type LastLine = (feature: string) => Promise<string | undefined>;
