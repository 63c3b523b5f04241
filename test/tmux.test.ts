import { Tmux } from '../src/tmux/tmux.js';
import type { Runner, RunResult } from '../src/exec.js';
import { makeTmux, type TempTmux } from './helpers.js';

/** A runner that records argv and answers with `answer`. */
function recorder(answer: (args: readonly string[]) => RunResult) {
  const calls: string[][] = [];
  const runner: Runner = { run: async (_f, args) => (calls.push([...args]), answer(args)) };
  return { calls, runner };
}
const ok: RunResult = { stdout: '', stderr: '', exitCode: 0 };

describe('Tmux.newSession', () => {
  test('sessions asked for in the same tick go to tmux in one call, chained with ";"', async () => {
    const { calls, runner } = recorder(() => ok);
    const tmux = new Tmux(runner, 'sock');
    await Promise.all(
      ['a', 'b', 'c'].map((n) =>
        tmux.newSession({ name: `wt-${n}`, cwd: '/tmp', command: ['sh', '-c', 'true'] }),
      ),
    );
    expect(calls).toHaveLength(1);
    const argv = calls[0]!;
    expect(argv.slice(0, 2)).toEqual(['-L', 'sock']);
    expect(argv.filter((a) => a === 'new-session')).toHaveLength(3);
    // Each session is followed by the option recording its worktree (SPEC §1).
    expect(argv.filter((a) => a === ';')).toHaveLength(5);
    expect(argv.filter((a) => a === 'set-option')).toHaveLength(3);
    for (const n of ['wt-a', 'wt-b', 'wt-c']) expect(argv).toContain(n);
  });

  test('when a chained call fails, only the failing session gets the error', async () => {
    const t: TempTmux = makeTmux();
    try {
      await t.tmux.newSession({ name: 'wt-taken', cwd: '/tmp', command: ['sleep', '30'] });
      const results = await Promise.allSettled(
        ['wt-one', 'wt-taken', 'wt-two'].map((name) =>
          t.tmux.newSession({ name, cwd: '/tmp', command: ['sleep', '30'] }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(String((results[1] as PromiseRejectedResult).reason)).toContain('duplicate session');
      const names = (await t.tmux.listSessions()).map((s) => s.name).sort();
      expect(names).toEqual(['wt-one', 'wt-taken', 'wt-two']);
    } finally {
      t.cleanup();
    }
  });
});
