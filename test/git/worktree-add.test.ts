import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHECKOUTS_AT_ONCE, Git } from '../../src/git/git.js';
import type { Runner, RunResult } from '../../src/process/run.js';
import { EnvError } from '../../src/errors.js';
import { defaultLayout, locate } from '../../src/worktree/layout.js';
import { readMeta } from '../../src/protocol/metadata.js';
import { createWorktree } from '../../src/worktree/worktree.js';

const res = (exitCode: number, stderr = ''): RunResult => ({ stdout: '', stderr, exitCode });

/** A worktree in wo's two steps: registered (with its sparse folders), then checked out. */
async function addWorktree(
  git: Git,
  repo: string,
  path: string,
  branch: string,
  base?: string,
  sparse: readonly string[] = [],
): Promise<void> {
  await git.registerWorktree(repo, path, branch, base, sparse);
  await git.checkoutWorktree(path);
}

describe('Git: registerWorktree, then checkoutWorktree', () => {
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
      // The common folder, asked to record the branch wo made, is not part of the creation's steps.
      run: async (_f, args) =>
        args[0] === 'rev-parse' ? res(0) : (calls.push([...args]), n++ === 0 ? res(128, busy) : res(0)),
    };
    await addWorktree(new Git(runner), dir, join(dir, 'wt', 'a'), 'wo/a');
    expect(calls).toHaveLength(3);
    expect(calls[1]).toEqual([
      'worktree',
      'add',
      '--no-checkout',
      '-b',
      'wo/a',
      '--end-of-options',
      join(dir, 'wt', 'a'),
    ]);
    expect(calls[1]).toEqual(calls[0]);
    expect(calls[2]).toEqual(['reset', '--hard', '--quiet', '--no-recurse-submodules']);
  });

  test('any other failure is reported with git’s own words', async () => {
    const runner: Runner = {
      run: async (_f, args) => (args[0] === 'worktree' ? res(128, 'fatal: something else') : res(1)),
    };
    await expect(addWorktree(new Git(runner), dir, join(dir, 'wt', 'a'), 'wo/a')).rejects.toThrow(
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

describe('worktrees in two steps (issue 13)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'wo-git-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('registers one at a time and checks out CHECKOUTS_AT_ONCE at a time, never one more', async () => {
    const running = { register: 0, checkout: 0 };
    let mostRegistering = 0;
    let registered = 0;
    const held: Array<() => void> = [];
    const checkouts: Array<string | undefined> = [];
    const runner: Runner = {
      run: async (_f, args, o) => {
        if (args[0] === 'worktree') {
          mostRegistering = Math.max(mostRegistering, ++running.register);
          await new Promise((r) => setTimeout(r, 2));
          running.register--;
          registered++;
        } else if (args[0] === 'reset') {
          checkouts.push(o?.cwd);
          running.checkout++;
          await new Promise<void>((r) => held.push(r));
          running.checkout--;
        }
        return res(0);
      },
    };
    const git = new Git(runner);
    const n = CHECKOUTS_AT_ONCE + 3;
    const all = Promise.all(
      Array.from({ length: n }, (_, i) => addWorktree(git, dir, join(dir, 'wt', `w${i}`), `wo/w${i}`)),
    );
    /** Waits for `ok`, checking the bound all along. */
    const until = async (ok: () => boolean) => {
      for (const end = Date.now() + 10_000; !ok(); await new Promise((r) => setTimeout(r, 2))) {
        expect(running.checkout).toBeLessThanOrEqual(CHECKOUTS_AT_ONCE);
        if (Date.now() > end) throw new Error('timed out');
      }
    };
    await until(() => registered === n && running.checkout === CHECKOUTS_AT_ONCE);
    expect(checkouts).toHaveLength(CHECKOUTS_AT_ONCE);
    for (let ended = 1; ended <= n; ended++) {
      held.shift()!(); // one checkout ends: exactly one more may start
      await until(
        () =>
          checkouts.length === Math.min(n, CHECKOUTS_AT_ONCE + ended) &&
          running.checkout === Math.min(CHECKOUTS_AT_ONCE, n - ended),
      );
    }
    await all;
    expect(mostRegistering).toBe(1);
    // In the order asked: the first worker's checkout starts first.
    expect(checkouts).toEqual(Array.from({ length: n }, (_, i) => join(dir, 'wt', `w${i}`)));
  });

  test('sparse folders are set in the new worktree before its checkout, after --end-of-options', async () => {
    const calls: Array<{ cwd?: string; args: string[] }> = [];
    const runner: Runner = {
      // The common folder, asked to record the branch wo made, is not part of the creation's steps.
      run: async (_f, args, o) =>
        args[0] === 'rev-parse' ? res(0) : (calls.push({ cwd: o?.cwd, args: [...args] }), res(0)),
    };
    const wt = join(dir, 'wt', 's');
    await addWorktree(new Git(runner), dir, wt, 'wo/s', 'main', ['-x', 'src/auth']);
    expect(calls).toEqual([
      {
        cwd: dir,
        args: ['worktree', 'add', '--no-checkout', '-b', 'wo/s', '--end-of-options', wt, 'main'],
      },
      { cwd: wt, args: ['sparse-checkout', 'set', '--cone', '--end-of-options', '-x', 'src/auth'] },
      { cwd: wt, args: ['reset', '--hard', '--quiet', '--no-recurse-submodules'] },
    ]);
  });

  test('a branch or base git would read as an option is refused before git runs', async () => {
    const calls: string[][] = [];
    const runner: Runner = { run: async (_f, args) => (calls.push([...args]), res(0)) };
    await expect(addWorktree(new Git(runner), dir, join(dir, 'a'), '-b')).rejects.toThrow(
      'branch "-b" starts with "-"',
    );
    await expect(addWorktree(new Git(runner), dir, join(dir, 'a'), 'wo/a', '--orphan')).rejects.toThrow(
      'base "--orphan" starts with "-"',
    );
    expect(calls).toEqual([]);
  });
});

describe('createWorktree when the checkout fails', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'wo-git-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test("says how to finish it, and leaves wo's mark so that the next run does", async () => {
    const repo = join(dir, 'repo');
    mkdirSync(repo);
    const runner: Runner = {
      run: async (_f, args) => {
        if (args[0] === 'rev-parse') return { stdout: `${join(repo, '.git')}\n`, stderr: '', exitCode: 0 };
        if (args[0] === 'worktree')
          mkdirSync(args[args.indexOf('--end-of-options') + 1]!, { recursive: true });
        if (args[0] === 'reset')
          return res(128, 'error: unable to create file big.bin: No space left on device');
        return res(0);
      },
    };
    const loc = locate(defaultLayout(repo), 'full');
    const err = await createWorktree(new Git(runner), repo, loc).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvError);
    expect((err as Error).message).toContain(`the checkout of ${loc.worktree} failed`);
    expect((err as Error).message).toContain('No space left on device');
    expect((err as Error).message).toContain('run wo again: it finishes the checkout');
    expect((err as Error).message).toContain(`git worktree remove --force ${loc.worktree}`);
    expect(await readMeta(loc.worktree)).toMatchObject({ created_by: 'wo', checkout_ok: false });
  });
});
