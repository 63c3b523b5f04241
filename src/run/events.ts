// The one stream of a run's events: the scheduler's, the workers' live states, and the run's own
// stages. Views, the GitHub log groups and the command's printing are listeners of it; the run
// prints nothing itself.
import type { LiveEvent, Outcome, SchedulerEvent, WorkerEvent } from '../scheduler/types.js';

export type { LiveEvent, SchedulerEvent, WorkerEvent };

/** What the run says of itself, between and around its stages. */
export type StageEvent =
  /** A stage begins (see STAGES in run.ts). */
  | { type: 'stage'; stage: string; at: number }
  /** Something for the person running wo (stderr): whole lines, each ending in a newline. */
  | { type: 'notice'; text: string; at: number }
  /** The workers are about to be scheduled: a view starts, listing them. */
  | {
      type: 'workers-starting';
      runId: string;
      /** The selected features, in plan order. */
      features: string[];
      /** Each selected worker's worktree, where its output is logged. */
      worktrees: Record<string, string>;
      /** A rehearsal (SPEC §12): the views say so. */
      rehearsal: boolean;
      at: number;
    }
  /**
   * The first Ctrl-C (SPEC §4): no more workers start. `live` are those between start and end;
   * `pausedUntil`, those waiting for a rate limit's reset, and until when (epoch ms).
   */
  | { type: 'drain'; live: string[]; pausedUntil: ReadonlyMap<string, number>; at: number }
  /** A best-of worker's tries were judged (SPEC §11): the views count the worker by this outcome. */
  | { type: 'judged'; feature: string; outcome: Outcome; at: number }
  /** Every worker has ended (or the schedule stopped): a view ends, with its summary. */
  | { type: 'workers-ended'; at: number }
  /** GitHub workflow commands (the failure annotations), for the progress stream. */
  | { type: 'workflow-commands'; text: string; at: number }
  /** The conflict radar predicts that `feature`'s branch conflicts with `with`'s in `files` (SPEC §10). */
  | { type: 'conflict-predicted'; feature: string; with: string; files: string[]; at: number }
  /** The integration stage made its branch (SPEC §10): its outcome word and the line to show. */
  | { type: 'integrated'; outcome: string; text: string; at: number }
  /** The report is written: report.md at `markdown`, report.json beside it. */
  | { type: 'report-written'; markdown: string; json: string; at: number };

export type RunEvent = WorkerEvent | StageEvent;

/**
 * A listener of the run's events. What it returns is awaited where the run waits for its
 * listeners (at `workers-ended`, before the report: a view's summary comes before the report's word).
 */
export type RunListener = (event: RunEvent) => void | Promise<void>;

/** The run's event stream: every listener hears every event, in the order the listeners were added. */
export class RunEvents {
  private readonly listeners: RunListener[] = [];
  /** A listener's failure on an event nobody waited for, to be thrown where the run next waits. */
  private failure: { error: unknown } | undefined;

  on(listener: RunListener): void {
    this.listeners.push(listener);
  }

  /** Tells every listener and waits until each has done with the event. */
  async emit(event: RunEvent): Promise<void> {
    await this.tell(event);
    if (this.failure) {
      const { error } = this.failure;
      this.failure = undefined;
      throw error;
    }
  }

  /**
   * Tells every listener without waiting (the scheduler's events come from a synchronous callback);
   * a listener that fails later has its error thrown by the next `emit`. Never rejects.
   */
  tell(event: RunEvent): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const listener of this.listeners) {
      const r = listener(event);
      if (r) waits.push(r.catch((error: unknown) => void (this.failure ??= { error })));
    }
    return Promise.all(waits).then(() => undefined);
  }
}
