// The plain view: one clean line per event, no escape codes ever, and a summary at the end.
import { createPlainView } from '../../src/ui/plain.js';
import { T0, sampleEvents } from './events.js';

test('one line per event, with times, and a summary; never an escape code', async () => {
  let out = '';
  let t = T0;
  const view = createPlainView({ write: (s) => (out += s), now: () => t });
  view.start(['login', 'api', 'e2e']);
  for (const e of sampleEvents()) view.onEvent(e);
  t = T0 + 601_000;
  await view.stop();
  await view.stop(); // idempotent

  expect(out).not.toContain('\x1b');
  expect(out.split('\n').filter(Boolean)).toEqual([
    '[12:00:00] running 3 workers: login, api, e2e',
    '[12:00:01] login preparing worktree',
    '[12:00:01] api preparing worktree',
    '[12:00:01] login started (attempt 1)',
    '[12:00:01] api adopted its running session (attempt 1)',
    '[12:00:03] login attempt 1 failed: exit 1; retrying',
    '[12:00:03] login started (attempt 2)',
    '[12:00:09] login done in 8.1s (2 attempts)',
    '[12:10:01] api timeout in 10m: timed out after 10m',
    '[12:10:01] e2e skipped: needs "login" which was failed',
    '[12:10:01] 3 workers: 1 done, 1 timeout, 1 skipped in 10m1s',
    'Next: wo logs api (what it printed) · wo attach api (its session, if kept with --keep-sessions) · wo run --failed (the 2 not done, again)',
  ]);
});

test('control characters in feature or reason never reach the output', () => {
  let out = '';
  const view = createPlainView({ write: (s) => (out += s) });
  view.onEvent({
    type: 'finished',
    feature: 'x\x1b]0;pwned\x07',
    record: { feature: 'x\x1b[2J', outcome: 'failed', reason: 'a\x07b\r\nc\x9b1m', attempts: [] },
    at: T0,
  });
  expect(out).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
  // \x9b1m is an 8-bit CSI (SGR): removed whole, its parameters too.
  expect(out).toContain('x failed: ab / c\n');
});

test('a worker that turns waiting is announced at once, with its message and how to reach it', () => {
  let out = '';
  const view = createPlainView({ write: (s) => (out += s), now: () => T0 });
  view.start(['login']);
  view.onEvent({ type: 'live', feature: 'login', state: 'working', at: T0 });
  view.onEvent({
    type: 'live',
    feature: 'login',
    state: 'waiting',
    message: 'Claude needs your permission to use Bash',
    at: T0 + 1000,
  });
  view.onEvent({
    type: 'live',
    feature: 'login',
    state: 'rate-limited',
    message: 'limit \x1b[31mresets\x1b[0m at 5pm',
    at: T0 + 2000,
  });
  expect(out.split('\n').slice(1, 4)).toEqual([
    '[12:00:00] login working',
    '[12:00:01] login waiting: Claude needs your permission to use Bash (wo attach login)',
    '[12:00:02] login rate-limited: limit resets at 5pm',
  ]);
});

test('a rehearsal says so on its first line, so that nobody takes it for the real run', () => {
  let out = '';
  const view = createPlainView({ write: (s) => (out += s), now: () => T0, rehearsal: true });
  view.start(['login']);
  expect(out.split('\n')[0]).toBe('[12:00:00] rehearsal (scripted model, $0) · running 1 worker: login');
});
