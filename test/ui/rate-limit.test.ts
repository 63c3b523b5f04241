// A worker waiting for its agent's rate limit shows as rate-limited with its reset, in both views'
// model and the plain view's line (not as queued, and not as running).
import { createPlainView } from '../../src/ui/plain.js';
import { ProgressModel, headerText, stateOf, title } from '../../src/ui/model.js';
import type { SchedulerEvent } from '../../src/scheduler/types.js';
import { clockTime } from '../../src/ui/text.js';
import { T0 } from './events.js';

const events: SchedulerEvent[] = [
  { type: 'queued', feature: 'a', at: T0 },
  { type: 'preparing', feature: 'a', at: T0 },
  { type: 'started', feature: 'a', attempt: 1, adopted: false, at: T0 },
  {
    type: 'rate-limited',
    feature: 'a',
    attempt: 1,
    message: 'API Error: Request rejected (429)',
    resetsAt: T0 + 60_000,
    until: T0 + 62_000,
    at: T0 + 1000,
  },
];

test('the model: rate-limited with its reset until the attempt starts again', () => {
  const m = new ProgressModel();
  for (const e of events) m.apply(e);
  const w = m.workers.get('a')!;
  expect(stateOf(w)).toBe('rate-limited');
  expect(title(w, T0 + 2000, undefined, 200)).toBe(
    `a · rate-limited 2s · resets at ${clockTime(T0 + 60_000)}, goes on at ${clockTime(T0 + 62_000)}: API Error: Request rejected (429) (wo attach a)`,
  );
  expect(headerText(m.workers.values(), 2000)).toBe('1 worker: 1 rate-limited · 2s');
  m.apply({ type: 'started', feature: 'a', attempt: 1, adopted: false, at: T0 + 62_000 });
  expect(stateOf(w)).toBe('running');
});

test('the plain view: one line saying when it goes on; no reset said says so', () => {
  let out = '';
  const view = createPlainView({ write: (s) => (out += s), now: () => T0 });
  view.start(['a']);
  for (const e of events) view.onEvent(e);
  const { resetsAt: _, ...unknown } = events[3] as Extract<SchedulerEvent, { type: 'rate-limited' }>;
  view.onEvent(unknown);
  const lines = out.split('\n').filter((l) => l.includes('rate-limited'));
  expect(lines).toEqual([
    `[${clockTime(T0 + 1000)}] a rate-limited (attempt 1): resets at ${clockTime(T0 + 60_000)}, goes on at ${clockTime(T0 + 62_000)}: API Error: Request rejected (429)`,
    `[${clockTime(T0 + 1000)}] a rate-limited (attempt 1): no reset time said, goes on at ${clockTime(T0 + 62_000)}: API Error: Request rejected (429)`,
  ]);
});
