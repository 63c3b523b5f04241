// What `wo run` needs of the repository itself, refused before anything is created (SPEC §1), on
// real git: a first commit.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runEnv, type RunEnv } from './harness.js';

const PLAN = 'version: 1\nworkers:\n  - feature: a\n    agent: shell\n    task: echo done > .worker-status\n';

describe('wo run in a repository', () => {
  let r: RunEnv | undefined;
  afterEach(() => {
    r?.cleanup();
    r = undefined;
  });

  test('with no commit: exit 2 naming the fix, and nothing created (no folder, worktree, branch, .wo/)', async () => {
    r = runEnv();
    // A fresh repository: HEAD names a branch that has no commit yet.
    rmSync(join(r.repo.root, '.git'), { recursive: true });
    r.repo.git('init', '-q', '-b', 'main');
    r.writePlan(PLAN);
    const res = await r.wo(['run']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('has no commit yet');
    expect(res.stderr).toContain('make a first commit: git commit --allow-empty -m init');
    expect(existsSync(join(r.repo.root, '.wo'))).toBe(false);
    expect(existsSync(join(r.repo.base, 'repo-worktrees'))).toBe(false);
    expect(r.repo.git('worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
    expect(r.repo.git('branch', '--list')).toBe('');
    // No session was started either: the test's tmux server was never asked to start.
    expect(() =>
      execFileSync('tmux', ['-L', r!.tmux.socket, 'list-sessions'], { stdio: 'ignore' }),
    ).toThrow();
  });

  test('once it has a first commit, the same plan runs', async () => {
    r = runEnv();
    rmSync(join(r.repo.root, '.git'), { recursive: true });
    r.repo.git('init', '-q', '-b', 'main');
    r.repo.git('commit', '-q', '--allow-empty', '-m', 'init');
    r.writePlan(PLAN);
    const res = await r.wo(['run']);
    expect(res.code).toBe(0);
  });
});
