// schedule(): concurrency, needs, retries, prepare failures, timeouts, interrupts and events, with a fake driver.
import { schedule, INTERRUPTED_BEFORE_START } from '../../src/scheduler/schedule.js';
import type { SchedulerEvent, WorkerRecord } from '../../src/scheduler/types.js';
import { FakeClock, FakeDriver, plan, settle } from './fakes.js';

const byFeature = (records: WorkerRecord[]) => Object.fromEntries(records.map((r) => [r.feature, r]));

describe('schedule: concurrency', () => {
  test('never more than `concurrency` live workers; the next starts only after a release', async () => {
    const driver = new FakeDriver();
    const events: SchedulerEvent[] = [];
    let live = 0;
    let maxLive = 0;
    const run = schedule({
      workers: plan(['a'], ['b'], ['c'], ['d'], ['e']),
      concurrency: 2,
      driver,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'preparing') maxLive = Math.max(maxLive, ++live);
        if (e.type === 'finished' && e.record.startedAt !== undefined) live--;
      },
    });

    const a = await driver.started('a');
    const b = await driver.started('b');
    await settle();
    // If the third worker were started early, this would fail.
    expect(driver.startedFeatures()).toEqual(['a', 'b']);
    expect(driver.log).not.toContain('prepare c');

    b.end({ outcome: 'done', exitCode: 0 });
    const c = await driver.started('c');
    await settle();
    expect(driver.startedFeatures()).toEqual(['a', 'b', 'c']);
    expect(a.ended).toBe(false);

    a.end({ outcome: 'failed', reason: 'boom', exitCode: 1 });
    const d = await driver.started('d');
    await settle();
    expect(driver.startedFeatures()).toEqual(['a', 'b', 'c', 'd']);

    c.end({ outcome: 'done' });
    const e = await driver.started('e');
    d.end({ outcome: 'done' });
    e.end({ outcome: 'done' });

    const records = await run;
    expect(records.map((r) => r.feature)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(records.map((r) => r.outcome)).toEqual(['failed', 'done', 'done', 'done', 'done']);
    expect(driver.maxSessionsLive).toBe(2);
    expect(maxLive).toBe(2);
  });

  test('a slow prepare holds its slot (preparing counts against the limit)', async () => {
    const driver = new FakeDriver();
    let open!: () => void;
    driver.prepareGates.set('a', new Promise<void>((r) => (open = r)));
    const run = schedule({ workers: plan(['a'], ['b']), concurrency: 1, driver });
    await settle();
    expect(driver.log).toEqual(['prepare a']);
    open();
    (await driver.started('a')).end({ outcome: 'done' });
    (await driver.started('b')).end({ outcome: 'done' });
    expect((await run).map((r) => r.outcome)).toEqual(['done', 'done']);
  });

  test('ready workers start in plan order, including ones whose needs finished late', async () => {
    const driver = new FakeDriver();
    const run = schedule({
      workers: plan(['login'], ['e2e', { needs: ['login'] }], ['a'], ['b']),
      concurrency: 1,
      driver,
    });
    (await driver.started('login')).end({ outcome: 'done' });
    (await driver.started('e2e')).end({ outcome: 'done' });
    (await driver.started('a')).end({ outcome: 'done' });
    (await driver.started('b')).end({ outcome: 'done' });
    await run;
    expect(driver.startedFeatures()).toEqual(['login', 'e2e', 'a', 'b']);
  });

  test('an empty plan resolves at once', async () => {
    expect(await schedule({ workers: [], concurrency: 2, driver: new FakeDriver() })).toEqual([]);
  });
});

