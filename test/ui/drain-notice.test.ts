// What a first Ctrl-C of wo run says (SPEC §4), with workers waiting for a rate limit's reset named apart.
import { drainNotice } from '../../src/ui/text.js';

const NOW = 1_000_000;

test('the workers still running, and how to end them', () => {
  expect(drainNotice(['a', 'b'], new Map(), NOW)).toBe(
    '\nwo: Ctrl-C: no more workers start; 2 still running (a, b), and the run waits for them. Press Ctrl-C again to end them.\n',
  );
  expect(drainNotice([], new Map(), NOW)).toContain('0 still running (none)');
});

test('a worker waiting for its rate limit is not counted as running: it is not run again', () => {
  const paused = new Map([
    ['limited', NOW + 60_000],
    ['resumed', NOW - 1], // its wait is over: it runs again
  ]);
  expect(drainNotice(['busy', 'limited', 'resumed'], paused, NOW)).toBe(
    "\nwo: Ctrl-C: no more workers start; 2 still running (busy, resumed), and the run waits for them. Press Ctrl-C again to end them. Waiting for a rate limit's reset, so not run again: limited.\n",
  );
});
