// The hint after a run that did not end all done: a best-of worker counts as it was judged (SPEC §11),
// so a try of a worker that won is nothing to run again.
import type { Outcome } from '../../src/life/state.js';
import { nextSteps, type WorkerRow } from '../../src/ui/model.js';

const row = (feature: string, outcome: 'done' | 'failed', judged?: Outcome): WorkerRow => ({
  feature,
  phase: 'finished',
  attempt: 1,
  adopted: false,
  record: { feature, outcome, attempts: [] },
  ...(judged !== undefined && { judged }),
});

test('a failed try whose worker won is left out; a worker whose tries all failed counts once', () => {
  expect(nextSteps([row('p.try1', 'done', 'done'), row('p.try2', 'failed', 'done')])).toBeUndefined();
  expect(
    nextSteps([row('p.try1', 'failed', 'failed'), row('p.try2', 'failed', 'failed'), row('q', 'done')]),
  ).toMatch(/^Next: wo logs p\.try1 .*\(the 1 not done, again\)$/);
  expect(nextSteps([row('q', 'failed'), row('p.try1', 'done', 'done')])).toMatch(/wo logs q /);
});
