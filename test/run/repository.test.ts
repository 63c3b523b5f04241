// What `wo run` needs of the repository itself, refused before anything is created (SPEC §1), on
// real git: a first commit, and worktrees outside the main checkout (refused at validation).
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

  test.each([
    ['worktrees inside the repository', 'worktrees:\n  dir: wt\n', 3, 8, 'inside the repository'],
    ['a worktree that would be the main checkout', 'worktrees:\n  dir: ".."\n', 5, 14, 'main checkout'],
  ])(
    '%s: wo validate and wo run exit 2 at file:line:col, nothing created',
    async (_, dir, line, col, words) => {
      r = runEnv();
      // The repository's folder is `repo`: a worker of that name in `..` would be the checkout itself.
      r.writePlan(
        `version: 1\n${dir}workers:\n  - feature: repo\n    agent: shell\n    task: echo done > .worker-status\n`,
      );
      for (const args of [['validate'], ['run']]) {
        const res = await r.wo(args);
        expect(res.code).toBe(2);
        expect(res.stderr).toContain(`workers.yaml:${line}:${col}`);
        expect(res.stderr).toContain(words);
      }
      expect(existsSync(join(r.repo.root, '.wo'))).toBe(false);
      expect(existsSync(join(r.repo.root, 'wt'))).toBe(false);
      expect(r.repo.git('branch', '--list', 'wo/*')).toBe('');
    },
  );
});
