// A best-of worker (SPEC §11) in the progress views: each try keeps its own row, but the first line,
// the header and the summary count the plan's workers, the best-of worker once, by its judged outcome.
import type { SchedulerEvent, WorkerRecord } from '../../src/scheduler/types.js';
import { createLiveView } from '../../src/ui/live.js';
import { headerText, nextSteps, ProgressModel } from '../../src/ui/model.js';
import { createPlainView } from '../../src/ui/plain.js';
import { startText } from '../../src/ui/words.js';
import { T0 } from './events.js';
import { waitFor } from '../helpers.js';

const record = (feature: string, outcome: WorkerRecord['outcome'], reason?: string): WorkerRecord => ({
  feature,
  outcome,
  ...(reason !== undefined && { reason }),
  attempts: [
    { attempt: 1, outcome: outcome === 'done' ? 'done' : 'failed', startedAt: T0, finishedAt: T0 + 3000 },
  ],
  startedAt: T0,
  finishedAt: T0 + 3000,
});

const finished = (feature: string, outcome: WorkerRecord['outcome'], reason?: string): SchedulerEvent => ({
  type: 'finished',
  feature,
  record: record(feature, outcome, reason),
  at: T0 + 3000,
});

/** A plan of two workers, `a` and `b` with `best_of: 3`: as the run lists them to the views. */
const FEATURES = ['a', 'b.try1', 'b.try2', 'b.try3'];

test("the run's first line counts the plan's workers, naming the tries each best-of worker adds", () => {
  expect(startText(FEATURES)).toBe('running 2 workers (3 tries of b): a, b');
  expect(startText(['a', 'b.try1', 'b.try2', 'c.try1', 'c.try2'])).toBe(
    'running 3 workers (2 tries of b, 2 of c): a, b, c',
  );
  expect(startText(['login', 'api'])).toBe('running 2 workers: login, api');
});

test('the header counts a best-of worker once: by its foremost try while they run, then as judged', () => {
  const m = new ProgressModel();
  for (const f of FEATURES) m.add(f);
  expect(headerText(m.workers.values(), 0)).toBe('2 workers (3 tries of b): 2 queued · 0s');
  m.apply({ type: 'started', feature: 'a', attempt: 1, adopted: false, at: T0 });
  m.apply({ type: 'started', feature: 'b.try1', attempt: 1, adopted: false, at: T0 });
  m.apply({ type: 'started', feature: 'b.try2', attempt: 1, adopted: false, at: T0 });
  m.apply({ type: 'live', feature: 'b.try2', state: 'waiting', message: 'May I?', at: T0 });
  // A try that waits for a person stands for its worker: the header says someone is waited for.
  expect(headerText(m.workers.values(), 2000)).toBe('2 workers (3 tries of b): 1 running, 1 waiting · 2s');
  for (const f of ['b.try1', 'b.try2', 'b.try3']) m.apply(finished(f, f === 'b.try3' ? 'failed' : 'done'));
  expect(headerText(m.workers.values(), 3000)).toBe('2 workers (3 tries of b): 1 running, 1 judging · 3s');
  m.judged('b', 'done');
  m.apply(finished('a', 'done'));
  expect(headerText(m.workers.values(), 4000)).toBe('2 workers (3 tries of b): 2 done · 4s');
});

test("every try's cost counts in the header", () => {
  const m = new ProgressModel();
  const usage = { input_tokens: 1, output_tokens: 1, cache_read_tokens: null, cost_usd: 0.25 };
  for (const f of ['b.try1', 'b.try2'])
    m.apply({
      type: 'attempt-ended',
      feature: f,
      attempt: 1,
      record: { attempt: 1, outcome: 'done', startedAt: T0, finishedAt: T0 + 1, usage },
      willRetry: false,
      at: T0 + 1,
    });
  expect(headerText(m.workers.values(), 1000)).toBe('1 worker (2 tries of b): 1 queued · 1s · $0.50');
});

