// Under GitHub Actions, each worker's story as one collapsible log group, printed when it finishes:
// its lines worded as the plain view words them (words.ts), then its last output.
import { logGroup } from '../report/github.js';
import type { Outcome, WorkerEvent } from '../scheduler/types.js';
import { eventText, timed } from './words.js';

/** A worker's lines, gathered from its events, for its log group. */
export class WorkerLog {
  private readonly lines = new Map<string, string[]>();

  /** Records the event; returns the worker's lines when it has finished. */
  add(e: WorkerEvent): { feature: string; lines: string[]; outcome: Outcome } | undefined {
    const text = eventText(e);
    const list = this.lines.get(e.feature) ?? [];
    this.lines.set(e.feature, list);
    if (text !== undefined) list.push(timed(e.at, text));
    if (e.type !== 'finished') return undefined;
    this.lines.delete(e.feature);
    return { feature: e.feature, lines: list, outcome: e.record.outcome };
  }
}

export interface LogGroupsOptions {
  /** Where the groups go (the progress stream). */
  write(text: string): void;
  /** What a worker printed last (its untrusted output, shown with workflow commands stopped). */
  lastOutput(feature: string): Promise<string | undefined>;
}

/** A worker-event listener that prints each finished worker's lines and last output as one log group. */
export function logGroups(opts: LogGroupsOptions): { onEvent(e: WorkerEvent): void; flush(): Promise<void> } {
  const log = new WorkerLog();
  // Groups are printed in the order workers finish, each whole, one after the other.
  let chain = Promise.resolve();
  return {
    onEvent(e) {
      const done = log.add(e);
      if (!done) return;
      chain = chain.then(async () => {
        // No last output (a log gone or unreadable): the group is written without it.
        const tail = await opts.lastOutput(done.feature).catch(() => undefined);
        opts.write(logGroup(`${done.feature}: ${done.outcome}`, done.lines, tail));
      });
    },
    flush: () => chain,
  };
}
