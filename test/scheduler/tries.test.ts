// schedule() with best-of groups (SPEC §11): a group settles once its tries ended, whatever they ended
// as; workers that need it wait for that; `until: first` ends the other tries, queued or live.
import { schedule } from '../../src/scheduler/schedule.js';
import type { TryGroup, WorkerRecord } from '../../src/scheduler/types.js';
import { deferred, FakeDriver, plan, settle } from './fakes.js';

/** A group over `tries` whose settle the test decides, and what it was given. */
function group(feature: string, tries: string[], first = false) {
  const given: WorkerRecord[][] = [];
  const verdict = deferred<{ outcome: 'done' | 'failed'; reason?: string }>();
  const g: TryGroup = {
    feature,
    tries,
    ...(first && { passedFirst: (w: string) => `${w} passed first` }),
    settle: (records) => {
      given.push(records.map((r) => ({ ...r })));
      return verdict.promise;
    },
  };
  return { g, given, verdict };
}

describe('schedule: best-of groups', () => {
  test('a group settles when its last try ends, failed ones included; its dependents wait for it', async () => {
    const driver = new FakeDriver();
    const { g, given, verdict } = group('p', ['p.try1', 'p.try2']);
    const run = schedule({
      workers: plan(['p.try1'], ['p.try2'], ['after', { needs: ['p'] }]),
      groups: [g],
      concurrency: 4,
      driver,
    });
    (await driver.started('p.try1')).end({ outcome: 'failed', reason: 'verify failed' });
    await settle();
    expect(given).toEqual([]);
    (await driver.started('p.try2')).end({ outcome: 'done' });
    await settle();
    expect(given.map((rs) => rs.map((x) => x.outcome))).toEqual([['failed', 'done']]);
    expect(driver.startedFeatures()).not.toContain('after');
    verdict.resolve({ outcome: 'done' });
    (await driver.started('after')).end({ outcome: 'done' });
    // The group is no worker of the schedule: its tries' records, and the others'.
    expect((await run).map((x) => [x.feature, x.outcome])).toEqual([
      ['p.try1', 'failed'],
      ['p.try2', 'done'],
      ['after', 'done'],
    ]);
  });

  test('a group that settles failed skips what needs it', async () => {
    const driver = new FakeDriver();
    const { g, verdict } = group('p', ['p.try1', 'p.try2']);
    verdict.resolve({ outcome: 'failed', reason: 'no try passed' });
    const run = schedule({
      workers: plan(['p.try1'], ['p.try2'], ['after', { needs: ['p'] }]),
      groups: [g],
      concurrency: 1,
      driver,
    });
    (await driver.started('p.try1')).end({ outcome: 'failed', reason: 'x' });
    (await driver.started('p.try2')).end({ outcome: 'failed', reason: 'y' });
    const records = await run;
    expect(records.find((x) => x.feature === 'after')).toMatchObject({
      outcome: 'skipped',
      reason: 'needs "p" which was failed',
    });
  });

  test('until: first: a done try ends the live ones (stopped) and the queued ones (never started)', async () => {
    const driver = new FakeDriver();
    const { g, given, verdict } = group('p', ['p.try1', 'p.try2', 'p.try3'], true);
    verdict.resolve({ outcome: 'done' });
    const run = schedule({
      workers: plan(['p.try1'], ['p.try2'], ['p.try3']),
      groups: [g],
      concurrency: 2,
      driver,
      onEvent: () => undefined,
    });
    const one = await driver.started('p.try1');
    const two = await driver.started('p.try2');
    two.end({ outcome: 'done' });
    await settle();
    expect(one.stops).toEqual(['p.try2 passed first']);
    const records = await run;
    expect(records.map((x) => [x.feature, x.outcome, x.reason])).toEqual([
      ['p.try1', 'interrupted', 'p.try2 passed first'],
      ['p.try2', 'done', undefined],
      ['p.try3', 'interrupted', 'p.try2 passed first'],
    ]);
    expect(driver.startedFeatures()).not.toContain('p.try3');
    expect(given).toHaveLength(1);
  });

  test('an ended try is not retried', async () => {
    const driver = new FakeDriver();
    const { g, verdict } = group('p', ['p.try1', 'p.try2'], true);
    verdict.resolve({ outcome: 'done' });
    const run = schedule({
      workers: plan(['p.try1', { retries: 2 }], ['p.try2']),
      groups: [g],
      concurrency: 2,
      driver,
    });
    const one = await driver.started('p.try1');
    (await driver.started('p.try2')).end({ outcome: 'done' });
    await settle();
    expect(one.ended).toBe(true);
    await run;
    expect(driver.attempt('p.try1', 2)).toBeUndefined();
  });

  test('an interrupt still settles the group, once its tries ended', async () => {
    const driver = new FakeDriver();
    const { g, given, verdict } = group('p', ['p.try1', 'p.try2']);
    verdict.resolve({ outcome: 'failed' });
    const abort = new AbortController();
    const run = schedule({
      workers: plan(['p.try1'], ['p.try2']),
      groups: [g],
      concurrency: 1,
      driver,
      signal: abort.signal,
    });
    await driver.started('p.try1');
    abort.abort();
    const records = await run;
    expect(records.map((x) => x.outcome)).toEqual(['interrupted', 'skipped']);
    expect(given).toHaveLength(1);
  });
});
