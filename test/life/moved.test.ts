// SPEC §9: a worker that moved a branch not its own is `failed`, naming the branch, however it ended.
import { decide, movedReason } from '../../src/life/outcome.js';

describe('a worker that moved another branch', () => {
  const exited = { session: 'gone' as const, exit: { code: 0 }, statusText: 'running' };

  test('an exit 0 that moved main is failed, naming main', () => {
    const d = decide({ ...exited, movedBranches: ['main'] });
    expect(d).toMatchObject({ final: true, outcome: 'failed', status: 'failed' });
    expect(d.final && d.reason).toContain('main');
    expect(d.final && d.record?.headline).toBe(movedReason(['main']));
  });

  test('its own word `done` does not stand either; nothing moved leaves it done', () => {
    expect(decide({ ...exited, statusText: 'done', movedBranches: ['wo/b', 'main'] })).toMatchObject({
      outcome: 'failed',
      reason: expect.stringContaining('wo/b, main'),
    });
    expect(decide({ ...exited, statusText: 'done', movedBranches: [] })).toMatchObject({ outcome: 'done' });
  });

  test('a worker wo stopped keeps the stop as its reason; a running one is not ended by it', () => {
    expect(decide({ ...exited, stoppedBy: 'timed out after 1m', movedBranches: ['main'] })).toMatchObject({
      reason: 'timed out after 1m',
    });
    expect(decide({ session: 'alive', statusText: 'running', movedBranches: ['main'] })).toMatchObject({
      final: false,
    });
  });
});