describe('schedule: needs', () => {
  test('a worker starts only after every need is done', async () => {
    const driver = new FakeDriver();
    const run = schedule({
      workers: plan(['api'], ['db'], ['e2e', { needs: ['api', 'db'] }]),
      concurrency: 4,
      driver,
    });
    const api = await driver.started('api');
    const db = await driver.started('db');
    api.end({ outcome: 'done' });
    await settle();
    expect(driver.startedFeatures()).toEqual(['api', 'db']);
    db.end({ outcome: 'done' });
    (await driver.started('e2e')).end({ outcome: 'done' });
    expect((await run).map((r) => r.outcome)).toEqual(['done', 'done', 'done']);
  });

  test('a failed need skips its dependents, transitively, with the reason', async () => {
    const driver = new FakeDriver();
    const run = schedule({
      workers: plan(['login'], ['e2e', { needs: ['login'] }], ['docs', { needs: ['e2e'] }], ['other']),
      concurrency: 4,
      driver,
    });
    (await driver.started('login')).end({ outcome: 'failed', reason: 'tests fail' });
    (await driver.started('other')).end({ outcome: 'done' });
    const r = byFeature(await run);
    expect(r.e2e).toMatchObject({
      outcome: 'skipped',
      reason: 'needs "login" which was failed',
      attempts: [],
    });
    expect(r.docs).toMatchObject({ outcome: 'skipped', reason: 'needs "e2e" which was skipped' });
    expect(r.e2e!.startedAt).toBeUndefined();
    expect(driver.startedFeatures()).toEqual(['login', 'other']);
  });

  test('a need that is neither selected nor already done skips the worker', async () => {
    const driver = new FakeDriver();
    const run = schedule({
      workers: plan(['e2e', { needs: ['login'] }], ['docs', { needs: ['e2e'] }], ['a']),
      concurrency: 2,
      driver,
    });
    (await driver.started('a')).end({ outcome: 'done' });
    const r = byFeature(await run);
    expect(r.e2e).toMatchObject({
      outcome: 'skipped',
      reason: 'needs "login" which is neither selected nor already done',
    });
    expect(r.docs).toMatchObject({ outcome: 'skipped', reason: 'needs "e2e" which was skipped' });
  });

  test('alreadyDone satisfies a need outside the selection', async () => {
    const driver = new FakeDriver();
    const run = schedule({
      workers: plan(['e2e', { needs: ['login'] }]),
      concurrency: 2,
      driver,
      alreadyDone: new Set(['login']),
    });
    (await driver.started('e2e')).end({ outcome: 'done' });
    expect((await run)[0]!.outcome).toBe('done');
  });

  test('a needs cycle (which validation should catch) is skipped instead of hanging', async () => {
    const driver = new FakeDriver();
    const records = await schedule({
      workers: plan(['a', { needs: ['b'] }], ['b', { needs: ['a'] }]),
      concurrency: 2,
      driver,
    });
    expect(records.map((r) => r.outcome)).toEqual(['skipped', 'skipped']);
    expect(records[0]!.reason).toContain('cycle');
  });
});

describe('schedule: attempts', () => {
  test('retries a failed attempt and records every attempt', async () => {
    const driver = new FakeDriver();
    const clock = new FakeClock();
    const events: SchedulerEvent[] = [];
    const run = schedule({
      workers: plan(['a', { retries: 2 }]),
      concurrency: 1,
      driver,
      clock,
      onEvent: (e) => events.push(e),
    });
    const t0 = clock.now();
    const first = await driver.started('a', 1);
    clock.advance(1000);
    first.end({ outcome: 'crashed', reason: 'session ended without status' });
    const second = await driver.started('a', 2);
    clock.advance(1000);
    second.end({ outcome: 'done', exitCode: 0 });
    const [rec] = await run;
    expect(rec).toMatchObject({ outcome: 'done', exitCode: 0, startedAt: t0 });
    expect(rec!.attempts.map((a) => [a.attempt, a.outcome])).toEqual([
      [1, 'crashed'],
      [2, 'done'],
    ]);
    expect(rec!.attempts[0]!.reason).toBe('session ended without status');
    expect(rec!.finishedAt).toBe(t0 + 2000);
    expect(driver.log.filter((l) => l.startsWith('prepare'))).toEqual(['prepare a']);
    const ended = events.filter((e) => e.type === 'attempt-ended');
    expect(ended.map((e) => e.type === 'attempt-ended' && e.willRetry)).toEqual([true, false]);
  });

  test('gives up after retries + 1 attempts; the last attempt decides outcome, reason, exit code', async () => {
    const driver = new FakeDriver();
    const run = schedule({ workers: plan(['a', { retries: 1 }]), concurrency: 1, driver });
    (await driver.started('a', 1)).end({ outcome: 'failed', reason: 'one', exitCode: 1 });
    (await driver.started('a', 2)).end({ outcome: 'failed', reason: 'two', exitCode: 2 });
    const [rec] = await run;
    expect(rec).toMatchObject({ outcome: 'failed', reason: 'two', exitCode: 2 });
    expect(rec!.attempts).toHaveLength(2);
  });

  test('prepare() failing is one failed attempt with its message, not retried', async () => {
    const driver = new FakeDriver();
    driver.prepareErrors.set('a', 'setup "npm ci" failed (exit 1)');
    const events: SchedulerEvent[] = [];
    const [rec] = await schedule({
      workers: plan(['a', { retries: 3 }]),
      concurrency: 1,
      driver,
      onEvent: (e) => events.push(e),
    });
    expect(rec).toMatchObject({ outcome: 'failed', reason: 'setup "npm ci" failed (exit 1)' });
    expect(rec!.attempts).toHaveLength(1);
    expect(driver.attempts).toHaveLength(0);
    expect(events.map((e) => e.type)).toEqual(['queued', 'preparing', 'attempt-ended', 'finished']);
  });

  test('start() throwing is a failed attempt, and retries apply', async () => {
    const driver = new FakeDriver();
    driver.startErrors.set('a', 1);
    const run = schedule({ workers: plan(['a', { retries: 1 }]), concurrency: 1, driver });
    (await driver.started('a', 2)).end({ outcome: 'done' });
    const [rec] = await run;
    expect(rec!.outcome).toBe('done');
    expect(rec!.attempts.map((a) => [a.outcome, a.reason])).toEqual([
      ['failed', 'tmux new-session failed'],
      ['done', undefined],
    ]);
  });

  test('an adopted session is recorded as such', async () => {
    const driver = new FakeDriver();
    driver.adopt.add('a');
    const run = schedule({ workers: plan(['a']), concurrency: 1, driver });
    (await driver.started('a')).end({ outcome: 'done' });
    expect((await run)[0]!.attempts[0]!.adopted).toBe(true);
  });
});

