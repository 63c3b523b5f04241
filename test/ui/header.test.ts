// The live view's header: counts by state, elapsed time, and what the ended attempts' agents reported they cost.
import { headerText, ProgressModel } from '../../src/ui/model.js';
import type { AttemptRecord } from '../../src/scheduler/types.js';

const ended = (feature: string, usage?: AttemptRecord['usage']) => ({
  type: 'attempt-ended' as const,
  feature,
  attempt: 1,
  record: { attempt: 1, outcome: 'done' as const, startedAt: 0, finishedAt: 1, ...(usage && { usage }) },
  willRetry: false,
  at: 1,
});

test('the header adds up the cost the agents reported; tokens when none reported a cost; nothing when none reported usage', () => {
  const m = new ProgressModel();
  m.add('a');
  m.add('b');
  expect(headerText(m.workers.values(), 12000)).toBe('2 workers: 2 queued · 12s');
  m.apply(ended('a'));
  expect(headerText(m.workers.values(), 12000)).toBe('2 workers: 2 queued · 12s');
  m.apply(ended('a', { input_tokens: 100, output_tokens: 20, cache_read_tokens: null, cost_usd: null }));
  expect(headerText(m.workers.values(), 12000)).toBe('2 workers: 2 queued · 12s · 120 tokens');
  m.apply(ended('b', { input_tokens: 10, output_tokens: 5, cache_read_tokens: 3, cost_usd: 0.25 }));
  m.apply(ended('a', { input_tokens: 1, output_tokens: 1, cache_read_tokens: null, cost_usd: 0.5 }));
  expect(headerText(m.workers.values(), 12000)).toBe('2 workers: 2 queued · 12s · $0.75');
  expect(m.workers.get('a')!.usage).toEqual({
    input_tokens: 101,
    output_tokens: 21,
    cache_read_tokens: null,
    cost_usd: 0.5,
  });
});
