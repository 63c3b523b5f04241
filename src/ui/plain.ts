// Line-by-line progress for CI logs and pipes: one timestamped line per event, never an escape code.
import type { SchedulerEvent } from '../scheduler/types.js';
import { summaryText } from '../report/summary.js';
import { ProgressModel, finishedText, limitText, nextSteps } from './model.js';
import { stripControl } from '../escapes.js';
import { clockTime, oneLine } from './text.js';
import type { ProgressView } from './types.js';

export interface PlainViewOptions {
  /** Where lines go (stdout, or stderr when stdout carries --json). */
  write(text: string): void;
  now?: () => number;
}

function describe(e: SchedulerEvent): string | undefined {
  switch (e.type) {
    case 'queued':
      return undefined; // start() already listed every worker
    case 'preparing':
      return `${e.feature} preparing worktree`;
    case 'started':
      return e.adopted
        ? `${e.feature} adopted its running session (attempt ${e.attempt})`
        : `${e.feature} started (attempt ${e.attempt})`;
    case 'attempt-ended':
      if (!e.willRetry) return undefined; // `finished` follows and says it
      return `${e.feature} attempt ${e.attempt} ${e.record.outcome}${
        e.record.reason ? `: ${oneLine(e.record.reason)}` : ''
      }; retrying`;
    case 'rate-limited':
      return `${e.feature} rate-limited (attempt ${e.attempt}): ${limitText(e)}`;
    case 'finished':
      return finishedText(e.record);
  }
}

export function createPlainView(opts: PlainViewOptions): ProgressView {
  const now = opts.now ?? Date.now;
  const model = new ProgressModel();
  let startedAt = now();
  let stopped = false;
  // Belt and braces: every line is stripped of controls, whatever a reason or feature holds.
  const line = (at: number, text: string): void => opts.write(`[${clockTime(at)}] ${stripControl(text)}\n`);

  return {
    start(features) {
      startedAt = now();
      for (const f of features) model.add(f);
      const n = features.length;
      line(startedAt, `running ${n} worker${n === 1 ? '' : 's'}: ${features.join(', ')}`);
    },
    onEvent(e) {
      if (stopped) return;
      model.apply(e);
      const text = describe(e);
      if (text !== undefined) line(e.at, text);
    },
    onLive(feature, live, at) {
      if (stopped) return;
      const w = model.add(feature);
      w.live = live;
      const what = live.message ? `${live.state}: ${oneLine(live.message)}` : live.state;
      // A worker that waits for a person gets a line at once, with how to reach it.
      line(at, `${feature} ${what}${live.state === 'waiting' ? ` (wo attach ${feature})` : ''}`);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      const end = now();
      line(end, summaryText(model.counts(), end - startedAt));
      const next = nextSteps(model.workers.values());
      if (next) opts.write(`${stripControl(next)}\n`);
    },
  };
}