describe('schedule: timeouts', () => {
  test('a timer from start stops the attempt; outcome timeout with the formatted reason', async () => {
    const driver = new FakeDriver();
    const clock = new FakeClock();
    const run = schedule({
      workers: plan(['slow', { timeoutMs: 10 * 60_000 }], ['fast', { timeoutMs: 10 * 60_000 }]),
      concurrency: 2,
      driver,
      clock,
    });
    const slow = await driver.started('slow');
    const fast = await driver.started('fast');
    await settle(); // the scheduler sets its timer once start() has returned
    expect(clock.pendingTimers).toBe(2);
    clock.advance(60_000);
    fast.end({ outcome: 'done', exitCode: 0 });
    await settle();
    expect(clock.pendingTimers).toBe(1); // fast's timer was cancelled
    clock.advance(9 * 60_000 - 1);
    expect(slow.stops).toEqual([]);
    clock.advance(1);
    expect(slow.stops).toEqual(['timed out after 10m']);
    const r = byFeature(await run);
    expect(r.slow).toMatchObject({ outcome: 'timeout', reason: 'timed out after 10m', exitCode: 130 });
    expect(r.fast!.outcome).toBe('done');
  });

  test('a timed-out attempt is retried when retries allow', async () => {
    const driver = new FakeDriver();
    const clock = new FakeClock();
    const run = schedule({
      workers: plan(['a', { timeoutMs: 90_000, retries: 1 }]),
      concurrency: 1,
      driver,
      clock,
    });
    await driver.started('a', 1);
    await settle();
    clock.advance(90_000);
    (await driver.started('a', 2)).end({ outcome: 'done' });
    const [rec] = await run;
    expect(rec!.attempts.map((a) => [a.outcome, a.reason])).toEqual([
      ['timeout', 'timed out after 1m30s'],
      ['done', undefined],
    ]);
  });

  test('when stop() itself fails the attempt still ends', async () => {
    const driver = new FakeDriver();
    driver.stopFails = true;
    const clock = new FakeClock();
    const run = schedule({ workers: plan(['a', { timeoutMs: 2500 }]), concurrency: 1, driver, clock });
    await driver.started('a');
    await settle();
    clock.advance(2500);
    const [rec] = await run;
    expect(rec!.outcome).toBe('timeout');
    expect(rec!.reason).toMatch(/^timed out after 2\.5s \(stopping the session failed: tmux is gone\)$/);
  });
});

