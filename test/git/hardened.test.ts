// SPEC §9: wo's own git calls run no program a worktree configured, and find a worktree's git
// folders from the repository's side. Logic only: a fake runner and a folder laid out as git would.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Git, NO_FOREIGN_PROGRAMS, noForeignProgramsEnv, worktreeGitDirs } from '../../src/git/git.js';
import type { RunOptions, Runner } from '../../src/process/run.js';

describe('noForeignProgramsEnv', () => {
  test('every setting as GIT_CONFIG_KEY_n/VALUE_n, after those the caller set', () => {
    const env = noForeignProgramsEnv({ GIT_CONFIG_COUNT: '2' });
    expect(env.GIT_CONFIG_COUNT).toBe(String(2 + NO_FOREIGN_PROGRAMS.length));
    expect(env.GIT_CONFIG_KEY_2).toBe(NO_FOREIGN_PROGRAMS[0]![0]);
    expect(env.GIT_CONFIG_KEY_1).toBeUndefined(); // the caller's own stay as they are
    const keys = Object.entries(noForeignProgramsEnv({}))
      .filter(([k]) => k.startsWith('GIT_CONFIG_KEY_'))
      .map(([, v]) => v);
    expect(keys).toEqual(
      expect.arrayContaining(['core.hooksPath', 'core.fsmonitor', 'core.sshCommand', 'credential.helper']),
    );
    expect(noForeignProgramsEnv({ GIT_CONFIG_COUNT: 'x' }).GIT_CONFIG_KEY_0).toBe('core.hooksPath');
  });

  test('Git.run passes them with every call, the argv as written', async () => {
    const seen: Array<{ args: readonly string[]; options?: RunOptions }> = [];
    const runner: Runner = {
      run: async (_f, args, options) => (
        seen.push({ args, options }),
        { stdout: '', stderr: '', exitCode: 0 }
      ),
    };
    await new Git(runner).run('/nowhere', ['status', '--porcelain']);
    expect(seen[0]!.args).toEqual(['status', '--porcelain']);
    expect(seen[0]!.options?.env).toMatchObject({
      GIT_CONFIG_KEY_0: 'core.hooksPath',
      GIT_CONFIG_VALUE_0: '/dev/null',
    });
  });
});

describe('worktreeGitDirs', () => {
  let base: string;
  beforeEach(() => (base = mkdtempSync(join(tmpdir(), 'wo-dirs-'))));
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  const admin = (name: string, gitdir: string) => {
    const dir = join(base, '.git', 'worktrees', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'gitdir'), `${gitdir}\n`);
    return dir;
  };

  test('the admin folder whose gitdir names the worktree, whatever the worktree says', async () => {
    const common = join(base, '.git');
    admin('a', join(base, 'wt', 'a', '.git'));
    const b = admin('b1', join(base, 'wt', 'b', '.git'));
    mkdirSync(join(base, 'wt', 'b'), { recursive: true });
    writeFileSync(join(base, 'wt', 'b', '.git'), 'gitdir: /\n'); // rewritten by its worker
    expect(await worktreeGitDirs(common, join(base, 'wt', 'b'))).toEqual({ common, admin: b });
    expect(await worktreeGitDirs(common, join(base, 'wt', 'c'))).toBeUndefined();
    expect(await worktreeGitDirs('', join(base, 'wt', 'b'))).toBeUndefined();
    expect(await worktreeGitDirs(join(base, 'none'), join(base, 'wt', 'b'))).toBeUndefined();
  });
});
