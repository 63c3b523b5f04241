// SPEC §9: a worker never works in the main checkout or outside worktrees.dir, and worktrees.dir is
// outside the repository (and its .git).
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, type Fixture } from '../commands/setup.js';

describe('escapes', () => {
  let f: Fixture;
  beforeEach(() => {
    f = fixture();
  });
  afterEach(() => f.cleanup());

  test('worktrees.dir ".." with a worker named like the repository folder never runs in the main checkout', async () => {
    writeFileSync(join(f.repo.root, '.worc.yaml'), 'worktrees:\n  dir: ..\n');
    const r = await f.wo('spawn', 'repo', 'touch escaped', '--agent', 'shell', '--create');
    expect(r.code).toBe(2);
    expect(r.err).toContain('main checkout');
    expect(existsSync(join(f.repo.root, 'escaped'))).toBe(false);
    expect(existsSync(join(f.repo.root, '.worker-status'))).toBe(false);
    expect(await f.t.tmux.listSessions()).toEqual([]);
  });

  test.each([['wt'], ['.git/wt'], ['.'], ['./sub/../wt']])(
    'worktrees.dir %s, inside the repository, is refused by spawn and run (exit 2, nothing created)',
    async (dir) => {
      writeFileSync(join(f.repo.root, '.worc.yaml'), `worktrees:\n  dir: "${dir}"\n`);
      const s = await f.wo('spawn', 'a', 'true', '--agent', 'shell', '--create');
      expect(s.code).toBe(2);
      expect(s.err).toContain('inside the repository');
      writeFileSync(
        join(f.repo.root, 'workers.yaml'),
        'version: 1\nworkers:\n  - feature: a\n    task: "true"\n    agent: shell\n',
      );
      const r = await f.wo('run');
      expect(r.code).toBe(2);
      expect(r.err).toContain('inside the repository');
      expect(existsSync(join(f.repo.root, dir, 'a'))).toBe(false);
      expect(f.repo.git('worktree', 'list').trim().split('\n')).toHaveLength(1);
    },
  );
});
