// Under GitHub Actions each worker's story is one log group: its lines are worded as the plain view
// words them (one wording, one clock), and the groups come whole, in the order workers finish.
import { logGroups, WorkerLog } from '../../src/ui/log-groups.js';
import { createPlainView } from '../../src/ui/plain.js';
import { clockTime } from '../../src/ui/text.js';
import type { WorkerEvent, WorkerRecord } from '../../src/scheduler/types.js';
import { T0, sampleEvents } from './events.js';

const failed = (feature: string, reason: string): WorkerRecord => ({
  feature,
  outcome: 'failed',
  reason,
  attempts: [{ attempt: 1, outcome: 'failed', reason, startedAt: T0, finishedAt: T0 + 2000 }],
  startedAt: T0,
  finishedAt: T0 + 2000,
});

test("WorkerLog gathers a worker's lines and hands them over when it finishes", () => {
  const log = new WorkerLog();
  expect(log.add({ type: 'started', feature: 'a', attempt: 1, adopted: false, at: T0 })).toBeUndefined();
  expect(log.add({ type: 'started', feature: 'b', attempt: 1, adopted: false, at: T0 })).toBeUndefined();
  const end = log.add({ type: 'finished', feature: 'a', record: failed('a', 'exit 1\nmore'), at: T0 + 2000 });
  expect(end).toEqual({
    feature: 'a',
    outcome: 'failed',
    lines: [
      `[${clockTime(T0)}] a started (attempt 1)`,
      `[${clockTime(T0 + 2000)}] a failed in 2s: exit 1 / more`,
    ],
  });
});

test('a rate limit and a live state are lines of the worker’s group, in local time like every view', () => {
  const log = new WorkerLog();
  log.add({ type: 'started', feature: 'a', attempt: 1, adopted: false, at: T0 });
  log.add({
    type: 'rate-limited',
    feature: 'a',
    attempt: 1,
    message: 'API Error: 429',
    resetsAt: T0 + 60_000,
    until: T0 + 62_000,
    at: T0 + 1000,
  });
  log.add({ type: 'live', feature: 'a', state: 'waiting', message: 'May I run npm?', at: T0 + 63_000 });
  const end = log.add({ type: 'finished', feature: 'a', record: failed('a', 'x'), at: T0 + 70_000 });
  expect(end!.lines.slice(1, 3)).toEqual([
    `[${clockTime(T0 + 1000)}] a rate-limited (attempt 1): resets at ${clockTime(T0 + 60_000)}, goes on at ${clockTime(T0 + 62_000)}: API Error: 429`,
    `[${clockTime(T0 + 63_000)}] a waiting: May I run npm? (wo attach a)`,
  ]);
});

test('one wording: every line of every group is a line the plain view printed for the same events', async () => {
  const events: WorkerEvent[] = [
    ...sampleEvents(),
    { type: 'live', feature: 'login', state: 'waiting', message: 'Allow Bash?', at: T0 + 2000 },
  ];
  let plain = '';
  const view = createPlainView({ write: (s) => (plain += s), now: () => T0 });
  view.start(['login', 'api', 'e2e']);
  const log = new WorkerLog();
  const grouped: string[] = [];
  for (const e of events) {
    view.onEvent(e);
    grouped.push(...(log.add(e)?.lines ?? []));
  }
  const plainLines = plain.split('\n').filter(Boolean);
  expect(grouped.length).toBeGreaterThan(5);
  for (const line of grouped) expect(plainLines).toContain(line);
});

test('logGroups prints each finished worker as one group, whole, in the order they finish, with its output', async () => {
  let out = '';
  const asked: string[] = [];
  const groups = logGroups({
    write: (t) => (out += t),
    lastOutput: async (f) => {
      asked.push(f);
      return f === 'b' ? '::error::not from wo' : undefined;
    },
  });
  const events: WorkerEvent[] = [
    { type: 'started', feature: 'a', attempt: 1, adopted: false, at: T0 },
    { type: 'started', feature: 'b', attempt: 1, adopted: false, at: T0 },
    { type: 'finished', feature: 'b', record: failed('b', 'exit 3'), at: T0 + 2000 },
    { type: 'finished', feature: 'a', record: { ...failed('a', 'done'), outcome: 'done' }, at: T0 + 2000 },
  ];
  for (const e of events) groups.onEvent(e);
  await groups.flush();
  expect(asked).toEqual(['b', 'a']);
  const lines = out.split('\n');
  expect(lines.filter((l) => l.startsWith('::group::'))).toEqual(['::group::b: failed', '::group::a: done']);
  expect(lines.filter((l) => l === '::endgroup::')).toHaveLength(2);
  // The agent's output is printed with workflow commands stopped, inside b's group.
  const fake = lines.indexOf('::error::not from wo');
  expect(lines[fake - 1]).toMatch(/^::stop-commands::wo-[0-9a-f]{24}$/);
  expect(lines.indexOf('::group::b: failed')).toBeLessThan(fake);
  expect(lines.indexOf('::group::a: done')).toBeGreaterThan(fake);
});
