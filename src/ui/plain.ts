// Line-by-line progress for CI logs and pipes: one timestamped line per event, never an escape code.
import { summaryText } from '../report/summary.js';
import { ProgressModel, nextSteps } from './model.js';
import { stripControl } from '../escapes.js';
import { eventText, radarText, rehearsalMark, startText, timed } from './words.js';
import type { ProgressView } from './types.js';

export interface PlainViewOptions {
  /** Where lines go (stdout, or stderr when stdout carries --json). */
  write(text: string): void;
  now?: () => number;
  /** A rehearsal (SPEC §12): the first line says so. */
  rehearsal?: boolean;
}

export function createPlainView(opts: PlainViewOptions): ProgressView {
  const now = opts.now ?? Date.now;
  const model = new ProgressModel();
  let startedAt = now();
  let stopped = false;
  const line = (at: number, text: string): void => opts.write(`${timed(at, text)}\n`);

  return {
    start(features) {
      startedAt = now();
      for (const f of features) model.add(f);
      line(startedAt, rehearsalMark(opts.rehearsal) + startText(features));
    },
    onEvent(e) {
      if (stopped) return;
      model.apply(e);
      const text = eventText(e);
      if (text !== undefined) line(e.at, text);
    },
    judged(feature, outcome) {
      if (!stopped) model.judged(feature, outcome);
    },
    radar(c, at) {
      line(at, radarText(c)); // after the summary too: a prediction is never dropped
    },
    stop() {
      if (stopped) return Promise.resolve();
      stopped = true;
      const end = now();
      line(end, summaryText(model.counts(), end - startedAt));
      const next = nextSteps(model.workers.values());
      if (next) opts.write(`${stripControl(next)}\n`);
      return Promise.resolve();
    },
  };
}
