// What `wo run` drives: a progress view fed with scheduler events.
import type { SchedulerEvent } from '../scheduler/types.js';

export interface ProgressView {
  /** Called once, before the first event, with the selected features in plan order. */
  start(features: string[]): void;
  onEvent(event: SchedulerEvent): void;
  /**
   * A running worker's live state changed (SPEC §1 live states: working, waiting with the agent's
   * message, rate-limited, verifying). `waiting` is announced at once.
   */
  onLive?(feature: string, live: LiveState, at: number): void;
  /** Ends the view (after the scheduler resolved) and prints the summary line. Idempotent. */
  stop(): Promise<void>;
}

/** Returns the last line a worker printed, or undefined; called at most once a second per running worker. */
export type LastLine = (feature: string) => Promise<string | undefined>;

/** A running worker's live state, as its agent reported it. */
export interface LiveState {
  state: string;
  message?: string;
}