describe('schedule: interrupts', () => {
  test('abort: running attempts are stopped and interrupted, the rest skipped, and it resolves', async () => {
    const driver = new FakeDriver();
    const ac = new AbortController();
    const events: SchedulerEvent[] = [];
    const run = schedule({
      workers: plan(['a', { retries: 3 }], ['b'], ['c'], ['d', { needs: ['a'] }]),
      concurrency: 2,
      driver,
      signal: ac.signal,
      onEvent: (e) => events.push(e),
    });
    const a = await driver.started('a');
    const b = await driver.started('b');
    ac.abort();
    const r = byFeature(await run);
    expect(a.stops).toEqual(['interrupted']);
    expect(b.stops).toEqual(['interrupted']);
    expect(r.a).toMatchObject({ outcome: 'interrupted', reason: 'interrupted' });
    expect(r.a!.attempts).toHaveLength(1); // interrupted is never retried
    expect(r.b!.outcome).toBe('interrupted');
    expect(r.c).toMatchObject({ outcome: 'skipped', reason: INTERRUPTED_BEFORE_START });
    expect(r.d).toMatchObject({ outcome: 'skipped', reason: INTERRUPTED_BEFORE_START });
    expect(driver.startedFeatures()).toEqual(['a', 'b']);
    expect(events.filter((e) => e.type === 'finished')).toHaveLength(4);
  });

  test('drain (a first Ctrl-C): running workers go on to their own end, nothing new starts or retries', async () => {
    const driver = new FakeDriver();
    const drain = new AbortController();
    const run = schedule({
      workers: plan(['a', { retries: 3 }], ['b'], ['c'], ['d', { needs: ['b'] }]),
      concurrency: 2,
      driver,
      drain: drain.signal,
    });
    const a = await driver.started('a');
    const b = await driver.started('b');
    drain.abort();
    await settle();
    expect(a.stops).toEqual([]);
    expect(b.stops).toEqual([]);
    b.end({ outcome: 'done', exitCode: 0 }); // its dependent is not started after a drain
    a.end({ outcome: 'failed', reason: 'boom', exitCode: 1 }); // nor is a retry
    const r = byFeature(await run);
    expect(r.a).toMatchObject({ outcome: 'failed', reason: 'boom' });
    expect(r.a!.attempts).toHaveLength(1);
    expect(r.b!.outcome).toBe('done');
    expect(r.c).toMatchObject({ outcome: 'skipped', reason: INTERRUPTED_BEFORE_START });
    expect(r.d).toMatchObject({ outcome: 'skipped', reason: INTERRUPTED_BEFORE_START });
    expect(driver.startedFeatures()).toEqual(['a', 'b']);
  });

  test('abort while a worker prepares: it ends interrupted without starting', async () => {
    const driver = new FakeDriver();
    const ac = new AbortController();
    let open!: () => void;
    driver.prepareGates.set('a', new Promise<void>((r) => (open = r)));
    const run = schedule({ workers: plan(['a']), concurrency: 1, driver, signal: ac.signal });
    await settle();
    ac.abort();
    open();
    const [rec] = await run;
    expect(rec).toMatchObject({ outcome: 'interrupted' });
    expect(driver.attempts).toHaveLength(0);
  });

  test('an already-aborted signal skips everything', async () => {
    const ac = new AbortController();
    ac.abort();
    const driver = new FakeDriver();
    const records = await schedule({
      workers: plan(['a'], ['b']),
      concurrency: 2,
      driver,
      signal: ac.signal,
    });
    expect(records.map((r) => [r.outcome, r.reason])).toEqual([
      ['skipped', INTERRUPTED_BEFORE_START],
      ['skipped', INTERRUPTED_BEFORE_START],
    ]);
    expect(driver.log).toEqual([]);
  });
});

describe('schedule: events', () => {
  test('queued for all first, then preparing/started/attempt-ended/finished per worker', async () => {
    const driver = new FakeDriver();
    const events: SchedulerEvent[] = [];
    const run = schedule({
      workers: plan(['a'], ['b', { needs: ['a'] }], ['c', { needs: ['x'] }]),
      concurrency: 2,
      driver,
      onEvent: (e) => events.push(e),
    });
    (await driver.started('a')).end({ outcome: 'done' });
    (await driver.started('b')).end({ outcome: 'failed' });
    await run;
    expect(events.map((e) => `${e.type} ${e.feature}`)).toEqual([
      'queued a',
      'queued b',
      'queued c',
      'finished c',
      'preparing a',
      'started a',
      'attempt-ended a',
      'finished a',
      'preparing b',
      'started b',
      'attempt-ended b',
      'finished b',
    ]);
  });

  test('a throwing listener does not break the run', async () => {
    const driver = new FakeDriver();
    const run = schedule({
      workers: plan(['a']),
      concurrency: 1,
      driver,
      onEvent: () => {
        throw new Error('view bug');
      },
    });
    (await driver.started('a')).end({ outcome: 'done' });
    expect((await run)[0]!.outcome).toBe('done');
  });
});

describe('schedule: when an attempt ended', () => {
  test("the driver's notice time is the attempt's end, not the moment its bookkeeping finished", async () => {
    const clock = new FakeClock();
    const driver = new FakeDriver();
    const run = schedule({ workers: plan(['a']), concurrency: 1, driver, clock });
    const a = await driver.started('a');
    clock.advance(1000);
    const noticed = clock.now();
    clock.advance(40); // the driver read files and updated metadata after noticing
    a.end({ outcome: 'done', noticedAt: noticed });
    const [rec] = await run;
    expect(rec!.finishedAt).toBe(noticed);
    expect(rec!.attempts[0]!.finishedAt).toBe(noticed);
  });
});
