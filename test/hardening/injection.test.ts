// SPEC §9, first rule, end to end: nothing a path, base or branch name contains is run by tmux or
// taken by git as an option; a base git does not know is refused before anything is created.
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fixture, type Fixture } from '../commands/setup.js';

const marker = join(tmpdir(), `wo-pwn-${process.pid}-${randomBytes(4).toString('hex')}`);

describe('injection', () => {
  let f: Fixture | undefined;
  afterEach(() => {
    f?.cleanup();
    f = undefined;
    rmSync(marker, { force: true });
  });

  test('a repository at a path holding #(…): spawn runs the worker and tmux runs nothing', async () => {
    f = fixture(`x #(touch ${marker})`);
    const r = await f.wo('spawn', 'a', 'pwd > where.txt', '--agent', 'shell', '--create');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    await f.waitStatus('a', 'done');
    expect(existsSync(marker)).toBe(false);
  });

  test('a base that starts with "-" is refused by validate and by spawn; git never sees it', async () => {
    f = fixture();
    writeFileSync(
      join(f.repo.root, 'workers.yaml'),
      'version: 1\nworkers:\n  - feature: a\n    task: t\n    agent: shell\n    base: "--no-checkout"\n',
    );
    const v = await f.wo('validate');
    expect(v.code).toBe(2);
    expect(v.err).toContain('workers[0].base');
    const s = await f.wo('spawn', 'b', 'true', '--agent', 'shell', '--create', '--base=--lock');
    expect(s.code).toBe(2);
    expect(s.err).toContain('starts with "-"');
    expect(existsSync(f.wt('b'))).toBe(false);
    expect(f.repo.git('worktree', 'list')).not.toContain('locked');
  });

  test('a missing base is exit 2 before anything is created (run and spawn)', async () => {
    f = fixture();
    writeFileSync(
      join(f.repo.root, 'workers.yaml'),
      'version: 1\nworkers:\n  - feature: a\n    task: t\n    agent: shell\n    base: no-such-ref\n  - feature: b\n    task: t\n    agent: shell\n',
    );
    const r = await f.wo('run');
    expect(r.code).toBe(2);
    expect(r.err).toContain('a: base "no-such-ref" is not a branch, tag or commit');
    expect(existsSync(join(f.repo.root, '..', 'repo-worktrees'))).toBe(false);
    expect(existsSync(join(f.repo.root, '.wo'))).toBe(false);
    const s = await f.wo('spawn', 'c', 'true', '--agent', 'shell', '--create', '--base', 'nope');
    expect(s.code).toBe(2);
    expect(readdirSync(f.repo.base)).not.toContain('repo-worktrees');
    expect(f.repo.git('branch', '--list')).not.toContain('wo/');
  });

  test('whitespace-only and oversized tasks are refused by validate and spawn', async () => {
    f = fixture();
    const big = 'x'.repeat(200 * 1024);
    writeFileSync(
      join(f.repo.root, 'workers.yaml'),
      `version: 1\nworkers:\n  - feature: a\n    task: "   "\n  - feature: b\n    task: ${big}\n`,
    );
    const v = await f.wo('validate');
    expect(v.code).toBe(2);
    expect(v.err).toContain('workers[0].task');
    expect(v.err).toContain('workers[1].task');
    const s = await f.wo('spawn', 'c', big, '--agent', 'shell', '--create');
    expect(s.code).toBe(2);
    expect(s.err).toContain('KiB');
  });
});
