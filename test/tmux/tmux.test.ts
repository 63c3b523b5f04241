import { Tmux } from '../../src/tmux/tmux.js';
import type { Runner, RunResult } from '../../src/process/run.js';
import { makeTmux, type TempTmux } from '../helpers.js';

/** A runner that records argv and answers with `answer`. */
function recorder(answer: (args: readonly string[]) => RunResult) {
  const calls: string[][] = [];
  const runner: Runner = { run: async (_f, args) => (calls.push([...args]), answer(args)) };
  return { calls, runner };
}
const ok: RunResult = { stdout: '', stderr: '', exitCode: 0 };

describe('Tmux.newSession', () => {
  test('one session is one tmux call: created with its owner option, chained with ";"', async () => {
    const { calls, runner } = recorder(() => ok);
    const tmux = new Tmux(runner, 'sock');
    await Promise.all(
      ['a', 'b'].map((n) => tmux.newSession({ name: `wt-${n}`, cwd: '/tmp', command: ['sh', '-c', 'true'] })),
    );
    expect(calls).toHaveLength(2);
    for (const [i, argv] of calls.entries()) {
      expect(argv.slice(0, 2)).toEqual(['-L', 'sock']);
      expect(argv.filter((a) => a === 'new-session')).toHaveLength(1);
      // The session is followed by the option recording its worktree (SPEC §1).
      expect(argv.slice(argv.indexOf(';'))).toEqual([
        ';',
        'set-option',
        '-t',
        `=wt-${'ab'[i]}:`,
        '@wo_worktree',
        '/tmp',
      ]);
    }
  });

  test("a session name that is taken is refused with tmux's words; the others are created", async () => {
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
