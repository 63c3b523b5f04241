// The provider limits wo doctor says it knows of: what the workers' agents last said (issue 12 item 4).
import { limitChecks, type AgentSaid } from '../../src/commands/doctor.js';

const NOW = Date.UTC(2026, 10, 28, 10, 0, 0);
const min = 60_000;
const limited = (at: number, resetsAt?: number) => ({
  at,
  state: 'rate-limited' as const,
  message: 'the five-hour usage limit is reached',
  ...(resetsAt !== undefined && { resetsAt: new Date(resetsAt).toISOString() }),
});

test('a limit that has not reset yet: a warning naming the worker, what the agent said and the reset', () => {
  const said: AgentSaid[] = [
    {
      feature: 'login',
      agent: 'claude-print',
      events: [{ at: NOW - 5 * min, state: 'working' }, limited(NOW - 2 * min, NOW + 42 * min)],
    },
    { feature: 'api', agent: 'codex', events: [{ at: NOW - min, state: 'working' }] },
  ];
  expect(limitChecks(said, NOW)).toEqual([
    {
      level: 'warn',
      text: `agent claude-print: its provider's limit was reached (worker login at 2026-11-28T09:58:00.000Z: "the five-hour usage limit is reached"); it resets at 2026-11-28T10:42:00.000Z (in 42 min). wo run waits for a reset up to rate_limit_wait (default 1h) before it starts more of its workers`,
    },
    { level: 'ok', text: "agent codex: no provider limit reached in this repository's workers" },
  ]);
});

test('a limit that has reset, or that the agent got past, is not mentioned', () => {
  const said: AgentSaid[] = [
    { feature: 'a', agent: 'claude', events: [limited(NOW - 90 * min, NOW - min)] },
    { feature: 'b', agent: 'claude', events: [limited(NOW - 5 * min), { at: NOW - min, state: 'working' }] },
  ];
  expect(limitChecks(said, NOW)).toEqual([
    { level: 'ok', text: "agent claude: no provider limit reached in this repository's workers" },
  ]);
});

test('no reset said: mentioned for an hour after it was hit, the latest worker of an agent named', () => {
  const said: AgentSaid[] = [
    { feature: 'old', agent: 'codex', events: [limited(NOW - 61 * min)] },
    { feature: 'a', agent: 'codex', events: [limited(NOW - 20 * min)] },
    { feature: 'b', agent: 'codex', events: [limited(NOW - 10 * min)] },
  ];
  const [c] = limitChecks(said, NOW);
  expect(c!.level).toBe('warn');
  expect(c!.text).toContain('(worker b at 2026-11-28T09:50:00.000Z');
  expect(c!.text).toContain('it did not say when the limit resets');
  expect(limitChecks([said[0]!], NOW)[0]!.level).toBe('ok');
});

test('of the reset times an agent said for one limit, the latest counts', () => {
  const exact = limited(NOW - 2 * min, NOW + 42 * min + 30_000);
  const words = limited(NOW - 2 * min + 5, NOW + 42 * min); // "resets 10:42am": to the minute
  const [c] = limitChecks([{ feature: 'x', agent: 'claude-print', events: [exact, words] }], NOW);
  expect(c!.text).toContain('it resets at 2026-11-28T10:42:30.000Z (in 43 min)');
});

test('no workers: nothing to say', () => {
  expect(limitChecks([], NOW)).toEqual([]);
});
