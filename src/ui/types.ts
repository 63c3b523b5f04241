// What `wo run` drives: a progress view fed with scheduler events.
import type { SchedulerEvent } from '../scheduler/types.js';

export interface ProgressView {
  /** Called once, before the first event, with the selected features in plan order. */
  start(features: string[]): void;
  onEvent(event: SchedulerEvent): void;
  /** Ends the view (after the scheduler resolved) and prints the summary line. Idempotent. */
  stop(): Promise<void>;
}

/** Returns the last line a worker printed, or undefined; called at most once a second per running worker. */
export type LastLine = (feature: string) => Promise<string | undefined>;
