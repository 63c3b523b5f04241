// The hint after a run that did not end all done: a try of a best-of worker that another try won
// for is nothing to run again (SPEC §11).
import { nextSteps, type WorkerRow } from '../../src/ui/model.js';

const row = (feature: string, outcome: 'done' | 'failed'): WorkerRow => ({
  feature,
  phase: 'finished',
  attempt: 1,
  adopted: false,
  record: { feature, outcome, attempts: [] },
});

test('a failed try whose worker has a done try is left out; tries that all failed are not', () => {
  expect(nextSteps([row('p.try1', 'done'), row('p.try2', 'failed')])).toBeUndefined();
  expect(nextSteps([row('p.try1', 'failed'), row('p.try2', 'failed'), row('q', 'done')])).toMatch(
    /^Next: wo logs p\.try1 .*\(the 2 not done, again\)$/,
  );
  expect(nextSteps([row('q', 'failed'), row('p.try1', 'done')])).toMatch(/wo logs q /);
});