describe('the plain view', () => {
  const run = async (judged: 'done' | 'failed', tries: Array<WorkerRecord['outcome']>) => {
    let out = '';
    let now = T0;
    const view = createPlainView({ write: (s) => (out += s), now: () => now });
    view.start(FEATURES.slice(0, tries.length + 1));
    now = T0 + 3000;
    view.onEvent(finished('a', 'done'));
    tries.forEach((o, i) => view.onEvent(finished(`b.try${i + 1}`, o, o === 'done' ? undefined : 'exit 1')));
    view.judged!('b', judged);
    await view.stop();
    return out.split('\n').filter(Boolean);
  };

  test('ends counting a best-of worker that won as one done worker, whatever its other tries ended', async () => {
    const lines = await run('done', ['failed', 'done', 'failed']);
    expect(lines[0]).toBe('[12:00:00] running 2 workers (3 tries of b): a, b');
    // Each try keeps its own line.
    expect(lines).toContain('[12:00:03] b.try1 failed in 3s: exit 1');
    expect(lines.at(-1)).toBe('[12:00:03] 2 workers: 2 done in 3s');
  });

  test('a best-of worker judged failed counts once as failed, even when its tries ended done', async () => {
    // Both tries passed, but the worker's branch could not be moved: the judging failed it.
    const lines = await run('failed', ['done', 'done']);
    expect(lines.slice(-2)).toEqual([
      '[12:00:03] 2 workers: 1 done, 1 failed in 3s',
      'Next: wo logs b.try1 (what it printed) · wo attach b.try1 (its session, if kept with --keep-sessions) · wo run --failed (the 1 not done, again)',
    ]);
  });
});

test("the next steps count the plan's workers and name the first try that did not end done", () => {
  const m = new ProgressModel();
  for (const e of [finished('p.try1', 'done'), finished('p.try2', 'failed'), finished('q', 'done')])
    m.apply(e);
  m.judged('p', 'done');
  expect(nextSteps(m.workers.values())).toBeUndefined();
  m.judged('p', 'failed');
  expect(nextSteps(m.workers.values())).toMatch(/^Next: wo logs p\.try2 .*\(the 1 not done, again\)$/);
});

test("the live view: one row per try, a header and a summary that count the plan's workers", async () => {
  let out = '';
  let now = T0;
  const view = createLiveView({
    target: { write: (t) => (out += t), columns: 100 },
    color: false,
    now: () => now,
  });
  view.start(FEATURES);
  now = T0 + 3000;
  view.onEvent(finished('a', 'done'));
  view.onEvent(finished('b.try1', 'failed', 'exit 1'));
  view.onEvent(finished('b.try2', 'done'));
  view.onEvent(finished('b.try3', 'interrupted', 'ended early'));
  view.judged!('b', 'done');
  await view.stop();
  for (const row of [
    'b.try1 failed in 3s: exit 1',
    'b.try2 done in 3s',
    'b.try3 interrupted in 3s: ended early',
  ])
    expect(out).toContain(row);
  // The worker won: the run ends under a green tick, though two of its tries did not pass.
  expect(out).toMatch(/✔ 2 workers \(3 tries of b\): 2 done · 3s/);
  // The summary is the run's last line: no worker to run again.
  expect(out).toMatch(/2 workers: 2 done in 3s\n$/);
});

test('the live view ends under a cross when the judging fails a worker whose tries passed', async () => {
  let out = '';
  const view = createLiveView({ target: { write: (t) => (out += t), columns: 100 }, color: false });
  view.start(['a', 'b.try1', 'b.try2']);
  for (const f of ['a', 'b.try1', 'b.try2']) view.onEvent(finished(f, 'done'));
  // Every row has ended: the judging, which comes later, still decides the run's mark.
  await waitFor(() => /✔ b\.try2 done/.test(out), 'the rows drawn');
  view.judged!('b', 'failed');
  await view.stop();
  expect(out).toMatch(/✖ 2 workers \(2 tries of b\): 1 done, 1 failed/);
  expect(out).not.toMatch(/✔ 2 workers/);
});
