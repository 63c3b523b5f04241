// SPEC §9 no data loss in `wo clean`, and §1: copied files are kept out of git in each worktree.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, type Fixture } from '../commands/setup.js';

describe('clean keeps what an agent made', () => {
  let f: Fixture;
  beforeEach(() => {
    f = fixture();
  });
  afterEach(() => f.cleanup());

  const spawn = async (feature: string, task: string) => {
    expect((await f.wo('spawn', feature, task, '--agent', 'shell', '--create')).code).toBe(0);
    await f.waitStatus(feature, 'done');
  };

  test('ignored files an agent made are refused without --force, and named when --force removes them', async () => {
    writeFileSync(join(f.repo.root, '.gitignore'), 'build/\n.env\n');
    f.repo.git('add', '.gitignore');
    f.repo.git('commit', '-q', '-m', 'ignore');
    await spawn('gen', 'mkdir build && echo out > build/app && echo SECRET=1 > .env');
    const refused = await f.wo('clean', 'gen');
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('2 ignored files');
    expect(refused.err).toContain('build/');
    expect(existsSync(join(f.wt('gen'), 'build', 'app'))).toBe(true);
    const forced = await f.wo('clean', 'gen', '--force');
    expect(forced.code).toBe(0);
    expect(forced.out).toContain('lost 2 ignored files');
    expect(existsSync(f.wt('gen'))).toBe(false);
  });

  test("a copied .env is excluded in the worktree: an agent's git add -A leaves it out, and clean does not count it", async () => {
    writeFileSync(join(f.repo.root, '.env'), 'SECRET=1\n'); // untracked, not ignored in the main checkout
    const staged = join(f.repo.base, 'staged.txt');
    writeFileSync(
      join(f.repo.root, 'workers.yaml'),
      `version: 1\nworkers:\n  - feature: cp\n    agent: shell\n    copy: [.env]\n    task: git add -A && git diff --cached --name-only > "${staged}" && git reset -q\n`,
    );
    expect((await f.wo('run')).code).toBe(0);
    expect(readFileSync(join(f.wt('cp'), '.env'), 'utf8')).toBe('SECRET=1\n');
    expect(readFileSync(staged, 'utf8')).not.toContain('.env');
    const r = await f.wo('clean', 'cp');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });

  test('clean --force names a commit on a detached HEAD that no branch holds, with how to keep it', async () => {
    await spawn(
      'det',
      'git checkout -q --detach && echo y > y.txt && git add y.txt && git commit -q -m "lonely work"',
    );
    const refused = await f.wo('clean', 'det');
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('detached HEAD');
    const forced = await f.wo('clean', 'det', '--force');
    expect(forced.code).toBe(0);
    expect(forced.out).toContain('lonely work');
    expect(forced.out).toContain('git branch det-rescue');
  });
});
