import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Git } from '../../src/git/git.js';
import type { Runner, RunResult } from '../../src/exec.js';

const res = (exitCode: number, stderr = ''): RunResult => ({ stdout: '', stderr, exitCode });

describe('Git.addWorktree', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'wo-git-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test.each([
    "fatal: Unable to create '/r/.git/packed-refs.lock': File exists.",
    'fatal: failed to read /r/.git/worktrees/w77/commondir: Success',
  ])('a git that is busy beside it is asked again: %s', async (busy) => {
    const calls: string[][] = [];
    let n = 0;
    const runner: Runner = {
      run: async (_f, args) => (calls.push([...args]), n++ === 0 ? res(128, busy) : res(0)),
    };
    await new Git(runner).addWorktree(dir, join(dir, 'wt', 'a'), 'wo/a');
    expect(calls).toHaveLength(2);
    expect(calls[1]).toEqual(['worktree', 'add', '-b', 'wo/a', '--end-of-options', join(dir, 'wt', 'a')]);
    expect(calls[1]).toEqual(calls[0]);
  });

  test('any other failure is reported with git’s own words', async () => {
    const runner: Runner = {
      run: async (_f, args) => (args[0] === 'worktree' ? res(128, 'fatal: something else') : res(1)),
    };
    await expect(new Git(runner).addWorktree(dir, join(dir, 'wt', 'a'), 'wo/a')).rejects.toThrow(
      'fatal: something else',
    );
  });
});

describe('Git.worktrees', () => {
  test('a worktree half written by a git adding it beside us is asked about again', async () => {
    let n = 0;
    const runner: Runner = {
      run: async () =>
        n++ === 0
          ? res(128, 'fatal: failed to read /r/.git/worktrees/w40/commondir: Success')
          : { stdout: 'worktree /r\nHEAD abc\nbranch refs/heads/main\n\n', stderr: '', exitCode: 0 },
    };
    expect(await new Git(runner).worktrees('/r')).toEqual([{ path: '/r', head: 'abc', branch: 'main' }]);
    expect(n).toBe(2);
  });

  test('any other failure is an error with git’s words', async () => {
    const runner: Runner = { run: async () => res(128, 'fatal: not a git repository') };
    await expect(new Git(runner).worktrees('/r')).rejects.toThrow('fatal: not a git repository');
  });
});
